"""Placement instructions in a note: "add this to the post ideas", "запиши это в идеи для курса".

An author often says where a note belongs. These instructions are recognised lexically, in English
and Russian, only when one is a whole line of the note, or its first or last sentence; anywhere
else the same words may be content. Three kinds:

  add  "add this to X", "let's put it in X", "this goes in X", "запиши это в X", "это в статью про X"
  new  "new article: X", "start a new article about X", "новая статья: X", "создай статью про X"
  fix  "not for X but for Y", "сори, не для X, а для Y": corrects the instruction before it

`find` returns the instruction and the note without it; `match` finds the article an instruction
names among titles and file names. Nothing here depends on how the note is drafted, so model runs
can use it as well as the offline drafter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from notesmith.pipeline.shortlist import tokenize

__all__ = ["Found", "Placement", "corrected", "find", "match"]

MAX_TARGET_WORDS = 8

_END = r"[\s.!…]*$"
_CONTENT = r"(?:\s*:\s+(?P<content>\S.*))?"  # "add to X: the note itself" 
_EN_LEAD = r"^(?:(?:ok(?:ay)?|so|and|also|please|pls|oh)[,\s]+)*"
_EN_ASK = r"(?:let'?s\s+|let\s+us\s+|(?:can|could|would)\s+you\s+|you\s+can\s+|i\s+want\s+(?:you\s+)?to\s+|we\s+should\s+|please\s+)*"
_EN_OBJECT = (r"(?:this|it|that|these|them|this\s+one|this\s+note|this\s+message|this\s+idea|the\s+above|"
              r"all\s+(?:of\s+)?this|everything\s+above)")
_EN_TAIL = r"(?:\s+(?:too|as\s+well|please|also))?"
_RU_LEAD = r"^(?:(?:ну|так|и|а|вот|окей|ок|слушай|кстати)[,\s]+)*"
_RU_ASK = r"(?:давай(?:те)?\s+|можешь\s+|можно\s+|надо\s+|нужно\s+|пожалуйста[,\s]+|плиз[,\s]+)*"
_RU_OBJECT = (r"(?:(?:это|эту\s+заметку|эту\s+мысль|эту\s+идею|его|её|ее|их|это\s+всё|это\s+все|всё\s+это|"
              r"все\s+это|тоже|сюда|плиз|пожалуйста|тоже)\s+)*")
_RU_VERB = (r"(?:запиши|запишем|записать|запишите|добавь|добавим|добавить|добавьте|положи|положим|сохрани|"
            r"сохраним|закинь|закинем|перенеси|перенесём|перенесем|помести|внеси|занеси|кинь|отправь|отправим)")
_RU_TAIL = r"(?:\s+(?:тоже|плиз|пожалуйста))?"

_PATTERNS: list[tuple[str, re.Pattern]] = [(kind, re.compile(rx, re.IGNORECASE)) for kind, rx in [
    ("add", rf"{_EN_LEAD}{_EN_ASK}(?:add|append|file|save)\s+(?:{_EN_OBJECT}\s+)?(?:also\s+|too\s+)?"
            rf"(?:to|in|into|under|with)\s+(?P<target>[^:]+?){_EN_TAIL}{_CONTENT}{_END}"),
    ("add", rf"{_EN_LEAD}{_EN_ASK}(?:put|move|stick|drop|paste|log)\s+{_EN_OBJECT}\s+(?:also\s+|too\s+)?"
            rf"(?:to|in|into|under|onto|with)\s+(?P<target>[^:]+?){_EN_TAIL}{_CONTENT}{_END}"),
    ("add", rf"{_EN_LEAD}{_EN_OBJECT}\s+(?:one\s+)?(?:goes|belongs|should\s+go|can\s+go|is\s+for)\s+"
            rf"(?:in|into|to|under|with|for)\s+(?P<target>.+?){_END}"),
    ("add", rf"^(?:this\s+is\s+)?for\s+(?:the\s+)?(?P<target>.+?)\s+(?:article|page){_END}"),
    ("new", rf"^(?:(?:a|the)\s+)?new\s+(?:article|note|page)\s*(?:[:\-–—]|about\b|on\b|called\b|titled\b|named\b)"
            rf"\s*(?P<target>.+?){_END}"),
    ("new", rf"{_EN_LEAD}{_EN_ASK}(?:start|create|make|open)\s+(?:a\s+)?new\s+(?:article|page)\s+"
            rf"(?:about|on|called|titled|named|for)?\s*[:\-–—]?\s*(?P<target>.+?){_END}"),
    ("fix", rf"^(?:sorry|oops|correction|no)?[,\s]*not\s+(?:for|in|to|into)\s+(?P<old>.+?)[,\s]+but\s+"
            rf"(?:for|in|to|into)\s+(?P<target>.+?){_END}"),
    ("add", rf"{_RU_LEAD}{_RU_ASK}{_RU_OBJECT}{_RU_VERB}\s+{_RU_OBJECT}(?:в|во|к|на)\s+(?P<target>[^:]+?){_RU_TAIL}{_CONTENT}{_END}"),
    ("add", rf"{_RU_LEAD}(?:это|эту\s+заметку|это\s+всё|всё\s+это)\s+(?:тоже\s+)?(?:в|во|к)\s+"
            rf"(?P<target>(?:статью|статье|заметку|раздел|список|документ)\s.+?){_END}"),
    ("new", rf"^(?:новая\s+статья|новую\s+статью)\s*(?:[:\-–—]|про\b|о\b|об\b)\s*(?P<target>.+?){_END}"),
    ("new", rf"{_RU_LEAD}{_RU_ASK}(?:сделай|создай|сделаем|создадим|заведи|заведём|заведем|начни|начнём|начнем)\s+"
            rf"(?:новую\s+)?статью\s+(?:про|о|об|под\s+названием|с\s+названием)?\s*[:\-–—]?\s*(?P<target>.+?){_END}"),
    ("fix", rf"^(?:сори|сорри|sorry|извини(?:те)?|ой|упс|нет)?[,\s]*не\s+(?:для|в|во|про|к)\s+(?P<old>.+?)[,\s]+"
            rf"а\s+(?:для|в|во|про|к)\s+(?P<target>.+?){_END}"),
]]

_QUOTES = "\"'«»“”„`"
_LEADING = re.compile(r"^(?:(?:the|my|our|a|an|статью|статье|заметку|заметке)\s+"
                      r"(?:(?:про|о|об|под\s+названием|с\s+названием|about|on|called)\s+)?"
                      r"|(?:раздел|список|документ)\s+(?:про|о|об|под\s+названием|с\s+названием)\s+)",
                      re.IGNORECASE)
_TRAILING = re.compile(r"\s+(?:article|note|page|doc|document|section|статью|статье|заметку|раздел)$", re.IGNORECASE)
# Places inside an article, not articles: "put this at the end" is about where, not which.
_NOT_ARTICLES = {"it", "this", "that", "there", "here", "end", "the end", "top", "the top", "beginning",
                 "the beginning", "bottom", "the bottom", "article", "the article", "it too", "статью", "статье",
                 "конец", "начало", "туда", "сюда", "неё", "нее", "него", "них", "него же", "неё же"}


@dataclass(frozen=True)
class Placement:
    """An author's instruction about where a note goes."""

    kind: str  # "add" (to the article named target), "new" (a new article titled target), "fix"
    target: str  # the article as the author named it
    phrase: str  # the instruction as written
    old: str = ""  # "fix" only: the words it replaces in the instruction before it


