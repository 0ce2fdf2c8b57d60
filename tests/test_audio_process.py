"""`notesmith process` with audio in the inbox: transcribed through a real HTTP server, end to end in git."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

import notesmith
from notesmith.pipeline.transcription import add_companions
from notesmith.audio.transcript import About, Transcript, render_vtt
from notesmith.config import load_config
from notesmith.errors import ConfigError
from notesmith.inputs.subtitles import Cue, parse_vtt
from notesmith.status import status_lines
from notesmith.workspace import Workspace
from tests.audio_files import truncated_wav, wav_with_codec, write_wav
from tests.fake_openai import Error, Hang, Transcription
from tests.process_helpers import git, new_workspace, run_commits

TODAY = "2026-03-04"
VOICE = "20260302_081500_lena_p_msg201.wav"
VOICE_T = "20260302_081500_lena_p_msg201_transcript.txt"
VOICE_S = "20260302_081500_lena_p_msg201_transcript.vtt"
NOTE = {"20260303_070500_Tom_R_msg203.md": "Sourdough note: the starter doubles in five hours now.\n"}
SAID = Transcription(
    "The bees came out early today. I want to check the queen next week.", duration=9.0,
    segments=[(0.0, 3.2, " The bees came out early today."), (6.5, 9.0, " I want to check the queen next week.")])


def api_config(fake, extra: str = "") -> str:
    return f'transcribe = "api"\ntranscribe_base_url = "{fake.url}"\nretries = 1\n{extra}'


def audio_workspace(tmp_path: Path, fake, audio: dict[str, object], *, inputs: dict | None = None,
                    config: str | None = None, files: dict | None = None) -> Path:
    root = new_workspace(tmp_path / "ws", inputs=inputs or {}, files=files,
                         config=api_config(fake) if config is None else config)
    for name, make in audio.items():
        make(root / "inbox" / name)
    return root


def tone(path: Path) -> Path:
    return write_wav(path, 1.0)


@pytest.fixture
def no_audio_extra(monkeypatch):
    """As on a machine without `notesmith[audio]`: faster-whisper and PyAV cannot be imported."""
    for name in ("faster_whisper", "av"):
        monkeypatch.setitem(sys.modules, name, None)



def reasons(outcomes) -> dict[str, str]:
    """{path: reason} of a report's failed, skipped or waiting inputs."""
    return {o.path: o.reason for o in outcomes}

def test_voice_note_becomes_a_cited_article_with_audio_and_segments_beside_its_transcript(tmp_path, fake_openai):
    fake_openai.queue_transcription(SAID)
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone})
    sent = (ws / "inbox" / VOICE).read_bytes()
    report = notesmith.process(ws, today=TODAY)

    assert report.ok and len(report.created) == 1, report.summary_lines()
    assert fake_openai.uploads[0].data == sent and fake_openai.uploads[0].filename == VOICE
    used = ws / "inbox/used"
    assert (used / VOICE).read_bytes() == sent  # the audio is kept, beside its transcript
    assert sorted(p.name for p in (ws / "inbox").iterdir()) == ["used"]
    transcript = notesmith.read_input(used / VOICE_T)
    assert transcript.kind == "transcript" and transcript.author == "lena_p"
    assert transcript.time == datetime(2026, 3, 2, 8, 15, tzinfo=timezone.utc)
    assert {k: transcript.metadata[k] for k in ("source", "audio_file", "segments_file", "language", "duration")} == {
        "source": "audio", "audio_file": VOICE, "segments_file": VOICE_S, "language": "en", "duration": 9.0}
    assert transcript.metadata["transcribed_by"].startswith("whisper-1 at http://127.0.0.1:")
    assert transcript.text == ("[00:00:00] The bees came out early today.\n\n"
                               "[00:00:06] I want to check the queen next week.")
    cues = parse_vtt((used / VOICE_S).read_text(encoding="utf-8"))
    assert [(c.start, c.end) for c in cues] == [(0.0, 3.2), (6.5, 9.0)]

    article = (ws / report.created[0]).read_text(encoding="utf-8")
    # Each paragraph is anchored to the lines it came from, labelled with the time it was said.
    assert "[00:00:06] I want to check the queen next week.[^2]" in article
    lines = (used / VOICE_T).read_text(encoding="utf-8").splitlines()
    said_at = lines.index("[00:00:06] I want to check the queen next week.") + 1
    assert f"[^2]: [{VOICE_T}, 00:00:06–00:00:09](../inbox/used/{VOICE_T}#L{said_at})" in article
    assert any(note.startswith("transcribed 1 audio file (0:09 of audio) with whisper-1") for note in report.notes)

    assert run_commits(ws) == ["inbox: add 3 inputs", "notesmith: create 1 article"]
    renames = git(ws, "show", "--name-status", "-M", "--format=", "HEAD").splitlines()
    for name in (VOICE, VOICE_T, VOICE_S):
        assert f"R100\tinbox/{name}\tinbox/used/{name}" in renames
    assert git(ws, "status", "--porcelain") == ""
    assert notesmith.check(workspace=ws).ok
    assert [f.code for f in notesmith.check(workspace=ws, orphans=True)] == []  # audio and .vtt kept beside it
    (used / "stray.ogg").write_bytes(b"OggS")
    assert [(f.path, f.code) for f in notesmith.check(workspace=ws, orphans=True)] == [
        ("inbox/used/stray.ogg", "OR001")]


