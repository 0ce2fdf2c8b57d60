"""Hard-wrapped transcripts back into paragraphs, for reading; the file itself is never rewritten."""

from __future__ import annotations

import re
from typing import Iterator

_LIST = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,3}[.)])\s")
_STARTS_LIST = re.compile(r"^\s{0,3}(?:[-*+]|1[.)])\s")
_LINE_STRUCTURE = re.compile(r"^\s{0,3}(?:#{1,6}(?:\s|$)|>|\||(?:-{3,}|\*{3,}|_{3,})\s*$)")
_CODE_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_BROKEN_WORD = re.compile(r"\w-$")


def _lines(text: str) -> Iterator[str]:
    start = 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start:end]
        start = end + 1


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into paragraphs; keep blank lines and Markdown structure lines."""
    out: list[str] = []
    parts: list[str] = []
    fence: str | None = None

    def flush() -> None:
        if parts:
            out.append("".join(parts))
            parts.clear()

    for raw in _lines(text):
        line = raw.rstrip()
        if fence is not None:
            out.append(line)
            if line.lstrip().startswith(fence):
                fence = None
            continue
        if not line.strip():
            flush()
            if out and out[-1] != "":
                out.append("")
            continue
        code = _CODE_FENCE.match(line)
        if code or _LINE_STRUCTURE.match(line):
            flush()
            out.append(line)
            fence = code.group(1) if code else None
        elif _LIST.match(line) and (not parts or _LIST.match(parts[0]) or _STARTS_LIST.match(line)):
            # As in CommonMark, only a bullet or "1." interrupts a running paragraph, so a wrap
            # that puts "5. " at the start of a line does not make a list.
            flush()
            parts.append(line)
        elif parts:
            # Keep the hyphen of a word broken at it ("state-" + "of-the-art"); otherwise a space.
            parts.append(line.strip() if _BROKEN_WORD.search(parts[-1]) and line.lstrip()[:1].isalnum()
                         else " " + line.strip())
        else:
            parts.append(line.strip())
    flush()
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def looks_hard_wrapped(text: str) -> bool:
    """True when most lines inside paragraphs end near one common width (typed, then wrapped)."""
    inner: list[int] = []
    width = 0
    previous = ""
    for line in _lines(text):
        length = len(line.rstrip())
        width = max(width, length)
        if previous.strip() and line.strip() and not _LIST.match(line):
            inner.append(len(previous.rstrip()))
        previous = line
    if len(inner) < 2 or not 40 <= width <= 200:
        return False
    near = sum(1 for length in inner if length >= 0.7 * width)
    return near >= 0.8 * len(inner)


_BLANK_LINES = re.compile(r"(?:^|\n)(?:[ \t]*\n)+|\n[ \t]*$")


def paragraphs(text: str) -> list[str]:
    """Split (unwrapped) text into its paragraphs, separated by blank lines."""
    return [p.strip("\n") for p in _BLANK_LINES.split(text) if p.strip()]
