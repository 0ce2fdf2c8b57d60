"""Plain text out of Markdown: the first sentence of an article, the names it mentions most."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from itertools import chain

from notesmith.text import frontmatter
from notesmith.text.markdown import LINK

_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "cf.", "approx."}
_SENTENCE_END = re.compile(r"[.!?\u3002\uff01\uff1f][\"'\u201d\u2019\u00bb)\]]*(?=\s|$)")
_SKIP_BLOCK = re.compile(
    r"^(?:#{1,6}(?:\s|$)|<|!\[|\||>|[-*+](?:\s|$)|\d{1,9}[.)](?:\s|$)|\[\^[^\]]+\]:|\[[^\]]+\]:\s"
    r"|(?:-\s*){3,}$|(?:\*\s*){3,}$|(?:_\s*){3,}$| {4}|\t|=+\s*$)"
)


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def _lines(text: str) -> Iterator[str]:
    """Lines without their endings, produced lazily: only the first paragraph is ever needed."""
    start = 0
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield text[start:end].rstrip("\r")
        start = end + 1


def _blocks(text: str) -> Iterator[list[str]]:
    """Blank-line-separated blocks of lines after any frontmatter, outside fenced code."""
    fence: str | None = None
    block: list[str] = []
    body = frontmatter.split(text.lstrip("\ufeff")).body
    for line in chain(_lines(body), [""]):
        opener = _FENCE.match(line)
        if fence is not None:
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = None
            continue
        if opener or not line.strip():
            if block:
                yield block
                block = []
            if opener:
                fence = opener.group(1)
            continue
        block.append(line)


def _first_paragraph(text: str) -> str:
    for block in _blocks(text):
        setext = len(block) > 1 and re.match(r"^ {0,3}(?:=+|-+)\s*$", block[1])
        if not _SKIP_BLOCK.match(block[0]) and not setext:
            return " ".join(line.strip() for line in block)
    return ""


def plain(text: str) -> str:
    """Markdown inline text as plain text on one line: no links, images, footnotes, code or emphasis marks."""
    # Escaped punctuation is parked in the private-use area so no markup rule below sees it.
    text = re.sub(r"\\([\\`*_{}\[\]()#+\-.!|~<>])", lambda m: chr(0xE000 + ord(m.group(1))), text)
    text = re.sub(r"\s*\[\^[^\]\s]+\]", "", text)
    text = LINK.sub(lambda m: "" if m["bang"] else m["text"], text)
    text = re.sub(r"\[((?:\\.|[^\]\\])*)\]\[[^\]]*\]", r"\1", text)
    text = re.sub(r"<((?:https?|mailto):[^>\s]+)>", r"\1", text)
    text = re.sub(r"</?[A-Za-z][^>]*>", "", text)
    text = re.sub(r"(`+)(.+?)\1", lambda m: m.group(2).strip(), text)
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)", r"\1", text)
    text = re.sub(r"~~(?=\S)(.+?)(?<=\S)~~", r"\1", text)
    text = re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - 0xE000), text)
    return " ".join(text.split())


def _cut_sentence(text: str) -> str:
    for match in _SENTENCE_END.finditer(text):
        start = text.rfind(" ", 0, match.start()) + 1
        word = text[start:match.start() + 1]
        if word.lower() in _ABBREVIATIONS or (len(word) == 2 and word[0].isupper() and word[1] == "."):
            continue
        return text[:match.end()]
    return text


def first_sentence(markdown_body: str, max_len: int = 160) -> str:
    """The first sentence of the first prose paragraph, as plain text on one line."""
    sentence = _cut_sentence(plain(_first_paragraph(markdown_body)))
    if len(sentence) <= max_len:
        return sentence
    cut = sentence[: max_len - 1]
    space = cut.rfind(" ")
    if space > max_len // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"


_NOT_NAMES = re.compile(r"\[\^[^\]]+\]|\]\([^)]*\)|<[^>]+>|https?://\S+")  # footnotes, link targets, HTML, URLs


def salient_names(lines: Sequence[str], limit: int = 40) -> list[str]:
    """Product and project names of body lines, most frequent first: capitalised words not opening a
    sentence, CamelCase, words with digits, code spans. Headings (shown on their own) and footnote
    definitions are left out."""
    text = _NOT_NAMES.sub(" ", "\n".join(line for line in lines if not line.startswith(("[^", "#"))))
    counts: Counter[str] = Counter()
    for m in re.finditer(r"(?<![.!?:\n]\s)(?<!^)\b([A-Z][\w.+-]*[A-Za-z0-9])", text, re.M):
        counts[m.group(1)] += 1
    for word in re.findall(r"`([^`\n]{2,40})`|\b(\w*[a-z][A-Z]\w*|\w*\d\w*[A-Za-z]\w*)\b", text):
        counts[word[0] or word[1]] += 1
    return [name for name, _ in counts.most_common(limit)]
