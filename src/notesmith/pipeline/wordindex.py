"""An input file as stored, as a sequence of normalised words that know their place in the file.

Built once per source and reused for every passage located in it and for its coverage. Words are
compared by their normal form: case folded, accents and the diaeresis of ё dropped (so ё = е), й
kept. Filler words (uh, um, ну, вот, типа …) are left out and a word or a pair of words repeated at
once ("the the", "какие-то какие-то") counts once, so transcribers' and models' habits with them do
not matter. What a word position
maps back to is the stored file: characters, 1-based lines (frontmatter and hard wraps included)
and, for subtitles and Whisper JSON, the times of the cue it belongs to.

Only the text a reader sees is indexed: the body after frontmatter; the cue text of .srt/.vtt
(numbers, timings, NOTE blocks and tags left out, the repeated first line of rolling captions
dropped as the reader drops it); the segment texts of Whisper JSON.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache

from notesmith.text import frontmatter

__all__ = ["FILLERS", "SourceIndex", "Span", "normalize_word", "words_of"]

# Words that carry nothing a quote needs and that transcripts and models add or drop at will.
FILLERS = frozenset(
    "uh uhh uhm um umm hmm hm mm mmm mhm er erm ah eh like "
    "ну вот типа э ээ эээ эм эмм мм ммм хм кароче короче".split()
)

_WORD = re.compile(r"\w+")
_TIMING = re.compile(r"^\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}")
_MARKUP = re.compile(r"<[^>]*>|\{\\[^}]*\}|&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>")
_KEEP_MARK = {"\u0306"}  # the breve of й
_BACKOFF = 2.0  # weight of a word's own frequency against the pair counts in next_bits


@lru_cache(maxsize=1 << 16)  # quotes and verbatim paragraphs repeat the words of their source
def normalize_word(word: str) -> str:
    """The form words are compared in: case folded, accents dropped (ё → е), й kept."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c) or c in _KEEP_MARK)
    return unicodedata.normalize("NFC", kept)


def words_of(text: str) -> list[str]:
    """The normalised words of a quote as they are compared: fillers out, a word or a pair of
    words said twice at once counted once (as the index counts them)."""
    out: list[str] = []
    for match in _WORD.finditer(text):
        word = normalize_word(match.group())
        if word not in FILLERS and (not out or out[-1] != word):
            out.append(word)
            if len(out) >= 4 and out[-2:] == out[-4:-2]:
                del out[-2:]
    return out


_PARAGRAPH_ANCHOR = re.compile(r"^\[(\d{1,2}):(\d{2}):(\d{2})\][ \t]*", re.M)


@dataclass(frozen=True)
class Span:
    """Where a run of words is in the stored file.

    words: positions in the index, half open; chars: offsets in the stored text, half open;
    lines: first and last line, 1-based and inclusive; times: (start, end) in seconds of the cues
    it covers, for subtitles, Whisper JSON and transcripts whose paragraphs open with [HH:MM:SS].
    """

    words: tuple[int, int]
    chars: tuple[int, int]
    lines: tuple[int, int]
    times: tuple[float, float] | None = None


