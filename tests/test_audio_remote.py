"""RemoteTranscriber through the real openai SDK against a real HTTP server receiving multipart uploads."""

from __future__ import annotations

import logging
import socket

import pytest

from notesmith.audio.backends import TranscriptionFailed
from notesmith.audio.remote import RemoteTranscriber
from notesmith.errors import InputError
from tests.audio_files import write_wav
from tests.fake_openai import DROP, Error, Hang, Transcription

KEY = "sk-test-audio-key-0123456789"
SAID = Transcription("The bees came out early. Check the queen next week.", duration=4.0,
                     segments=[(0.0, 1.8, " The bees came out early."), (1.8, 4.0, " Check the queen next week.")])


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make(fake, sleeps, **options) -> RemoteTranscriber:
    options.setdefault("retries", 3)
    return RemoteTranscriber("whisper-1", base_url=fake.url, api_key=KEY, sleep=sleeps.append, **options)


def test_upload_is_a_real_multipart_request_and_segments_come_back(fake_openai, sleeps, tmp_path):
    audio = write_wav(tmp_path / "voice.wav", 1.0)
    fake_openai.queue_transcription(SAID)
    result = make(fake_openai, sleeps).transcribe(audio, language="en")
    upload = fake_openai.uploads[0]
    assert upload.data == audio.read_bytes()
    assert (upload.filename, upload.content_type) == ("voice.wav", "audio/wav")
    assert upload.fields == {"model": "whisper-1", "response_format": "verbose_json",
                             "timestamp_granularities": ["segment"], "language": "en"}
    assert upload.headers["authorization"] == f"Bearer {KEY}"
    assert [(c.start, c.end, c.text) for c in result.segments] == [
        (0.0, 1.8, "The bees came out early."), (1.8, 4.0, "Check the queen next week.")]
    assert (result.language, result.duration) == ("en", 4.0)  # "english" in the answer
    assert sleeps == []


def test_opus_voice_note_is_sent_as_ogg(fake_openai, sleeps, tmp_path):
    audio = tmp_path / "note.opus"
    audio.write_bytes(b"OggS" + bytes(200))
    fake_openai.queue_transcription(SAID)
    make(fake_openai, sleeps).transcribe(audio)
    assert (fake_openai.uploads[0].filename, fake_openai.uploads[0].content_type) == ("note.ogg", "audio/ogg")
    assert "language" not in fake_openai.uploads[0].fields  # detected by the server


def test_server_without_verbose_json_gives_one_segment(fake_openai, sleeps, tmp_path):
    fake_openai.refuse_verbose_json = True
    fake_openai.queue_transcription("Just the text, no times.", "A second file.")
    transcriber = make(fake_openai, sleeps)
    result = transcriber.transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert [c.text for c in result.segments] == ["Just the text, no times."]
    assert [u.fields["response_format"] for u in fake_openai.uploads] == ["verbose_json", "json"]
    transcriber.transcribe(write_wav(tmp_path / "b.wav", 0.5))  # remembered: no second refusal
    assert [u.fields["response_format"] for u in fake_openai.uploads] == ["verbose_json", "json", "json"]


def test_verbose_json_without_segments_keeps_the_text(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(Transcription("Only text here.", segments=None, duration=2.5))
    result = make(fake_openai, sleeps).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert [(c.start, c.end, c.text) for c in result.segments] == [(0.0, 2.5, "Only text here.")]


def test_no_speech_gives_no_segments(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(Transcription("", segments=[]))
    assert make(fake_openai, sleeps).transcribe(write_wav(tmp_path / "a.wav", 0.5)).segments == ()


def test_429_honours_retry_after_then_succeeds(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(Error(429, "slow down", headers={"Retry-After": "7"}), SAID)
    result = make(fake_openai, sleeps).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert sleeps == [7.0]
    assert len(result.segments) == 2 and len(fake_openai.uploads) == 2
    assert fake_openai.uploads[1].data == fake_openai.uploads[0].data  # the file is sent whole again


def test_500_and_a_dropped_connection_are_retried_with_backoff(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(Error(500, "boom"), DROP, SAID)
    result = make(fake_openai, sleeps, backoff=2.0).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert len(result.segments) == 2
    assert len(sleeps) == 2 and 1.0 <= sleeps[0] <= 2.0 and 2.0 <= sleeps[1] <= 4.0


def test_timeout_is_retried(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(Hang(1.0, then=SAID), SAID)
    result = make(fake_openai, sleeps, timeout=0.2).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert len(result.segments) == 2 and len(sleeps) == 1


def test_retries_run_out_into_transcription_failed(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(*[Error(503, "busy")] * 4)
    with pytest.raises(TranscriptionFailed) as caught:
        make(fake_openai, sleeps, retries=3).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert "kept failing: HTTP 503" in caught.value.message and "stays in the inbox" in caught.value.message
    assert len(fake_openai.uploads) == 4 and len(sleeps) == 3


def test_no_server_on_this_machine_fails_at_once_naming_the_setting(sleeps, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once the socket is closed
    transcriber = RemoteTranscriber("whisper-1", base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY,
                                    retries=3, sleep=sleeps.append)
    with pytest.raises(TranscriptionFailed) as caught:
        transcriber.transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert "connection refused" in caught.value.message and "transcribe_base_url" in caught.value.message
    assert sleeps == []


def test_an_unreadable_audio_file_is_an_input_error_naming_the_cause(fake_openai, sleeps, tmp_path):
    with pytest.raises(InputError) as caught:
        make(fake_openai, sleeps).transcribe(tmp_path / "gone.wav")
    assert "cannot read the audio file" in caught.value.message and fake_openai.uploads == []


def test_a_refused_file_is_an_input_error_after_one_try_without_segments(fake_openai, sleeps, tmp_path):
    fake_openai.queue_transcription(Error(400, "Invalid file format."), Error(400, "Invalid file format."))
    with pytest.raises(InputError) as caught:
        make(fake_openai, sleeps).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert "refused this file (HTTP 400: Invalid file format.)" in caught.value.message
    assert [u.fields["response_format"] for u in fake_openai.uploads] == ["verbose_json", "json"]
    assert sleeps == []


def test_wrong_key_is_not_retried_and_never_shown(fake_openai, sleeps, tmp_path, caplog):
    fake_openai.api_key = "sk-the-right-one-000000"
    fake_openai.queue_transcription(Error(401, f"Incorrect API key provided: {KEY}"))
    with caplog.at_level(logging.DEBUG), pytest.raises(TranscriptionFailed) as caught:
        make(fake_openai, sleeps).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert "HTTP 401" in caught.value.message and "OPENAI_API_KEY" in caught.value.message
    assert KEY not in str(caught.value) and KEY not in caplog.text
    assert len(fake_openai.uploads) == 1 and sleeps == []


def test_key_in_an_error_detail_is_redacted_in_the_log(fake_openai, sleeps, tmp_path, caplog):
    fake_openai.queue_transcription(Error(502, f"upstream rejected {KEY}"), SAID)
    with caplog.at_level(logging.WARNING):
        make(fake_openai, sleeps).transcribe(write_wav(tmp_path / "a.wav", 0.5))
    assert "HTTP 502" in caplog.text and KEY not in caplog.text
