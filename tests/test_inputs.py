from __future__ import annotations

import hashlib
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from notesmith.errors import InputError, NotesmithError
from notesmith.inputs.reading import (
    Cue,
    cues_to_text,
    list_inputs,
    looks_hard_wrapped,
    paragraphs,
    parse_srt,
    parse_vtt,
    parse_whisper,
    read_input,
    split_frontmatter,
    unwrap,
)

GOLDEN = Path(__file__).parent / "fixtures" / "inputs" / "golden"
UTC = timezone.utc

# name -> (kind, author, time)
GOLDEN_CASES = {
    "20260301_101500_test_user_msg10_transcript.txt": (
        "transcript", "test_user", datetime(2026, 3, 1, 9, 15, tzinfo=UTC)),
    "20260301_101600_test_user_msg11.md": (
        "message", "test_user", datetime(2026, 3, 1, 9, 16, tzinfo=UTC)),
    "20260301_101700_test_user_msg12_photo.md": (
        "photo", "test_user", datetime(2026, 3, 1, 9, 17, tzinfo=UTC)),
    "lecture.srt": ("subtitles", None, None),
    "zoom.vtt": ("subtitles", None, None),
    "youtube-auto.vtt": ("subtitles", None, None),
    "call.json": ("whisper", None, None),
    "plain-note.txt": ("message", None, None),
    "pasted.txt": ("message", None, None),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name: str) -> None:
    kind, author, time = GOLDEN_CASES[name]
    path = GOLDEN / name
    got = read_input(path)
    expected = (GOLDEN / "expected" / f"{name}.txt").read_text(encoding="utf-8")
    assert got.text + "\n" == expected
    assert (got.id, got.kind, got.author, got.path) == (name, kind, author, path)
    assert got.time.tzinfo is not None
    if time is not None:
        assert got.time == time


def test_golden_fixtures_all_listed() -> None:
    found, reported = list_inputs(GOLDEN)
    assert [p.name for p in found] == sorted(GOLDEN_CASES)
    assert reported == []


def test_transcript_metadata_keeps_dates_as_strings() -> None:
    got = read_input(GOLDEN / "20260301_101500_test_user_msg10_transcript.txt")
    assert got.metadata == {
        "source": "telegram_voice",
        "date": "2026-03-01T10:15:00+01:00",
        "user_id": 1000001,
        "username": "test_user",
        "audio_file": "20260301_101500_test_user_msg10.ogg",
        "message_id": "10",
    }
    assert got.time.utcoffset() == timedelta(hours=1)


def test_photo_and_whisper_metadata() -> None:
    photo = read_input(GOLDEN / "20260301_101700_test_user_msg12_photo.md")
    assert photo.metadata["image_file"] == "20260301_101700_test_user_msg12.jpg"
    whisper = read_input(GOLDEN / "call.json")
    assert whisper.metadata == {"language": "en", "duration": 9.5}


def test_sha256_of_raw_bytes_detects_duplicates(tmp_path: Path) -> None:
    a = tmp_path / "a.md"
    b = tmp_path / "b.md"
    a.write_bytes(b"same text\n")
    b.write_bytes(b"same text\n")
    (tmp_path / "c.md").write_bytes(b"same text\r\n")
    ha, hb, hc = (read_input(tmp_path / n).sha256 for n in ("a.md", "b.md", "c.md"))
    assert ha == hb == hashlib.sha256(b"same text\n").hexdigest()
    assert ha != hc


# --- encodings and line endings ---------------------------------------------------------------


def test_bom_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = tmp_path / "20260101_120000_ann_msg1_transcript.txt"
    raw = "---\r\nusername: ann\r\ndate: 2026-01-01T12:00:00+00:00\r\n---\r\nline one\r\nline two\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + raw.encode())
    got = read_input(path)
    assert got.metadata["username"] == "ann"
    assert got.text == "line one line two"
    assert got.kind == "transcript"


def test_old_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_bytes(b"a\rb\r")
    assert read_input(path).text == "a\nb"


# --- bad inputs --------------------------------------------------------------------------------