def test_bad_audio_fails_or_is_skipped_alone_and_the_run_goes_on(tmp_path, fake_openai):
    fake_openai.queue_transcription(SAID, Transcription("", segments=[]),
                                    Error(400, "Invalid file format."), Error(400, "Invalid file format."))
    ws = audio_workspace(tmp_path, fake_openai, {
        "good.wav": tone,
        "empty.ogg": lambda p: p.write_bytes(b""),
        "letter.mp3": lambda p: p.write_text("Dear diary, not audio at all.\n"),
        "cut.wav": truncated_wav,
        "odd-codec.wav": lambda p: wav_with_codec(p, 0x7777),
        "quiet.wav": lambda p: write_wav(p, 1.0, amplitude=0),
        "nospeech.wav": lambda p: write_wav(p, 2.0, hz=220.0),
        "refused.m4a": lambda p: p.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(300)),
    }, inputs=NOTE)
    report = notesmith.process(ws, today=TODAY)
    failed = reasons(report.failed)
    assert sorted(failed) == [f"inbox/{n}" for n in ("cut.wav", "empty.ogg", "letter.mp3", "odd-codec.wav",
                                                      "refused.m4a")]
    assert "empty (0 bytes)" in failed["inbox/empty.ogg"]
    assert "not an audio file" in failed["inbox/letter.mp3"]
    assert "truncated WAV file" in failed["inbox/cut.wav"]
    assert "unsupported audio codec" in failed["inbox/odd-codec.wav"]
    assert "refused this file (HTTP 400" in failed["inbox/refused.m4a"]
    for rel, reason in failed.items():
        name = Path(rel).name
        assert (ws / "inbox/failed" / name).exists()
        assert reason in (ws / "inbox/failed" / f"{name}.reason.txt").read_text(encoding="utf-8")
    assert reasons(report.skipped) == {"inbox/quiet.wav": "no speech: the recording is silent",
                                    "inbox/nospeech.wav": "no speech found in the recording"}
    assert sorted(p.name for p in (ws / "inbox/used/skipped").iterdir()) == ["nospeech.wav", "quiet.wav"]
    assert len(report.created) == 2 and not report.ok
    # only the files that passed the first look were uploaded
    assert [u.filename for u in fake_openai.uploads] == ["good.wav", "nospeech.wav", "refused.m4a", "refused.m4a"]
    assert sorted(p.name for p in (ws / "inbox").iterdir()) == ["failed", "used"]


def test_without_the_extra_audio_waits_with_one_line_saying_how_to_enable_it(tmp_path, fake_openai, no_audio_extra):
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone}, inputs=NOTE, config="")
    report = notesmith.process(ws, today=TODAY)

    assert report.ok and len(report.created) == 1
    lines = [line for line in report.summary_lines() if VOICE in line]
    assert len(lines) == 1 and lines[0].startswith(f"  waiting  inbox/{VOICE}: ")
    assert "pip install 'notesmith[audio]'" in lines[0] and 'transcribe = "api"' in lines[0]
    assert (ws / "inbox" / VOICE).exists() and not (ws / "inbox" / VOICE_T).exists()
    assert f"inbox/{VOICE}" not in git(ws, "ls-files")
    assert fake_openai.uploads == []


def test_transcription_switched_off_leaves_audio_waiting(tmp_path, fake_openai):
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone}, config='transcribe = "off"\n')
    report = notesmith.process(ws, today=TODAY)
    assert report.ok and "transcription is off" in reasons(report.waiting)[f"inbox/{VOICE}"]
    assert fake_openai.uploads == [] and run_commits(ws) == []


