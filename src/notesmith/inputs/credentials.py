"""Spot what looks like a credential in an input, so it never reaches a model or an article."""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter

__all__ = ["find_credentials", "redact"]

REDACTED = "[REDACTED]"

# (kind, pattern); the span redacted is group "v" when the pattern has one, else the whole match.
_TOKENS: list[tuple[str, re.Pattern[str]]] = [
    ("private-key", re.compile(
        r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:.*?-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|.*\Z)", re.S)),
    ("jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("github-token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("api-key", re.compile(r"(?<![A-Za-z0-9_-])sk-(?:[A-Za-z0-9]+-)*[A-Za-z0-9_-]{20,}")),
    ("stripe-key", re.compile(r"\b[rsp]k_(?:live|test)_[A-Za-z0-9]{16,}")),
    ("aws-access-key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("slack-token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("slack-webhook", re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]{20,}")),
    ("google-api-key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("huggingface-token", re.compile(r"\bhf_[A-Za-z0-9]{30,}")),
    ("telegram-bot-token", re.compile(r"\b\d{8,10}:AA[A-Za-z0-9_-]{33}\b")),
    ("url-password", re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]+:(?P<v>[^\s@/]+)@")),
]

_SECRET_NAME = (
    r"(?:api[_-]?key|apikey|secret|token|access[_-]?key|auth|authorization|bearer|credentials?)"
)
_ASSIGNMENT = re.compile(
    rf"(?i)\b[\w.-]*{_SECRET_NAME}(?:[_.-][\w.-]*)?[\"']?[ \t]*[:=][ \t]*(?:bearer[ \t]+)?[\"']?"
    r"(?P<v>[A-Za-z0-9_\-./+~]{16,}={0,2})"
)
_BEARER = re.compile(r"(?i)\bbearer\s+(?P<v>[A-Za-z0-9_\-./+~]{16,}={0,2})")

_PASSWORD_WORD = (
    r"(?:password|passwd|passphrase|passcode|pwd|пароль|парольчик|passwort|kennwort|contraseña|contrasena"
    r"|clave|mot de passe|mdp)"
)
# A strong separator (":" or "=") may come after a few words ("password for the router: x"); so may
# a weak one ("is", "-", "—", "это"), but then the value must look like one ("пароль от почты — x1").
_PASSWORD = re.compile(
    rf"(?i)(?<!\w){_PASSWORD_WORD}(?:"
    r"(?P<strong>(?:[ \t]+[^\s:=]+){0,3}?[ \t]*[:=][ \t]*)"
    r"|(?P<weak>[ \t]*[-–—][ \t]*|[ \t]+(?:is|это|ist|est|es|era|était|war)[ \t]+)"
    r"|(?P<later>(?:[ \t]+[^\s:=\-–—]+){1,3}?(?:[ \t]*[-–—][ \t]*|[ \t]+(?:is|это|ist|est|es)[ \t]+))"
    r")[\"'«]?(?P<v>[^\s\"'»]+)"
)
# "user admin, pass Tr0ub4dor&3": the short words are everyday English, so only a value that looks
# like a password counts.
_SHORT_PASSWORD = re.compile(r"(?i)(?<!\w)(?:pass|pw|pin|пасс)(?:[ \t]*[:=][ \t]*|[ \t]+)[\"'«]?(?P<v>[^\s\"'»,;]+)")
_PLACEHOLDER = re.compile(r"^(?:[<{$%\[(*]|none$|null$|empty$|required$|redacted$)", re.I)


def _entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def _looks_random(value: str) -> bool:
    has_letter = any(c.isalpha() for c in value)
    has_digit = any(c.isdigit() for c in value)
    return has_letter and has_digit and _entropy(value) >= 3.0


def _looks_like_a_password(value: str) -> bool:
    """Letters with digits or symbols, or capitals inside a word: CorrectHorseBatteryStaple, Tr0ub4dor&3."""
    letters = any(c.isalpha() for c in value)
    others = any(not c.isalpha() for c in value)
    camel = any(c.isupper() for c in value[1:]) and any(c.islower() for c in value)
    return (letters and others) or camel


def _password_value(match: re.Match[str], text: str) -> bool:
    value = match["v"].rstrip(".,;!?)")
    if len(value) < 4 or _PLACEHOLDER.match(value) or len(set(value)) == 1:
        return False
    if "later" in match.groupdict() and match["later"] is not None or "strong" not in match.groupdict():
        return _looks_like_a_password(value)
    if value.isalpha() and not _looks_like_a_password(value):
        if match["weak"] is not None:
            return False  # "the password is strong", "password - always"
        line_end = text.find("\n", match.end())
        rest = text[match.end() : line_end if line_end >= 0 else len(text)]
        if re.search(r"\w", rest):
            return False  # "Password: forgotten again" is prose, not a value
    return True


# Every pattern above needs one of these near it (on the same line), so a long text is only
# searched around them: plain substring search is ~100 times faster than the patterns.
_WORDS = ("key", "token", "secret", "auth", "bearer", "pass", "pwd", "pw", "pin", "пароль", "пасс", "kennwort",
          "contraseña", "contrasena", "clave", "mdp")
_NEEDLES = tuple({v for w in _WORDS for v in (w, w.capitalize(), w.upper())} | {
    "eyJ", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "sk-", "_live_", "_test_", "AKIA",
    "ASIA", "xox", "AIza", "hf_", ":AA", "://", "-----BEGIN"})
_WINDOWED_FROM = 200_000


def _windows(text: str) -> list[tuple[int, int]]:
    """Merged line ranges of text holding a needle."""
    ranges = []
    for needle in _NEEDLES:
        at = text.find(needle)
        while at >= 0:
            start = text.rfind("\n", 0, at) + 1
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            if needle == "-----BEGIN":
                end = len(text)  # a private key runs over many lines
            ranges.append((start, end))
            at = text.find(needle, end)
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _spans(text: str) -> list[tuple[int, int, str]]:
    if len(text) < _WINDOWED_FROM:
        return _spans_in(text)
    return [(s + a, e + a, kind) for a, b in _windows(text) for s, e, kind in _spans_in(text[a:b])]


def _spans_in(text: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e, _ in spans)

    for kind, pattern in _TOKENS:
        for m in pattern.finditer(text):
            start, end = m.span("v") if "v" in pattern.groupindex else m.span()
            if free(start, end):
                spans.append((start, end, kind))
    for kind, pattern in (("secret-assignment", _ASSIGNMENT), ("secret-assignment", _BEARER)):
        for m in pattern.finditer(text):
            if _looks_random(m["v"]) and free(*m.span("v")):
                spans.append((*m.span("v"), kind))
    for m in [*_PASSWORD.finditer(text), *_SHORT_PASSWORD.finditer(text)]:
        if _password_value(m, text):
            start = m.start("v")
            end = start + len(m["v"].rstrip(".,;!?)"))
            if free(start, end):
                spans.append((start, end, "password"))
    return sorted(spans)


def find_credentials(text: str) -> list[tuple[int, str]]:
    """(line number, kind) for each thing in text that looks like a credential, in order."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    return [(bisect_right(line_starts, start), kind) for start, _, kind in _spans(text)]


def redact(text: str) -> str:
    """text with every credential value replaced by [REDACTED]."""
    out: list[str] = []
    last = 0
    for start, end, _ in _spans(text):
        out.append(text[last:start])
        out.append(REDACTED)
        last = end
    out.append(text[last:])
    return "".join(out)