BAD = {
    "empty.md": (b"", "empty", None),
    "blank.txt": (b" \n\n\t\n", "empty", None),
    "binary.md": (b"PK\x03\x04\x00\x00junk", "binary", None),
    "utf16.txt": ("hello".encode("utf-16"), "UTF-16", None),
    "latin1.md": (b"first line\ncaf\xe9 au lait\n", "not UTF-8", 2),
    "unclosed.md": (b"---\nsource: telegram\nhello\n", "never closed", 1),
    "yaml.md": (b"---\nsource: telegram\ndate: [unclosed\n---\nbody\n", "YAML syntax error", 3),  # where [ opened
    "list.md": (b"---\n- a\n- b\n---\nbody\n", "not 'key: value'", 2),
    "scalar.txt": (b"---\njust words\n---\nbody\n", "not 'key: value'", 2),
    "python-tag.md": (b"---\nx: !!python/object:os.system ls\n---\nbody\n", "YAML syntax error", 2),
    "not-whisper.json": (b'{"text": "hello"}', "segments", None),
    "list.json": (b"[1, 2]", "segments", None),
    "broken.json": (b'{"segments": [\n', "invalid JSON", 2),
    "no-text.json": (b'{"segments": [{"start": 0, "end": 1, "text": "  "}]}', "no segments", None),
    "nocues.srt": (b"1\nhello there\n", "no subtitle cues", None),
    "nocues.vtt": (b"WEBVTT\n\nNOTE nothing here\n", "no subtitle cues", None),
    "song.xyz": (b"words", "unsupported file type", None),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_inputs_raise_one_line_input_error(tmp_path: Path, name: str) -> None:
    data, fragment, line = BAD[name]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_input(path)
    err = info.value
    assert fragment in err.message
    assert err.path == path
    assert err.line == line
    assert "\n" not in str(err)
    assert str(err).startswith(str(path))
    assert ";" in err.message  # reason; next step


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_input(tmp_path / "gone.md")
    (tmp_path / "folder.md").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        read_input(tmp_path / "folder.md")


def test_too_large(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 3 * 2**20)
    with pytest.raises(InputError, match="over the 2 MB limit"):
        read_input(path, max_bytes=2 * 2**20)


def test_input_error_is_a_notesmith_error() -> None:
    assert issubclass(InputError, NotesmithError)


# --- time and author fallbacks -----------------------------------------------------------------


def _write(path: Path, text: str, mtime: float = 1_700_000_000) -> Path:
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def test_time_from_frontmatter_first(tmp_path: Path) -> None:
    path = _write(tmp_path / "20260101_120000_ann_msg1.md",
                  "---\ndate: 2026-02-02T08:00:00-05:00\n---\nhi\n")
    got = read_input(path)
    assert got.time == datetime(2026, 2, 2, 13, 0, tzinfo=UTC)


def test_time_from_name_when_frontmatter_has_no_date(tmp_path: Path) -> None:
    path = _write(tmp_path / "20260101_120000_ann_msg1.md", "---\nusername: bo\n---\nhi\n")
    got = read_input(path)
    assert got.time == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert got.author == "bo"  # frontmatter beats the name


def test_time_from_name_when_date_unparseable(tmp_path: Path) -> None:
    path = _write(tmp_path / "20260101_120000_ann_msg1.md", "---\ndate: next tuesday\n---\nhi\n")
    assert read_input(path).time == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_naive_frontmatter_date_is_utc(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.md", "---\ndate: 2026-05-05 10:30:00\n---\nhi\n")
    assert read_input(path).time == datetime(2026, 5, 5, 10, 30, tzinfo=UTC)


def test_time_from_mtime_last(tmp_path: Path) -> None:
    path = _write(tmp_path / "note.txt", "hi\n", mtime=1_700_000_000)
    got = read_input(path)
    assert got.time == datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert got.author is None and got.kind == "message"


def test_author_from_name_with_underscores(tmp_path: Path) -> None:
    path = _write(tmp_path / "20260424_124837_Some_User_Name_msg3609_photo.md", "A photo.\n")
    got = read_input(path)
    assert (got.author, got.kind, got.metadata) == ("Some_User_Name", "photo", {"message_id": "3609"})


def test_author_key_in_frontmatter(tmp_path: Path) -> None:
    path = _write(tmp_path / "20260101_120000_ann_msg1.md", "---\nauthor: Grace Hopper\n---\nhi\n")
    assert read_input(path).author == "Grace Hopper"


def test_image_file_makes_a_photo(tmp_path: Path) -> None:
    path = _write(tmp_path / "snap.md", "---\nimage_file: snap.jpg\n---\nA cat.\n")
    assert read_input(path).kind == "photo"


def test_voice_source_makes_a_transcript(tmp_path: Path) -> None:
    path = _write(tmp_path / "voice.txt", "---\nsource: telegram_voice\n---\nwrapped\ntext\n")
    got = read_input(path)
    assert (got.kind, got.text) == ("transcript", "wrapped text")


def test_frontmatter_only_gives_empty_text(tmp_path: Path) -> None:
    path = _write(tmp_path / "x_photo.md", "---\nimage_file: a.jpg\n---\n")
    got = read_input(path)
    assert (got.kind, got.text) == ("photo", "")


def test_markdown_message_is_not_unwrapped(tmp_path: Path) -> None:
    body = "First line of a poem\nsecond line of it\nthird line closes it here\n"
    path = _write(tmp_path / "poem.md", body)
    assert read_input(path).text == body.rstrip("\n")


# --- pure helpers ------------------------------------------------------------------------------


def test_split_frontmatter_reports_body_line() -> None:
    front, body, line = split_frontmatter("---\na: 1\nwhen: 2026-01-01\n---\n\nbody\n")
    assert front == {"a": 1, "when": "2026-01-01"}
    assert body == "\nbody\n"
    assert line == 5


def test_split_frontmatter_without_block() -> None:
    assert split_frontmatter("no block\n---\n") == (None, "no block\n---\n", 1)


def test_split_frontmatter_empty_block_and_dots() -> None:
    assert split_frontmatter("---\n---\nx") == ({}, "x", 3)
    assert split_frontmatter("---\nk: v\n...\nx") == ({"k": "v"}, "x", 4)


def test_nested_dates_stay_strings() -> None:
    front, _, _ = split_frontmatter("---\nlog:\n  - at: 2026-01-01T10:00:00Z\n---\n")
    assert front == {"log": [{"at": "2026-01-01T10:00:00Z"}]}


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("one\ntwo\n\nthree", "one two\n\nthree"),
        ("a\n\n\n\nb\n\n", "a\n\nb"),
        ("state-\nof-the-art", "state-of-the-art"),
        ("a dash -\nthen more", "a dash - then more"),
        ("ends with 2026-\n05 date", "ends with 2026-05 date"),
        ("# Heading\nbody\nmore", "# Heading\nbody more"),
        ("intro\n- item one\n  wraps here\n- item two\n1. first\n2) second",
         "intro\n- item one wraps here\n- item two\n1. first\n2) second"),
        ("costs 10 euros or\n5. anyway it was\ncheap", "costs 10 euros or 5. anyway it was cheap"),
        ("steps:\n1. one\n2. two\n- bullet", "steps:\n1. one\n2. two\n- bullet"),
        ("> quoted\n> again\nplain", "> quoted\n> again\nplain"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "| a | b |\n|---|---|\n| 1 | 2 |"),
        ("text\n```\ncode line\n\n  indented\n```\nafter\nwrap", "text\n```\ncode line\n\n  indented\n```\nafter wrap"),
        ("trailing   \nspaces\t\n", "trailing spaces"),
        ("", ""),
    ],
)
def test_unwrap(raw: str, expected: str) -> None:
    assert unwrap(raw) == expected