@dataclass(frozen=True)
class Found:
    """An instruction and the note's text without it."""

    placement: Placement
    rest: str


def _clean_target(target: str) -> str:
    target = target.strip().strip(_QUOTES).strip(" ,;:")
    for _ in range(2):
        target = _LEADING.sub("", target).strip().strip(_QUOTES)
        target = _TRAILING.sub("", target).strip().strip(_QUOTES)
    return target


def _recognise(sentence: str) -> tuple[Placement, str] | None:
    """The instruction a sentence is, and any content after it ("add to X: content")."""
    bare = " ".join(sentence.split())
    for kind, pattern in _PATTERNS:
        m = pattern.match(bare)
        if not m:
            continue
        target = _clean_target(m.group("target"))
        words = re.findall(r"[^\W_]+", target)
        if not words or len(words) > MAX_TARGET_WORDS or target.lower() in _NOT_ARTICLES:
            continue
        old = _clean_target(m.group("old")) if kind == "fix" else ""
        content = m.groupdict().get("content") or ""
        phrase = bare[:m.start("content")].rstrip(" :") if content else bare.rstrip(" .!…")
        return Placement(kind, target, phrase, old), content
    return None


_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
# Only the start and the end of a long note are read: instructions open or close a note, and a
# 50 MB transcript must cost no more than a short one.
EDGE_CHARS = 2000
MAX_INSTRUCTION_CHARS = 200


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the filled lines at the start and the end of text (all of them in a short text)."""
    def spans(start: int, stop: int) -> list[tuple[int, int]]:
        out = []
        for m in re.finditer(r"[^\n]+", text[start:stop]):
            if m.group().strip():
                out.append((start + m.start(), start + m.end()))
        return out

    if len(text) <= 2 * EDGE_CHARS:
        return spans(0, len(text))
    head = text.rfind("\n", 0, EDGE_CHARS)
    tail = text.find("\n", len(text) - EDGE_CHARS)
    return spans(0, max(head, 0)) + spans(tail + 1 if tail >= 0 else len(text), len(text))


def _candidates(text: str) -> Iterable[tuple[int, int]]:
    """(start, end) spans that may hold an instruction: whole lines (last first), then the last and
    the first sentence of the note."""
    lines = _lines(text)
    for start, end in reversed(lines):
        yield start, end
    if not lines:
        return
    start, end = lines[-1]
    cuts = [m.end() for m in _SENTENCE.finditer(text, start, end)]
    if cuts:
        yield cuts[-1], end
    start, end = lines[0]
    cuts = [m.start() for m in _SENTENCE.finditer(text, start, end)]
    if cuts:
        yield start, cuts[0]


def _cut(text: str, start: int, end: int, content: str) -> str:
    """text with text[start:end] replaced by content; a line left empty goes, with one blank line kept."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    line = " ".join(part for part in (text[line_start:start].strip(), content, text[end:line_end].strip()) if part)
    if line:
        return (text[:line_start] + line + text[line_end:]).strip("\n")
    before, after = text[:line_start].rstrip("\n"), text[line_end:].lstrip("\n")
    gap = max(line_start - len(before), len(text) - line_end - len(after))
    joint = "\n\n" if gap >= 2 else "\n"
    return (before + joint + after if before and after else before + after).strip("\n")