def test_endpoint_down_keeps_every_audio_waiting_and_the_run_says_it_failed(tmp_path, fake_openai):
    busy = Error(503, "overloaded", headers={"Retry-After": "0"})
    fake_openai.queue_transcription(busy, busy, busy, busy)
    ws = audio_workspace(tmp_path, fake_openai, {"a.wav": tone, "b.wav": lambda p: write_wav(p, 2.0)}, inputs=NOTE)
    report = notesmith.process(ws, today=TODAY)

    waiting = reasons(report.waiting)
    assert waiting["inbox/a.wav"] == waiting["inbox/b.wav"]
    assert waiting["inbox/a.wav"].startswith("the transcriber failed: transcription endpoint")
    assert {w.cause for w in report.waiting} == {"model"} and not report.ok  # a failing transcriber fails the run
    assert "kept failing: HTTP 503" in waiting["inbox/a.wav"]
    assert len(fake_openai.uploads) == 2  # retries=1 for a.wav; b.wav is not tried against a failing endpoint
    assert not report.ok and len(report.created) == 1
    assert sorted(p.name for p in (ws / "inbox").iterdir() if p.is_file()) == ["a.wav", "b.wav"]


def test_killed_mid_transcription_leaves_no_transcript_and_the_next_run_transcribes(tmp_path, fake_openai, env):
    fake_openai.queue_transcription(Hang(60, then=SAID))
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone})
    proc = subprocess.Popen([sys.executable, "-m", "notesmith", "process"], cwd=ws, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not fake_openai.uploads and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # waiting for the upload to arrive, not for a fault
        assert fake_openai.uploads, "the run never uploaded the audio"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert sorted(p.name for p in (ws / "inbox").iterdir()) == [VOICE, "used"]

    fake_openai.queue_transcription(SAID)
    report = notesmith.process(ws, today=TODAY, wait=5)
    assert len(report.created) == 1 and report.ok, report.summary_lines()
    assert (ws / "inbox/used" / VOICE_T).exists() and (ws / "inbox/used" / VOICE).exists()


def test_segments_left_by_a_killed_run_are_replaced(tmp_path, fake_openai):
    fake_openai.queue_transcription(SAID)
    stale = render_vtt(Transcript((Cue(0, 1, "half of an older run"),)),
                       About(VOICE, datetime(2026, 1, 1, tzinfo=timezone.utc), None, "whisper-1"))
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone, VOICE_S: lambda p: p.write_text(stale)})
    report = notesmith.process(ws, today=TODAY)
    assert len(report.created) == 1 and report.ok
    cues = parse_vtt((ws / "inbox/used" / VOICE_S).read_text(encoding="utf-8"))
    assert [c.text for c in cues] == ["The bees came out early today.", "I want to check the queen next week."]


def test_a_vtt_a_person_put_there_is_never_overwritten(tmp_path, fake_openai):
    theirs = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nTheir own subtitles.\n"
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone, VOICE_S: lambda p: p.write_text(theirs)})
    report = notesmith.process(ws, today=TODAY)
    assert "is not notesmith's" in reasons(report.failed)[f"inbox/{VOICE}"]
    assert (ws / "inbox/used" / VOICE_S).read_text() == theirs  # an input of its own: subtitles
    assert fake_openai.uploads == []


def test_a_transcript_already_in_the_inbox_takes_its_audio_along(tmp_path, fake_openai):
    bot = ("---\nsource: telegram_voice\ndate: 2026-03-02T08:15:00+01:00\nusername: lena_p\n"
           "audio_file: voice_0201.ogg\n---\nThe second hive was carrying pollen by nine.\n")
    elsewhere = "Made by another tool, no frontmatter: the shed needs a new lock.\n"
    ws = audio_workspace(tmp_path, fake_openai, {"voice_0201.ogg": lambda p: p.write_bytes(b"OggS" + bytes(99)),
                                                 "shed.m4a": lambda p: p.write_bytes(b"\x00\x00\x00\x20ftyp" + bytes(99))},
                         inputs={VOICE_T: bot, "shed_transcript.txt": elsewhere})
    report = notesmith.process(ws, today=TODAY)
    assert fake_openai.uploads == [] and report.ok
    used = sorted(p.name for p in (ws / "inbox/used").iterdir())
    assert used == sorted([VOICE_T, "voice_0201.ogg", "shed_transcript.txt", "shed.m4a"])


