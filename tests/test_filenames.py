from __future__ import annotations

from datetime import datetime

import pytest

from notesmith.inputs.filenames import FileName, parse_filename


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "20260217_082807_mira_holt_msg1859_transcript.txt",
            FileName(datetime(2026, 2, 17, 8, 28, 7), "mira_holt", "1859", "_transcript", ".txt"),
        ),
        (
            "20260424_124837_Some_User_Name_msg3609_photo.md",
            FileName(datetime(2026, 4, 24, 12, 48, 37), "Some_User_Name", "3609", "_photo", ".md"),
        ),
        (
            "20260424_184400_mira_holt_msg3648.md",
            FileName(datetime(2026, 4, 24, 18, 44), "mira_holt", "3648", "", ".md"),
        ),
        # An author whose own name holds "_msg<digits>": the last message id wins.
        (
            "20260101_000000_fan_msg2_club_msg31_transcript.txt",
            FileName(datetime(2026, 1, 1), "fan_msg2_club", "31", "_transcript", ".txt"),
        ),
        # No message id: the time is still read, author and id are not guessed.
        (
            "20261120_180000_garden-meeting.vtt",
            FileName(datetime(2026, 11, 20, 18, 0), None, None, "", ".vtt"),
        ),
        ("notes.txt", FileName(None, None, None, "", ".txt")),
        ("README", FileName(None, None, None, "", "")),
        (".hidden", FileName(None, None, None, "", "")),
        ("", FileName(None, None, None, "", "")),
        # Impossible date: no time, but the rest of the name still parses.
        ("20261399_250000_bob_msg7.md", FileName(None, "bob", "7", "", ".md")),
        # Date not followed by "_": not a stamp.
        ("20260101_1200001_x_msg1.md", FileName(None, None, None, "", ".md")),
        ("20260101_000000__msg3.txt", FileName(datetime(2026, 1, 1), None, None, "", ".txt")),
        ("dir/sub/20260101_000000_a_msg1.MD", FileName(datetime(2026, 1, 1), "a", "1", "", ".MD")),
        ("20260101_000000_Анна_Ким_msg5_transcript.txt",
         FileName(datetime(2026, 1, 1), "Анна_Ким", "5", "_transcript", ".txt")),
    ],
)
def test_parse_filename(name: str, expected: FileName) -> None:
    assert parse_filename(name) == expected


@pytest.mark.parametrize("name", ["_msg", "___", "2026_msg1.txt", "\x00\n.md", "a" * 5000])
def test_odd_names_never_raise(name: str) -> None:
    parsed = parse_filename(name)
    assert parsed.time is None and parsed.message_id is None