def test_unwrap_is_idempotent() -> None:
    raw = (GOLDEN / "plain-note.txt").read_text(encoding="utf-8")
    once = unwrap(raw)
    assert unwrap(once) == once


def test_looks_hard_wrapped() -> None:
    wrapped = ("word " * 200).strip()
    lines = [wrapped[i:i + 60].strip() for i in range(0, len(wrapped), 60)]
    assert looks_hard_wrapped("\n".join(lines))
    assert not looks_hard_wrapped("Rules:\nOne.\nTwo is longer than one.\nThree.")
    assert not looks_hard_wrapped("single line")


def test_paragraphs() -> None:
    assert paragraphs("a b\n\n  \n- x\n- y\n\n\nc\n") == ["a b", "- x\n- y", "c"]
    assert paragraphs("") == []


def test_parse_srt_cues() -> None:
    cues = parse_srt("1\n00:00:01,000 --> 00:00:02,500\nHi <b>there</b>\nfriend\n\n"
                     "2\n00:01:00,000 --> 00:01:01,000\nBye\n")
    assert cues == [Cue(1.0, 2.5, "Hi there\nfriend"), Cue(60.0, 61.0, "Bye")]


def test_parse_srt_without_blank_lines_between_cues() -> None:
    cues = parse_srt("1\n00:00:01,000 --> 00:00:02,000\nA\n2\n00:00:02,000 --> 00:00:03,000\nB\n")
    # "2" sits inside cue A (no blank line): kept as text, since only timings end a cue.
    assert [c.text for c in cues] == ["A\n2", "B"]