def test_dry_run_transcribes_nothing_and_writes_nothing(tmp_path, fake_openai):
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone})
    before = sorted(p.name for p in (ws / "inbox").iterdir())
    report = notesmith.process(ws, today=TODAY, dry_run=True)
    assert "dry run does not transcribe" in reasons(report.waiting)[f"inbox/{VOICE}"]
    assert fake_openai.uploads == [] and sorted(p.name for p in (ws / "inbox").iterdir()) == before


def test_process_a_chosen_audio_file_only(tmp_path, fake_openai):
    fake_openai.queue_transcription(SAID)
    ws = audio_workspace(tmp_path, fake_openai, {"a.wav": tone, "b.wav": lambda p: write_wav(p, 2.0)})
    report = notesmith.process(ws, today=TODAY, files=[ws / "inbox/a.wav"])
    assert [u.filename for u in fake_openai.uploads] == ["a.wav"] and len(report.created) == 1
    assert sorted(p.name for p in (ws / "inbox/used").iterdir()) == ["a.wav", "a_transcript.txt", "a_transcript.vtt"]
    assert (ws / "inbox/b.wav").exists() and not (ws / "inbox/b_transcript.txt").exists()


def test_same_audio_twice_is_one_input(tmp_path, fake_openai):
    fake_openai.queue_transcription(SAID)
    ws = audio_workspace(tmp_path, fake_openai, {"a.wav": tone, "copy.wav": tone})
    report = notesmith.process(ws, today=TODAY)
    assert len(fake_openai.uploads) == 1
    assert reasons(report.skipped) == {"inbox/copy.wav": "duplicate of a.wav (same content)"}


def test_a_different_audio_of_the_same_name_already_used_fails(tmp_path, fake_openai):
    ws = audio_workspace(tmp_path, fake_openai, {"voice.wav": tone}, inputs=NOTE,
                         files={"inbox/used/voice.wav": b"RIFF older recording"})
    report = notesmith.process(ws, today=TODAY)
    assert "a different file named voice.wav is already in inbox/used/" in reasons(report.failed)["inbox/voice.wav"]
    assert fake_openai.uploads == []


def test_time_comes_from_the_file_when_the_name_has_none(tmp_path, fake_openai, no_audio_extra):
    fake_openai.queue_transcription(SAID)
    ws = audio_workspace(tmp_path, fake_openai, {"memo.wav": tone})
    when = datetime(2026, 2, 17, 8, 28, 7, tzinfo=timezone.utc)
    os.utime(ws / "inbox/memo.wav", (when.timestamp(), when.timestamp()))
    notesmith.process(ws, today=TODAY)
    transcript = notesmith.read_input(ws / "inbox/used/memo_transcript.txt")
    assert transcript.time == when and transcript.author is None and "author" not in transcript.metadata


def test_companions_follow_their_transcript_wherever_it_goes():
    from notesmith.pipeline.planning import SKIPPED, Changes, Move

    changes = Changes(moves=[Move("inbox/t_transcript.txt", "inbox/used/skipped/t_transcript.txt", SKIPPED),
                             Move("inbox/v_transcript.txt", "inbox/used/v_transcript.txt"),
                             Move("inbox/n.md", "inbox/used/n.md")],
                      fails=[("inbox/u_transcript.txt", "inbox/failed/u_transcript.txt", "too big")],
                      cites={"articles/a.md": ["inbox/v_transcript.txt", "inbox/n.md"]})
    add_companions(changes, {"inbox/t_transcript.txt": ("inbox/t.ogg", "inbox/t_transcript.vtt"),
                             "inbox/u_transcript.txt": ("inbox/u.ogg",), "inbox/v_transcript.txt": ("inbox/v.ogg",)})
    assert changes.moves[3:] == [Move("inbox/t.ogg", "inbox/used/skipped/t.ogg", SKIPPED),
                                 Move("inbox/t_transcript.vtt", "inbox/used/skipped/t_transcript.vtt", SKIPPED),
                                 Move("inbox/v.ogg", "inbox/used/v.ogg")]
    assert changes.fails[1:] == [("inbox/u.ogg", "inbox/failed/u.ogg", "its transcript u_transcript.txt failed: too big")]
    # An audio file waits with its transcript when the article taking it is left alone.
    assert changes.cites["articles/a.md"] == ["inbox/v_transcript.txt", "inbox/n.md", "inbox/v.ogg"]