def find(text: str) -> Found | None:
    """The placement instruction of a note (the last one when there are several), and the note without it."""
    for start, end in _candidates(text):
        if end - start > MAX_INSTRUCTION_CHARS:
            continue
        recognised = _recognise(text[start:end])
        if recognised is not None:
            placement, content = recognised
            return Found(placement, _cut(text, start, end, content))
    return None


def strip(text: str) -> str:
    """text without its placement instruction."""
    found = find(text)
    return found.rest if found else text


def corrected(previous: Placement, fix: Placement) -> Placement:
    """The instruction `previous` as `fix` corrects it: its words `fix.old` replaced by `fix.target`."""
    if fix.old:
        pattern = re.compile(re.escape(fix.old), re.IGNORECASE)
        if pattern.search(previous.target):
            return Placement(previous.kind, pattern.sub(fix.target, previous.target, count=1),
                             f"{previous.phrase}; {fix.phrase}")
    return Placement(previous.kind, fix.target, f"{previous.phrase}; {fix.phrase}")


def _terms(text: str) -> list[set[str]]:
    """Each word of text as the set of its index forms (stems, transliterations); numbers as they are."""
    out = []
    for word in re.findall(r"[^\W_]+", text.lower()):
        forms = {word} if word.isdigit() else set(tokenize(word))
        if forms:
            out.append(forms)
    return out


def match(target: str, articles: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The key of the one article whose names (title, file name) hold every word of target.

    articles are (key, names) pairs. A target of three words or more may miss one (not a number:
    "cohort 2" is not "cohort 3"). When several articles match, the one whose names have the fewest
    other words wins; a tie is no match (a guess would put the note in the wrong place).
    """
    wanted = _terms(target)
    if not wanted:
        return None
    allowed_misses = 1 if len(wanted) >= 3 else 0
    best: list[tuple[float, str]] = []
    for key, names in articles:
        for name in names:
            have = _terms(name)
            flat = set().union(*have) if have else set()
            missing = [forms for forms in wanted if not forms & flat]
            if len(missing) > allowed_misses or any(w.isdigit() for forms in missing for w in forms):
                continue
            used = sum(1 for forms in have if any(forms & w for w in wanted))
            best.append((used / len(have) - len(missing), key))
    if not best:
        return None
    best.sort(key=lambda pair: -pair[0])
    top = best[0][0]
    keys = {key for score, key in best if score == top}
    return keys.pop() if len(keys) == 1 else None