def test_parse_vtt_voices_and_short_timings() -> None:
    cues = parse_vtt("WEBVTT\n\n01:02.000 --> 01:04.000\n<v.loud Ann Lee>Hello</v>\n")
    assert cues == [Cue(62.0, 64.0, "Hello", "Ann Lee")]


def test_parse_whisper_requires_segments() -> None:
    with pytest.raises(InputError, match="segments"):
        parse_whisper({"text": "x"})
    assert parse_whisper({"segments": [{"start": 1, "end": 2, "text": " a "}, "junk"]}) == [
        Cue(1.0, 2.0, "a")]


def test_cues_to_text_splits_long_runs_at_sentences() -> None:
    cues = [Cue(float(i), float(i + 1), f"Sentence number {i} ends here.") for i in range(60)]
    text = cues_to_text(cues, soft_limit=100, hard_limit=200)
    paras = paragraphs(text)
    assert len(paras) > 5
    assert all(p.startswith("[00:00:") and p.endswith(".") for p in paras)
    assert "Sentence number 59" in paras[-1]


# --- listing the inbox -------------------------------------------------------------------------


def test_list_inputs_ignores_and_reports(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    inbox = ws / "inbox"
    (inbox / "used").mkdir(parents=True)
    for name in ["b.md", "a_transcript.txt", "c.srt", ".hidden.md", ".DS_Store", "x.part",
                 "y.tmp", "z.crdownload", "w.partial", "notes.md~", "Thumbs.db",
                 "used/old.md", "pic.jpg", "voice.ogg"]:
        (inbox / name).write_text("x", encoding="utf-8")
    outside = tmp_path / "outside.md"
    outside.write_text("secret", encoding="utf-8")
    (ws / "shared.md").write_text("ok", encoding="utf-8")
    (inbox / "escape.md").symlink_to(outside)
    (inbox / "inside.md").symlink_to(ws / "shared.md")
    (inbox / "dangling.md").symlink_to(tmp_path / "nowhere.md")
    (inbox / "folder-link").symlink_to(inbox / "used")
    fifo = inbox / "pipe.md"
    os.mkfifo(fifo)

    found, reported = list_inputs(inbox, ws)
    # audio is an input since notesmith transcribes it (notesmith.audio)
    assert [p.name for p in found] == ["a_transcript.txt", "b.md", "c.srt", "inside.md", "voice.ogg"]
    reasons = {p.name: r for p, r in reported}
    assert sorted(reasons) == ["dangling.md", "escape.md", "pic.jpg", "pipe.md"]
    assert "outside the workspace" in reasons["escape.md"]
    assert "broken symlink" in reasons["dangling.md"]
    assert "not a regular file" in reasons["pipe.md"]
    assert all(p.parent == inbox for p in found)


def test_list_inputs_without_workspace_and_missing_inbox(tmp_path: Path) -> None:
    assert list_inputs(tmp_path / "nope") == ([], [])
    (tmp_path / "inbox").mkdir()
    (tmp_path / "elsewhere.md").write_text("x", encoding="utf-8")
    (tmp_path / "inbox" / "link.md").symlink_to(tmp_path / "elsewhere.md")
    found, reported = list_inputs(tmp_path / "inbox")
    assert [p.name for p in found] == ["link.md"] and reported == []


def test_read_input_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.md"
    os.mkfifo(path)
    with pytest.raises(InputError, match="not a regular file"):
        read_input(path)


# --- huge inputs -------------------------------------------------------------------------------


def test_twenty_megabyte_transcript(tmp_path: Path) -> None:
    path = tmp_path / "20260101_120000_big_user_msg9_transcript.txt"
    line = ("Это длинная строка расшифровки, которая переносится на следующую строку примерно "
            "так")  # ~85 characters, Cyrillic: two bytes each in UTF-8
    para = "\n".join([line] * 9) + "\n\n"
    header = "---\nsource: telegram_voice\nusername: big_user\n---\n"
    count = 20 * 2**20 // len(para.encode()) + 1
    with path.open("w", encoding="utf-8") as f:
        f.write(header)
        for _ in range(count):
            f.write(para)
    assert path.stat().st_size > 20 * 2**20
    got = read_input(path)
    assert got.kind == "transcript" and got.author == "big_user"
    assert got.text.count("\n\n") == count - 1
    assert "\n" not in got.text[: len(line) * 9]
    first = paragraphs(got.text[: 3 * len(line) * 10])[0]
    assert first == " ".join([line] * 9)