def test_status_counts_audio_waiting_and_says_how_it_would_be_transcribed(tmp_path, fake_openai, no_audio_extra):
    ws = audio_workspace(tmp_path, fake_openai, {"a.ogg": tone, "b.m4a": tone}, inputs=NOTE, config="")
    lines = status_lines(Workspace.open(ws, environ={}))
    assert lines[0].startswith("inbox: 3 inputs waiting in inbox/ (audio: 2, message: 1;")
    assert lines[1] == ("  audio: faster-whisper is not installed; pip install 'notesmith[audio]' for local "
                        "transcription, or set transcribe = \"api\" and an endpoint (transcribe_base_url or "
                        "OPENAI_BASE_URL)")
    (ws / "notesmith.toml").write_text(api_config(fake_openai), encoding="utf-8")
    lines = status_lines(Workspace.open(ws, environ={}))
    assert lines[1] == f"  audio: transcribed through {fake_openai.url} with whisper-1"


def test_transcribe_setting_is_checked(tmp_path):
    (tmp_path / "notesmith.toml").write_text('transcribe = "cloud"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, environ={})
    assert "'transcribe' must be \"local\" or \"api\" or \"off\"" in str(caught.value)
    (tmp_path / "notesmith.toml").write_text('transcribe_model = "~/models/whisper-base"\n', encoding="utf-8")
    config = load_config(tmp_path, {"transcribe": "api", "transcribe_language": "ru"}, environ={})
    assert (config.transcribe, config.transcribe_language, config.transcribe_model) == ("api", "ru",
                                                                                          "~/models/whisper-base")


CHECK_PROBE = """
import sys, runpy
sys.argv = ['notesmith', *sys.argv[1:]]
try:
    runpy.run_module('notesmith', run_name='__main__')
except SystemExit:
    pass
heavy = ('faster_whisper', 'av', 'numpy', 'ctranslate2', 'openai')
print(sorted(m for m in sys.modules if m.startswith('notesmith.audio') or m.split('.')[0] in heavy))
"""


@pytest.mark.parametrize("args", [["check"], ["check", "--orphans"], ["check", "--staged"]])
def test_check_never_imports_the_audio_code(tmp_path, fake_openai, env, args):
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone})
    proc = subprocess.run([sys.executable, "-c", CHECK_PROBE, *args], cwd=ws, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"


class ScriptedTranscriber:
    """A Transcriber of our own, as a library caller would pass one."""

    name = "scripted"

    def __init__(self):
        self.calls: list[tuple[str, str | None]] = []

    def transcribe(self, path, *, language=None, progress=None):
        self.calls.append((Path(path).name, language))
        if Path(path).name == "bad.wav":
            raise notesmith.InputError("scripted: cannot decode")
        progress(150.0, 300.0)
        return Transcript((Cue(0.0, 2.0, "A note from a scripted transcriber."),), "en", 300.0)


def test_a_transcriber_of_your_own_replaces_the_configured_one(tmp_path, fake_openai):
    ws = audio_workspace(tmp_path, fake_openai, {"bad.wav": tone, "good.wav": lambda p: write_wav(p, 2.0)},
                         config='transcribe = "off"\ntranscribe_language = "en"\n')
    said: list[str] = []
    transcriber = ScriptedTranscriber()
    report = notesmith.process(ws, today=TODAY, transcriber=transcriber, progress=said.append)
    assert transcriber.calls == [("bad.wav", "en"), ("good.wav", "en")]
    assert reasons(report.failed) == {"inbox/bad.wav": "scripted: cannot decode"}
    assert len(report.created) == 1 and fake_openai.uploads == []
    assert "transcribing good.wav with scripted" in said and "transcribing good.wav: 2:30 of 5:00" in said
    assert notesmith.read_input(ws / "inbox/used/good_transcript.txt").metadata["transcribed_by"] == "scripted"


def test_a_transcript_that_cannot_be_written_leaves_the_audio_waiting(tmp_path, fake_openai):
    fake_openai.queue_transcription(SAID)
    ws = audio_workspace(tmp_path, fake_openai, {VOICE: tone, VOICE_T: lambda p: p.mkdir()}, inputs=NOTE)
    report = notesmith.process(ws, today=TODAY)
    assert "cannot write its transcript beside it" in reasons(report.waiting)[f"inbox/{VOICE}"]
    assert (ws / "inbox" / VOICE).exists() and len(report.created) == 1
    assert not [p for p in (ws / "inbox").iterdir() if p.name.startswith(".")]  # no temporary file left