class SourceIndex:
    """The words of one stored input file, with where each one is; see the module docstring."""

    def __init__(self, text: str, name: str = ".txt"):
        """Index text, the stored file's content (decoded, \\n line ends); name or suffix gives its kind."""
        self.text = text
        self.timed = False
        self._vocab: dict[str, int] = {}
        self.vocabulary: list[str] = []  # token id -> normalised word
        self.tokens = array("i")  # position -> token id
        self.starts = array("i")  # position -> first character
        self.ends = array("i")  # position -> character after the last
        self.cue_of = array("i")  # position -> cue number (timed sources only)
        self.cue_times: list[tuple[float, float]] = []
        self._cache: dict[str, int] = {}
        self._line_starts = array("i", [0])
        self._line_starts.extend(m.end() for m in re.finditer("\n", text))
        suffix = name.lower().rsplit(".", 1)[-1] if "." in name else name.lower()
        if suffix in ("srt", "vtt"):
            self._index_subtitles(vtt=suffix == "vtt")
        elif suffix == "json" and not self._index_whisper():
            self._reset()
            self._index_range(0, len(text))
        elif suffix not in ("srt", "vtt", "json"):
            start = self._body_start()
            if not self._index_anchored(start):
                self._index_range(start, len(text))
        self._positions: dict[int, array] | None = None
        self._pairs: dict[tuple[int, int], float] = {}
        self._similar: dict[str, list[int]] = {}
        self._deletes: dict[str, list[int]] | None = None

    def __len__(self) -> int:
        return len(self.tokens)

    # -- building ----------------------------------------------------------------------------

    def _reset(self) -> None:
        for name in ("tokens", "starts", "ends", "cue_of"):
            setattr(self, name, array("i"))
        self.cue_times = []
        self.timed = False

    def _body_start(self) -> int:
        found = frontmatter.split(self.text)  # reads no further than the closing fence
        return len(self.text) - len(found.body) if found.end is not None else 0

    def _token(self, raw: str) -> int:
        """The id of a word as written (-1 for a filler), normalising each spelling once."""
        token = self._cache.get(raw)
        if token is None:
            word = normalize_word(raw)
            token = -1 if word in FILLERS else self._vocab.setdefault(word, len(self._vocab))
            if token == len(self.vocabulary):
                self.vocabulary.append(word)
            self._cache[raw] = token
        return token

    def _index_range(self, start: int, end: int, cue: int = -1, words: str | None = None) -> None:
        """Index the words of the stored text[start:end]; or those of words, all mapped to [start, end).

        A word said again at once, a few characters on ("the the"), is one word spanning both.
        """
        tokens, starts, ends, cue_of = self.tokens, self.starts, self.ends, self.cue_of
        cache, token_of = self._cache, self._token
        matches = _WORD.finditer(self.text, start, end) if words is None else _WORD.finditer(words)
        last = tokens[-1] if tokens else -1
        same_cue = cue < 0 or (len(cue_of) > 0 and cue_of[-1] == cue)
        for match in matches:
            raw = match.group()
            token = cache.get(raw)
            if token is None:
                token = token_of(raw)
            if token < 0:
                continue
            at, to = match.span() if words is None else (start, end)
            if token == last and same_cue and at - ends[-1] <= 3:
                if to > ends[-1]:
                    ends[-1] = to
                continue
            tokens.append(token)
            starts.append(at)
            ends.append(to)
            if cue >= 0:
                cue_of.append(cue)
            last, same_cue = token, True
            if (len(tokens) >= 4 and token == tokens[-3] and tokens[-2] == tokens[-4]
                    and starts[-2] - ends[-3] <= 3 and (cue < 0 or cue_of[-4] == cue)):
                ends[-3] = to  # "какие-то какие-то": a pair said twice is one pair, spanning both
                for column in (tokens, starts, ends, cue_of) if cue >= 0 else (tokens, starts, ends):
                    del column[-2:]
                last = tokens[-1]

    def _index_subtitles(self, vtt: bool) -> None:
        """Cue text lines of .srt/.vtt, as subtitles.parse_srt/parse_vtt and cues_to_text read them."""
        self.timed = True
        text = self.text
        in_cue = skipping = False
        cue = -1
        first_in_cue = False
        last_line = ""
        previous_last = ""
        for number, line_start in enumerate(self._line_starts):
            line_end = text.find("\n", line_start)
            line_end = len(text) if line_end < 0 else line_end
            line = text[line_start:line_end]
            stripped = line.strip()
            timing = _TIMING.match(line)
            if timing:
                stamps = re.findall(r"(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}", line)
                self.cue_times.append((_seconds(stamps[0]), _seconds(stamps[1])))
                cue += 1
                in_cue, skipping, first_in_cue = True, False, True
                previous_last = last_line
            elif not stripped:
                in_cue = skipping = False
            elif in_cue:
                cleaned = html.unescape(_MARKUP.sub("", line)).strip() if ("<" in line or "&" in line
                                                                           or "{" in line) else stripped
                if first_in_cue and cleaned == previous_last and cleaned:
                    last_line = cleaned  # a rolling caption's repeat: the reader drops it too
                    continue
                first_in_cue = False
                if cleaned:
                    last_line = cleaned
                self._index_cue_line(line, line_start, cue)
            elif skipping:
                continue
            elif vtt and (stripped.startswith(("NOTE", "STYLE", "REGION"))
                          or (number == 0 and stripped.startswith("WEBVTT"))):
                skipping = True

    def _index_cue_line(self, line: str, offset: int, cue: int) -> None:
        position = 0
        for markup in _MARKUP.finditer(line):
            self._index_range(offset + position, offset + markup.start(), cue)
            voice = _VOICE.match(markup.group())
            if voice:  # the reader shows the voice as "Name:"; a quote may start with it
                name_at = offset + markup.start() + voice.start(1)
                self._index_range(name_at, name_at + len(voice.group(1)), cue)
            position = markup.end()
        self._index_range(offset + position, offset + len(line), cue)

    def _index_anchored(self, start: int) -> bool:
        """A transcript whose paragraphs open with [HH:MM:SS] (what notesmith writes for audio): each
        paragraph is a cue, from its anchor to the next one (the last to the frontmatter's duration)."""
        anchors = list(_PARAGRAPH_ANCHOR.finditer(self.text, start))
        if not anchors or self.text[start:anchors[0].start()].strip():
            return False
        duration = frontmatter.mapping_of(self.text[:start]) if start else None
        last = (duration or {}).get("duration")
        self.timed = True
        for n, match in enumerate(anchors):
            begin = int(match[1]) * 3600 + int(match[2]) * 60 + int(match[3])
            if n + 1 < len(anchors):
                nxt = anchors[n + 1]
                end, stop = int(nxt[1]) * 3600 + int(nxt[2]) * 60 + int(nxt[3]), nxt.start()
            else:
                end = float(last) if isinstance(last, (int, float)) and last >= begin else begin
                stop = len(self.text)
            self.cue_times.append((float(begin), float(end)))
            self._index_range(match.end(), stop, len(self.cue_times) - 1)
        return True

    def _index_whisper(self) -> bool:
        """Segment texts of Whisper JSON, each found as its string literal in the stored file."""
        try:
            data = json.loads(self.text)
        except ValueError:
            return False
        segments = data.get("segments") if isinstance(data, dict) else None
        if not isinstance(segments, list):
            return False
        self.timed = True
        cursor = max(0, self.text.find('"segments"'))
        for segment in segments:
            if not isinstance(segment, dict) or not isinstance(segment.get("text"), str):
                continue
            said = segment["text"]
            if not said.strip():
                continue
            cue = len(self.cue_times)
            self.cue_times.append((_number(segment.get("start")), _number(segment.get("end"))))
            plain = json.dumps(said, ensure_ascii=False)
            at = self.text.find(plain, cursor)
            if at >= 0 and "\\" not in plain:  # written as is: every word's own place
                self._index_range(at + 1, at + len(plain) - 1, cue)
                cursor = at + len(plain)
                continue
            literal = plain if at >= 0 else json.dumps(said)
            at = at if at >= 0 else self.text.find(literal, cursor)
            if at < 0:  # written some other way: the words map to where the last segment ended
                self._index_range(cursor, cursor, cue, words=said)
                continue
            self._index_range(at, at + len(literal), cue, words=said)
            cursor = at + len(literal)
        return True

    # -- looking up --------------------------------------------------------------------------

    def positions(self, token: int) -> array:
        """The positions of a token id, ascending (the inverted index is built on first use)."""
        if self._positions is None:
            index: dict[int, array] = {}
            for position, t in enumerate(self.tokens):
                found = index.get(t)
                if found is None:
                    index[t] = found = array("i")
                found.append(position)
            self._positions = index
        return self._positions.get(token, _EMPTY)

    def token_id(self, word: str) -> int | None:
        """The id of a normalised word, None when the source never says it."""
        return self._vocab.get(word)

    def similar(self, word: str) -> list[int]:
        """Ids of the source's words within a small edit distance of word (one edit, two if long)."""
        if len(word) < 4:
            return []
        known = self._similar.get(word)
        if known is not None:
            return known
        if self._deletes is None:
            deletes: dict[str, list[int]] = {}
            for token, known in enumerate(self.vocabulary):
                if len(known) >= 3:
                    for variant in _deletions(known):
                        deletes.setdefault(variant, []).append(token)
            self._deletes = deletes
        limit = 1 if len(word) < 8 else 2
        variants = _deletions(word)
        if limit == 2:
            variants |= {v2 for v in variants for v2 in _deletions(v)}
        variants.add(word)
        found: set[int] = set()
        for variant in variants:
            found.update(self._deletes.get(variant, ()))
            known = self._vocab.get(variant)
            if known is not None:
                found.add(known)
        exact = self._vocab.get(word)
        near = sorted(t for t in found if t != exact and _distance(word, self.vocabulary[t], limit) <= limit)
        self._similar[word] = near
        return near

    def bits(self, token: int) -> float:
        """How surprising the token is in this source: log2 of words per occurrence."""
        return math.log2(max(1, len(self)) / max(1, len(self.positions(token))))

    def next_bits(self, previous: int, token: int) -> float:
        """How surprising token is right after previous, at most bits(token).

        Counted leaving out the occurrence at hand (else every pair said once would look
        certain), backing off to the word's own frequency: a word that usually follows the one
        before it ("скорее всего") carries little beyond that one.
        """
        key = (previous, token)
        found = self._pairs.get(key)
        if found is None:
            before, after, tokens = self.positions(previous), self.positions(token), self.tokens
            if len(after) < len(before):  # count the pairs from the rarer side
                together = sum(1 for p in after if p and tokens[p - 1] == previous)
            else:
                last = len(tokens) - 1
                together = sum(1 for p in before if p < last and tokens[p + 1] == token)
            alone = len(after) / max(1, len(self))
            chance = (together - 1 + _BACKOFF * alone) / (len(before) - 1 + _BACKOFF)
            found = self._pairs[key] = min(self.bits(token), -math.log2(chance))
        return found

    def line_of(self, char: int) -> int:
        """The 1-based line of the stored file that holds character char."""
        return bisect_right(self._line_starts, char)

    def words_in_lines(self, first: int, last: int) -> tuple[int, int]:
        """The word positions [a, b) that start on lines first..last (1-based, inclusive): an
        anchor read back from an article (#L12-L18), for coverage and trace."""
        lines = self._line_starts
        low = lines[first - 1] if 0 < first <= len(lines) else (0 if first <= 0 else len(self.text))
        high = lines[last] if 0 <= last < len(lines) else (len(self.text) if last >= len(lines) else 0)
        return bisect_left(self.starts, low), max(bisect_left(self.starts, low), bisect_left(self.starts, high))

    def span(self, first: int, last: int) -> Span:
        """The Span of word positions first..last (inclusive)."""
        start, end = int(self.starts[first]), int(self.ends[last])
        times = None
        if self.timed and len(self.cue_of) == len(self.tokens):
            times = (self.cue_times[self.cue_of[first]][0], self.cue_times[self.cue_of[last]][1])
        return Span((first, last + 1), (start, end), (self.line_of(start), self.line_of(max(start, end - 1))),
                    times)


_EMPTY = array("i")


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (edits with adjacent swaps), giving up above limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def _seconds(stamp: str) -> float:
    total = 0.0
    for part in stamp.replace(",", ".").split(":"):
        total = total * 60 + float(part)
    return total


def _number(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0
