"""ASCII slugs and a guess at the language, for the offline drafter (SPEC §8); titles are in titles.py."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from notesmith.text.titles import title_from_text

__all__ = ["detect_language", "language_of", "slugify", "title_from_text", "transliterate", "unique_slug"]

SAMPLE_CHARS = 8000

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ѓ": "gj", "ќ": "kj",
    "ѕ": "dz",
}
# Ukrainian and Belarusian read some letters differently from Russian.
_UKRAINIAN = {**_CYRILLIC, "г": "h", "и": "y"}
_BELARUSIAN = {**_CYRILLIC, "г": "h"}

_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o",
}

# Latin letters that NFKD does not split into a base letter and a mark.
_LATIN_EXTRA = {
    "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
    "ı": "i", "ŋ": "ng", "ħ": "h",
}


def _table_for(text: str) -> dict[str, str]:
    # Russian has no і/ў; Belarusian has them beside ы/э; Ukrainian has ї/є/ґ and no ы/э.
    lower = text.lower()
    if "ў" in lower or ("і" in lower and any(ch in lower for ch in "ыэ")):
        return _BELARUSIAN
    if any(ch in lower for ch in "іїєґ"):
        return _UKRAINIAN
    return _CYRILLIC


def _char_to_ascii(ch: str, table: dict[str, str]) -> str:
    if ch.isascii():
        return ch
    low = ch.lower()
    for source in (table, _GREEK, _LATIN_EXTRA):
        if low in source:
            out = source[low]
            return out[:1].upper() + out[1:] if ch != low and out else out
    decomposed = unicodedata.normalize("NFKD", ch)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    if base and base != ch:
        return "".join(_char_to_ascii(c, table) for c in base)
    return ""


def transliterate(text: str) -> str:
    """Spell Cyrillic, Greek and accented Latin in ASCII; drop other scripts."""
    table = _table_for(text)
    return "".join(_char_to_ascii(ch, table) for ch in text)


def slugify(text: str, max_words: int = 8, max_len: int = 60) -> str:
    """Lowercase ASCII words joined by '-', cut to max_words and max_len; never empty."""
    ascii_text = transliterate(text).lower()
    ascii_text = re.sub(r"['`]", "", ascii_text)
    words = re.findall(r"[a-z0-9]+", ascii_text)[:max_words]
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_len:
            if not slug:
                slug = word[:max_len]
            break
        slug = candidate
    return slug or "untitled"


def unique_slug(slug: str, taken: Iterable[str]) -> str:
    """slug, or slug-2, slug-3 ..., so it differs case-insensitively from every taken stem."""
    used = {name.lower() for name in taken}
    if slug.lower() not in used:
        return slug
    n = 2
    while f"{slug}-{n}".lower() in used:
        n += 1
    return f"{slug}-{n}"


_SCRIPTS = [
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("hy", re.compile(r"[\u0530-\u058f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
    ("ka", re.compile(r"[\u10a0-\u10ff]")),
    ("ja", re.compile(r"[\u3040-\u30ff]")),
    ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")),
]
_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[a-zA-Z\u00c0-\u024f]")

_LATIN_WORDS = {
    "en": "the and is are was to of in that it for with this you not have but on",
    "de": "der die das und ist nicht ich ein eine zu mit den auf für sich auch es",
    "fr": "le la les et est une un des du pas je que pour dans qui sur avec ce",
    "es": "el la los las y es una un que de no por para con se lo del está",
    "it": "il la che di e non un una per è sono con del della questo gli",
    "pt": "o a os as e é não um uma que de para com do da em são",
    "nl": "de het een en is niet ik van dat op te zijn met voor",
    "pl": "i w nie jest się na że to z do jak ale co tak",
}
_LATIN_SETS = {lang: set(words.split()) for lang, words in _LATIN_WORDS.items()}
_UK_WORDS = {"це", "що", "як", "але", "та", "він", "вона", "ми", "ви", "я", "є", "з", "у", "й"}
_RU_WORDS = {"это", "что", "как", "но", "и", "он", "она", "мы", "вы", "я", "есть", "с", "в", "не"}


# Text that says nothing about the language it is written in: links, addresses, handles, code,
# footnote markers, file names.
_NOISE = re.compile(r"<?(?:https?://|www\.)\S+|\S+@\S+\.\w+|`[^`\n]*`|\[\^[^\]]*\]|\]\([^)]*\)"
                    r"|(?<!\w)[@#][\w.-]+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|io|ai|dev|md|txt|py|json|html?)\b")
# A non-Latin script decides when its words are at least this share of the words: Latin product
# names inside Russian notes are common, Cyrillic words inside English notes are not.
SCRIPT_SHARE = 0.3
# Latin-script text names its language only with at least this many common words of it.
MIN_COMMON_WORDS = 2


def detect_language(text: str) -> str | None:
    """An ISO 639-1 code guessed from the letters of text (not its links or names); None when too little text."""
    text = _NOISE.sub(" ", text[:SAMPLE_CHARS])  # the start is enough, and a 50 MB transcript must stay cheap
    letters = {lang: len(rx.findall(text)) for lang, rx in _SCRIPTS}
    cyr_letters = len(_CYR.findall(text))
    lat_letters = len(_LAT.findall(text))
    total = sum(letters.values()) + cyr_letters + lat_letters
    if not total:
        return None
    best_script = max(letters, key=letters.__getitem__)
    if letters[best_script] >= SCRIPT_SHARE * total:
        if best_script == "zh" and letters["ja"]:
            return "ja"
        return best_script
    words = re.findall(r"[^\W\d_]+", text.lower())
    cyrillic = [w for w in words if _CYR.match(w)]
    if cyrillic and len(cyrillic) >= SCRIPT_SHARE * len(words):
        lower = " ".join(cyrillic)
        if "ў" in lower:
            return "be"
        if any(ch in lower for ch in "ђјљњћџ"):
            return "sr"
        uk = sum(ch in "іїєґ" for ch in lower) + sum(w in _UK_WORDS for w in cyrillic)
        ru = sum(ch in "ыэъё" for ch in lower) + sum(w in _RU_WORDS for w in cyrillic)
        return "uk" if uk > ru else "ru"
    scores = {lang: sum(w in vocab for w in words) for lang, vocab in _LATIN_SETS.items()}
    best = max(scores, key=lambda lang: (scores[lang], lang == "en"))
    return best if scores[best] >= MIN_COMMON_WORDS else None


def language_of(text: str, default: str = "en") -> str:
    """detect_language(text), or default (the workspace's language) when the text is too short to tell."""
    return detect_language(text) or default
