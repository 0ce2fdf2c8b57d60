"""A small GBNF reader and recogniser, to ask of a grammar that a converter made: does it accept this text?

GBNF is llama.cpp's grammar format (`name ::= alternatives`, "literals", [classes], ( groups ),
`* + ? {m} {m,} {m,n}`, `.`, # comments). The recogniser computes, for each expression and start
position, the set of positions where a match can end, memoised per rule and position, so it
decides acceptance exactly (no backtracking cut-offs) on the short JSON answers the tests use.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache

_NAME = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", '"': '"', "[": "[", "]": "]", "-": "-", "^": "^",
            "/": "/"}


@dataclass(frozen=True)
class Lit:
    text: str


@dataclass(frozen=True)
class Cls:
    negated: bool
    ranges: tuple[tuple[str, str], ...]

    def accepts(self, char: str) -> bool:
        inside = any(lo <= char <= hi for lo, hi in self.ranges)
        return inside != self.negated


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Rep:
    item: object
    least: int
    most: int | None


@dataclass(frozen=True)
class Seq:
    items: tuple


@dataclass(frozen=True)
class Alt:
    options: tuple


ANY = Cls(True, ())


class GrammarError(ValueError):
    """The text is not GBNF this reader understands."""


def parse(text: str) -> dict[str, Alt]:
    """Rules by name."""
    rules: dict[str, Alt] = {}
    pos = _skip(text, 0, newlines=True)
    while pos < len(text):
        match = _NAME.match(text, pos)
        if not match:
            raise GrammarError(f"expected a rule name at {text[pos:pos + 30]!r}")
        name = match.group()
        pos = _skip(text, match.end(), newlines=False)
        if not text.startswith("::=", pos):
            raise GrammarError(f"expected ::= after {name!r}")
        body, pos = _alternatives(text, _skip(text, pos + 3, newlines=False), nested=False)
        rules[name] = body
        pos = _skip(text, pos, newlines=True)
    return rules


def _skip(text: str, pos: int, *, newlines: bool) -> int:
    while pos < len(text):
        char = text[pos]
        if char == "#":
            while pos < len(text) and text[pos] != "\n":
                pos += 1
        elif char in " \t" or (newlines and char in "\r\n"):
            pos += 1
        else:
            break
    return pos


def _alternatives(text: str, pos: int, *, nested: bool) -> tuple[Alt, int]:
    options = []
    while True:
        seq, pos = _sequence(text, pos, nested=nested)
        options.append(seq)
        if pos < len(text) and text[pos] == "|":
            pos = _skip(text, pos + 1, newlines=True)
            continue
        return Alt(tuple(options)), pos


def _sequence(text: str, pos: int, *, nested: bool) -> tuple[Seq, int]:
    items: list = []
    while pos < len(text):
        char = text[pos]
        if char == '"':
            literal, pos = _literal(text, pos + 1)
            item: object = Lit(literal)
        elif char == "[":
            item, pos = _class(text, pos + 1)
        elif char == ".":
            item, pos = ANY, pos + 1
        elif char == "(":
            item, pos = _alternatives(text, _skip(text, pos + 1, newlines=True), nested=True)
            if pos >= len(text) or text[pos] != ")":
                raise GrammarError("expected )")
            pos += 1
        elif _NAME.match(text, pos) and not text.startswith("::=", _skip(text, _NAME.match(text, pos).end(), newlines=False)):
            match = _NAME.match(text, pos)
            item, pos = Ref(match.group()), match.end()
        else:
            break
        item, pos = _repeat(text, pos, item)
        items.append(item)
        pos = _skip(text, pos, newlines=nested)
    return Seq(tuple(items)), pos


def _repeat(text: str, pos: int, item: object) -> tuple[object, int]:
    if pos < len(text) and text[pos] in "*+?":
        least, most = {"*": (0, None), "+": (1, None), "?": (0, 1)}[text[pos]]
        return Rep(item, least, most), pos + 1
    if pos < len(text) and text[pos] == "{":
        end = text.index("}", pos)
        inner = text[pos + 1:end].replace(" ", "")
        if "," in inner:
            low, high = inner.split(",", 1)
            return Rep(item, int(low or 0), int(high) if high else None), end + 1
        return Rep(item, int(inner), int(inner)), end + 1
    return item, pos


def _char(text: str, pos: int) -> tuple[str, int]:
    char = text[pos]
    if char != "\\":
        return char, pos + 1
    code = text[pos + 1]
    if code in _ESCAPES:
        return _ESCAPES[code], pos + 2
    width = {"x": 2, "u": 4, "U": 8}.get(code)
    if width is None:
        raise GrammarError(f"unknown escape \\{code}")
    return chr(int(text[pos + 2:pos + 2 + width], 16)), pos + 2 + width


def _literal(text: str, pos: int) -> tuple[str, int]:
    out = []
    while text[pos] != '"':
        char, pos = _char(text, pos)
        out.append(char)
    return "".join(out), pos + 1


def _class(text: str, pos: int) -> tuple[Cls, int]:
    negated = text[pos] == "^"
    pos += negated
    ranges = []
    while text[pos] != "]":
        low, pos = _char(text, pos)
        high = low
        if text[pos] == "-" and text[pos + 1] != "]":
            high, pos = _char(text, pos + 1)
        ranges.append((low, high))
    return Cls(negated, tuple(ranges)), pos + 1


class Grammar:
    """A parsed grammar that can say whether it accepts a text."""

    def __init__(self, text: str, root: str = "root"):
        self.source = text
        self.rules = parse(text)
        self.root = root
        if root not in self.rules:
            raise GrammarError(f"no rule {root!r}")

    def accepts(self, text: str) -> bool:
        """True when the whole text is a sentence of the grammar."""
        rules = self.rules
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))

        @lru_cache(maxsize=None)
        def rule_ends(name: str, pos: int) -> frozenset[int]:
            return ends(rules[name], pos)

        def ends(node: object, pos: int) -> frozenset[int]:
            if isinstance(node, Lit):
                return frozenset([pos + len(node.text)]) if text.startswith(node.text, pos) else frozenset()
            if isinstance(node, Cls):
                return frozenset([pos + 1]) if pos < len(text) and node.accepts(text[pos]) else frozenset()
            if isinstance(node, Ref):
                if node.name not in rules:
                    raise GrammarError(f"undefined rule {node.name!r}")
                return rule_ends(node.name, pos)
            if isinstance(node, Alt):
                return frozenset().union(*(ends(option, pos) for option in node.options))
            if isinstance(node, Seq):
                current = frozenset([pos])
                for item in node.items:
                    current = frozenset().union(*(ends(item, p) for p in current)) if current else current
                return current
            if isinstance(node, Rep):
                def step(positions: frozenset[int]) -> frozenset[int]:
                    return frozenset().union(*(ends(node.item, p) for p in positions)) if positions else positions

                current = frozenset([pos])
                for _ in range(node.least):
                    current = step(current)
                found = set(current)
                if node.most is None:
                    frontier = current
                    while frontier:
                        frontier = step(frontier) - found
                        found |= frontier
                else:
                    for _ in range(node.most - node.least):
                        current = step(current)
                        if not current:
                            break
                        found |= current
                return frozenset(found)
            raise GrammarError(f"unknown node {node!r}")

        try:
            return len(text) in rule_ends(self.root, 0)
        finally:
            sys.setrecursionlimit(limit)
