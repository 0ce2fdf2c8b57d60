"""Parse input file names such as ``20260217_082807_mira_holt_msg1859_transcript.txt``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

# Anchored on the leading date and on the last `_msg<digits>`; the author in between may hold
# underscores, so the name is never split on `_`.
_STAMP = re.compile(r"(?P<date>\d{8})_(?P<time>\d{6})(?=_|$)")
_MESSAGE = re.compile(r"_(?P<author>.+)_msg(?P<id>\d+)(?P<suffix>_[A-Za-z][A-Za-z0-9-]*)?")


@dataclass(frozen=True)
class FileName:
    """The parts of an input's file name; parts that are not there are None."""

    time: datetime | None  # naive, as written in the name; treat as UTC
    author: str | None
    message_id: str | None
    suffix: str  # "_transcript", "_photo" or "" (text after the message id)
    ext: str  # ".txt", ".md", ... as written, with the dot; "" when there is none


def parse_filename(name: str) -> FileName:
    """Split a file name into time, author, message id, suffix and extension; never raises."""
    name = PurePath(name).name
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    else:
        ext = "." + ext
    stamp = _STAMP.match(stem)
    if stamp is None:
        return FileName(None, None, None, "", ext)
    time = _parse_stamp(stamp["date"], stamp["time"])
    message = _MESSAGE.fullmatch(stem, stamp.end())
    if message is None:
        return FileName(time, None, None, "", ext)
    return FileName(time, message["author"], message["id"], message["suffix"] or "", ext)


def _parse_stamp(date: str, time: str) -> datetime | None:
    try:
        return datetime.strptime(date + time, "%Y%m%d%H%M%S")
    except ValueError:
        return None
