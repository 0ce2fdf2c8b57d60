"""Audio names, the first look at audio bytes, and the transcript and .vtt an audio file becomes."""

from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest

from notesmith.inputs.audio_names import is_audio, segments_name, transcript_name
from notesmith.audio.sniffing import sniff
from notesmith.audio.transcript import About, Transcript, is_ours, render_vtt, write_transcript
from notesmith.errors import InputError
from notesmith.inputs.reading import read_input
from notesmith.inputs.subtitles import Cue, parse_vtt
from tests.audio_files import truncated_wav, wav_with_codec, write_wav


@pytest.mark.parametrize("audio, transcript", [
    ("20260217_082807_mira_holt_msg1859.ogg", "20260217_082807_mira_holt_msg1859_transcript.txt"),
    ("20260217_082807_mira_holt_msg1859_voice.oga", "20260217_082807_mira_holt_msg1859_transcript.txt"),
    ("20260217_082807_a_msg2_b_msg1860.opus", "20260217_082807_a_msg2_b_msg1860_transcript.txt"),
    ("New Recording 3.m4a", "New Recording 3_transcript.txt"),
    ("talk.final.mp4", "talk.final_transcript.txt"),
])
def test_transcript_names_follow_the_inbox_convention(audio, transcript):
    assert is_audio(audio)
    assert transcript_name(audio) == transcript
    assert segments_name(transcript) == transcript[: -len(".txt")] + ".vtt"


@pytest.mark.parametrize("name", ["a.txt", "a.md", "a.vtt", "a.jpg", "a.mkv", "ogg"])
def test_other_files_are_not_audio(name):
    assert not is_audio(name)


def test_sniff_reads_a_wav_duration_and_hears_a_tone(tmp_path):
    facts = sniff(write_wav(tmp_path / "a.wav", 1.5))
    assert facts.container == "wav" and facts.duration == pytest.approx(1.5) and not facts.silent


def test_sniff_hears_silence(tmp_path):
    assert sniff(write_wav(tmp_path / "quiet.wav", 1.0, amplitude=0)).silent


@pytest.mark.parametrize("head, container", [(b"OggS\x00\x02", "ogg"), (b"fLaC\x00", "flac"),
                                             (b"\x00\x00\x00\x20ftypM4A ", "mp4"), (b"ID3\x04\x00", "mp3"),
                                             (b"\xff\xfb\x90\x64", "mp3"), (b"\x1a\x45\xdf\xa3\x9f", "webm")])
def test_sniff_knows_containers_by_their_bytes(tmp_path, head, container):
    path = tmp_path / "x.ogg"
    path.write_bytes(head + bytes(100))
    assert sniff(path).container == container


@pytest.mark.parametrize("make, words", [
    (lambda p: p.write_bytes(b""), "empty (0 bytes)"),
    (lambda p: p.write_text("Dear diary, this is not audio.\n"), "not an audio file"),
    (lambda p: truncated_wav(p), "truncated WAV file"),
    (lambda p: wav_with_codec(p, 0x7777), "unsupported audio codec"),
    (lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt "), "corrupt or truncated WAV file"),
])
def test_sniff_refuses_broken_files_with_a_reason(tmp_path, make, words):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(InputError) as caught:
        sniff(path)
    assert words in caught.value.message


def test_a_wav_with_a_known_compressed_codec_passes(tmp_path):
    assert sniff(wav_with_codec(tmp_path / "adpcm.wav", 0x0011)).container == "wav"


SEGMENTS = (Cue(0.0, 3.5, "The bees came out early today."), Cue(3.5, 7.25, "I want to check the queen <next> week."),
            Cue(65.0, 70.0, "Then order two more supers & frames."))


def _about(**changes):
    values = dict(audio_file="voice.ogg", date=datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc), author="lena_p",
                  transcribed_by="faster-whisper base")
    return About(**{**values, **changes})


def test_written_transcript_reads_back_as_a_timed_transcript_input(tmp_path):
    transcript = Transcript(SEGMENTS, "en", 70.04)
    path = write_transcript(tmp_path, "voice_transcript.txt", transcript, _about(), "voice_transcript.vtt")
    item = read_input(path)
    assert item.kind == "transcript"
    assert item.time == datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc)
    assert item.author == "lena_p"
    meta = item.metadata
    assert (meta["source"], meta["audio_file"], meta["segments_file"], meta["language"], meta["duration"],
            meta["transcribed_by"]) == ("audio", "voice.ogg", "voice_transcript.vtt", "en", 70.0, "faster-whisper base")
    assert item.text.startswith("[00:00:00] The bees came out early today.")
    assert "[00:01:05] Then order two more supers & frames." in item.text  # a pause makes a new anchored paragraph
    cues = parse_vtt((tmp_path / "voice_transcript.vtt").read_text(encoding="utf-8"))
    assert [(c.start, c.end, c.text) for c in cues] == [(c.start, c.end, c.text) for c in SEGMENTS]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left


def test_our_vtt_is_told_from_one_a_person_put_there(tmp_path):
    ours = tmp_path / "a.vtt"
    ours.write_text(render_vtt(Transcript(SEGMENTS), _about()), encoding="utf-8")
    theirs = tmp_path / "b.vtt"
    theirs.write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nhello\n", encoding="utf-8")
    assert is_ours(ours) and not is_ours(theirs) and not is_ours(tmp_path / "missing.vtt")


def test_a_long_recording_keeps_anchors_every_few_sentences(tmp_path):
    cues = tuple(Cue(i * 5.0, i * 5.0 + 5, f"Sentence number {i} says one thing about the hives.") for i in range(60))
    path = write_transcript(tmp_path, "long_transcript.txt", Transcript(cues, "en", 300.0), _about(), "long_transcript.vtt")
    paragraphs = read_input(path).text.split("\n\n")
    assert len(paragraphs) >= 8
    assert all(p.startswith("[00:0") for p in paragraphs)
    os.remove(path)
