"""Titles a writer would keep, for drafts made without a model (SPEC §5.3).

A note's own heading is its title. Otherwise the title is its first sentence that says something
(greetings, thanks, mail headers, chat time stamps and "quick note" preambles say nothing),
kept as written (case, apostrophes, names) and, when too long, shortened where a phrase ends: at
a clause boundary (comma, colon, dash), else before a word that starts a new phrase ("because",
"which", "for", "что", "потому"), never after "the" or "для". A note that is only a link is
titled from the link: the words of its path and its site.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

__all__ = ["distinct_title", "link_title", "own_heading", "shorten", "summary_sentence", "title_from_text"]

MAX_WORDS = 10
MAX_CHARS = 80
MIN_WORDS = 3  # a shortened title keeps at least this many words
SAMPLE_CHARS = 8000

_URL = re.compile(r"<?(?:https?://|www\.)[^\s<>()]+(?:\([^\s<>()]*\))?[^\s<>()]*>?")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_ANCHOR = re.compile(r"^\s*\[\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]\s*(?:[^\s:][^:\n]{0,40}:\s+)?")
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)|`|\[\^[^\]]*\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
_ABBREVIATIONS = {"e.g.", "i.e.", "etc.", "vs.", "mr.", "mrs.", "ms.", "dr.", "st.", "no.", "cf.", "approx.",
                  "т.е.", "т.к.", "т.д.", "т.п.", "др.", "см.", "напр."}

# Words that open a spoken note without saying anything.
_FILLERS = {
    "ah", "alright", "also", "and", "anyway", "basically", "er", "erm", "hmm", "mm", "oh", "ok", "okay",
    "right", "so", "uh", "um", "well", "yeah", "yes", "now", "btw",
    "а", "ага", "вот", "да", "значит", "и", "итак", "короче", "ладно", "мм", "ну", "окей", "слушай",
    "смотри", "так", "типа", "э", "эм", "ээ", "ой", "кстати", "ещё", "еще", "вообще", "в общем", "тоже",
    "äh", "ähm", "naja", "also", "euh", "bon", "bueno", "pues", "eh",
}
_INTERJECTIONS = {"uh", "um", "er", "erm", "hmm", "mm", "э", "ээ", "эм", "мм", "äh", "ähm", "euh"}

_GREETING = re.compile(
    r"^(?:hi|hello|hey|hiya|howdy|greetings|dear|good\s+(?:morning|afternoon|evening|day)|morning|evening|"
    r"привет\w*|здравствуй\w*|добр\w+\s+(?:утро|день|вечер)|доброго\s+\w+|хай|салют|hallo|guten\s+\w+|"
    r"bonjour|salut|hola|buongiorno|ciao)\b", re.IGNORECASE)
_PLEASANTRY = re.compile(
    r"^(?:thanks|thank\s+you|many\s+thanks|thx|cheers|best\s+regards|regards|best|kind\s+regards|hope\s+you|"
    r"how\s+are\s+you|sorry\s+for|спасибо|благодарю|с\s+уважением|надеюсь,?\s+у\s+(?:тебя|вас)|как\s+дела|"
    r"danke|merci|gracias|grazie)\b", re.IGNORECASE)
_GREETING_WORDS = {"all", "everyone", "everybody", "team", "folks", "guys", "there", "y'all", "friends",
                   "всем", "все", "ребята", "друзья", "коллеги"}
# A sentence made only of these words acknowledges; it says nothing ("Ok, got it", "Да, хорошо, я поняла").
_ACKNOWLEDGING = set("""
ok okay yes yeah yep sure right fine great cool good got it i see understood agreed true no nope alright
хорошо понятно ясно отлично супер класс ладно да нет угу ага я понял поняла поняли согласен согласна окей
""".split())
_PREAMBLE = re.compile(
    r"^(?:(?:just\s+)?(?:a\s+)?(?:quick|short|small)\s+(?:note|thought|update|one)(?:\s+before\s+i\s+forget)?|"
    r"note\s+to\s+self|before\s+i\s+forget|(?:one\s+)?more\s+thing|another\s+thing|"
    r"(?:ещё\s+|еще\s+)?(?:одна\s+)?(?:быстрая\s+|короткая\s+)?(?:заметка|мысль|идея)(?:\s+вдогонку)?|"
    r"пока\s+не\s+забыл[аи]?)$", re.IGNORECASE)
_MAIL_HEADER = re.compile(r"^(?:from|to|cc|bcc|sent|date|от|кому|копия|дата|отправлено)\s*:", re.IGNORECASE)
_SUBJECT = re.compile(r"^(?:subject|тема)\s*:\s*(?:(?:re|fwd?|aw|wg)\s*:\s*)*(.+)$", re.IGNORECASE)
_TIME = r"\d{1,2}[:.\s]\d{2}(?::\d{2})?\s*(?:[aApP]\.?\s?[mM]\.?)?"
_CHAT_STAMP = re.compile(rf"^\s*(?:\[?{_TIME}\]?\s*)?(?:[A-ZА-ЯЁ][\w'’.-]*\s*){{0,4}}[,\-–—|]?\s*\[?{_TIME}\]?\s*:?\s*")
_FROM_LINE = re.compile(r"^(?:[Ff]rom|[Оо]т)\s+(?:[A-ZА-ЯЁ][\w'’.-]*\s*){1,4}$")
_IMAGE_PREFIX = re.compile(
    r"^(?:the\s+)?(?:main\s+content\s+of\s+the\s+)?(?:image|photo|picture|screenshot)\s+"
    r"(?:is|shows|appears\s+to\s+(?:be|show)|depicts|contains)\s+", re.IGNORECASE)

# Headings that say nothing about a note (photo descriptions, exports), and sections whose text
# is no title either ("Type: a photo").
_GENERIC_HEADINGS = {
    "analysis of the image", "description of the image", "image description", "image analysis",
    "description", "summary", "transcript", "transcription", "notes", "note", "type", "main content",
    "context", "visible text", "potential use", "overview", "details", "untitled", "content",
    "описание изображения", "анализ изображения", "описание", "заметка", "заметки", "транскрипт",
    "расшифровка", "текст",
}
_SKIPPED_SECTIONS = {"type", "visible text", "тип"}

# A long sentence is cut before a word that opens a new clause, else before a preposition ...
_CLAUSE_STARTS = set("""
and but or so because since that which who whom whose where when while if although though unless
until whereas then as like i'm
и а но или что чтобы потому поэтому который которая которое которые которых когда где если хотя
тоже также то есть типа короче вот ну просто как
und aber oder weil dass wenn
""".split())
_PREPOSITIONS = set("""
for to with about from in on at by of into after before over under during without between through via
в во на с со по про для о об от до из к у за под над при через после перед
für mit von zu auf
""".split())
# ... and never ends on one of these.
_DANGLING = set("""
a an the my our your his her their its this that these those of to for with about from in on at by
into and or but so is are was were be been i we you he she it they as than then very more most
в во на с со по про для о об от до из к у за под над при через и а но или что это как не я он она
мы вы они мой моя мои наш наша твой его её их же бы ли
der die das ein eine und oder zu mit von für
""".split())


def _plain(line: str) -> str:
    line = _LINK.sub(lambda m: m.group(1), line)
    line = _MARKS.sub("", line)
    return " ".join(line.split())


def _strip_fillers(text: str) -> str:
    """text without the fillers and interjections that open it (and their punctuation)."""
    while True:
        m = re.match(r"^([^\W\d_]+(?:\s+[^\W\d_]+)?)", text)
        if not m:
            return text
        two = m.group(1).lower()
        one = two.split()[0]
        word = two if two in _FILLERS else one if one in _FILLERS else None
        if word is None:
            return text
        rest = text[len(word):]
        if rest[:1].isalnum():  # a longer word that starts like a filler ("android")
            return text
        text = rest.lstrip(" ,;:!.?…-–—")
        if not text:
            return text


def _drop_interjections(text: str) -> str:
    words = [w for w in text.split() if w.strip(",.;:!?…").lower() not in _INTERJECTIONS]
    return " ".join(words)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’\-.][^\W_]+)*", text)


def _says_nothing(sentence: str) -> bool:
    """Greetings, thanks, sign-offs, preambles and stamps: no title in them."""
    bare = sentence.strip(" ,;:!.?…-–—\"'«»")
    if not bare:
        return True
    words = _words(bare)
    if len(words) <= 5 and all(w.lower() in _ACKNOWLEDGING for w in words):
        return True
    if _GREETING.match(bare):
        rest = _GREETING.sub("", bare, count=1).strip(" ,!.")
        words = _words(rest)
        return len(words) <= 3 and all(w.lower() in _GREETING_WORDS or w[:1].isupper() for w in words)
    vocative = re.match(r"^[A-ZА-ЯЁ][\w'’-]*,\s*", bare)  # "Val, thank you ..."
    if _PLEASANTRY.match(bare[vocative.end():] if vocative else bare):
        return True
    return bool(_PREAMBLE.match(bare) or _MAIL_HEADER.match(bare) or _FROM_LINE.match(bare))


def _open_greeting(sentence: str) -> str:
    """"Hi Valeriia, the draft ..." without its opening greeting and name."""
    m = _GREETING.match(sentence)
    if not m:
        return sentence
    rest = sentence[m.end():]
    comma = re.match(r"^(?:\s+[\w'’-]+){0,3}\s*[,!.]\s*", rest)
    return rest[comma.end():] if comma else sentence


def _sentences(segment: str) -> list[str]:
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(segment):
        word = segment[segment.rfind(" ", 0, m.start()) + 1:m.start()].lower()
        if word in _ABBREVIATIONS or re.fullmatch(r"(?:\w\.){1,3}", word):
            continue
        parts.append(segment[start:m.start()].strip())
        start = m.end()
    parts.append(segment[start:].strip())
    return [p for p in parts if p]


def _clean(sentence: str) -> str:
    sentence = _drop_interjections(_strip_fillers(_open_greeting(sentence.strip())))
    stripped = _IMAGE_PREFIX.sub("", sentence, count=1)
    if stripped != sentence and len(_words(stripped)) >= MIN_WORDS:
        sentence = stripped
    clauses = re.split(r"(?<=[,;:])\s+|\s+[-–—]\s+", sentence, maxsplit=1)
    if len(clauses) == 2 and _PREAMBLE.match(clauses[0].strip(" ,;:")) and len(_words(clauses[1])) >= MIN_WORDS:
        sentence = _strip_fillers(clauses[1])
    return sentence


def _segments(text: str) -> Iterable[tuple[str, str]]:
    """(section heading, line) for each prose line; a long line without an end joins the next."""
    section = ""
    pending = ""
    for raw in text[:SAMPLE_CHARS].split("\n"):
        heading = _HEADING.match(raw)
        if heading:
            if pending:
                yield section, pending
                pending = ""
            section = _plain(re.sub(r"^\d{1,2}[.)]\s*", "", heading.group(2))).lower()
            continue
        line = _BULLET.sub("", _ANCHOR.sub("", raw)).strip()
        if not line or line.startswith(("```", "~~~", "|", "<", ">")):
            if pending:
                yield section, pending
                pending = ""
            continue
        pending = f"{pending} {line}" if pending else line
        if len(line) < 60 or line[-1] in ".!?…:;":
            yield section, pending
            pending = ""
    if pending:
        yield section, pending


def own_heading(text: str) -> tuple[str, int] | None:
    """The note's own title and its line index: its first H1, else a heading on its first line.

    Headings that say nothing ("Description of the Image", "Summary") are no title.
    """
    lines = text[:SAMPLE_CHARS].split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    found = None
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m and len(m.group(1)) == 1:
            found = (i, m)
            break
    if found is None and first is not None:
        m = _HEADING.match(lines[first])
        if m:
            found = (first, m)
    if found is None:
        return None
    index, m = found
    title = _plain(m.group(2)).strip(" .:")
    if not _words(title) or re.sub(r"^\d{1,2}[.)]\s*", "", title).lower() in _GENERIC_HEADINGS:
        return None
    return title, index


def shorten(sentence: str, max_words: int = MAX_WORDS, max_chars: int = MAX_CHARS) -> str:
    """sentence as a title: whole when short, else cut where a clause or phrase ends, as written."""
    tokens = _URL.sub(" ", sentence).split()
    tokens = [t for t in tokens if _words(t) or t in ("-", "–", "—", "&", "+")]
    while tokens and not _words(tokens[-1]):
        tokens.pop()
    if not tokens:
        return ""

    def fits(n: int) -> bool:
        return n <= max_words and len(" ".join(tokens[:n])) <= max_chars

    if fits(len(tokens)):
        return _finish(tokens)
    limit = max(n for n in range(1, len(tokens) + 1) if fits(n))
    clause = [n for n in range(MIN_WORDS, limit + 1)
              if tokens[n - 1][-1] in ",;:)" or (n < len(tokens) and tokens[n] in ("-", "–", "—", "("))]
    if clause:
        return _finish(tokens[:clause[-1]])
    for starts in (_CLAUSE_STARTS, _PREPOSITIONS):
        phrase = [n for n in range(MIN_WORDS, limit + 1)
                  if n < len(tokens) and _bare(tokens[n]) in starts and _kept(tokens[:n])]
        if phrase:
            return _finish(tokens[:phrase[-1]])
    for n in range(limit, 0, -1):
        if _kept(tokens[:n]) or n == 1:
            return _finish(tokens[:n])
    return _finish(tokens[:limit])  # pragma: no cover (n == 1 always returns)


def _bare(token: str) -> str:
    return token.strip(",.;:!?…\"'«»()[]").lower()


def _kept(tokens: list[str]) -> bool:
    """Whether a cut after these tokens leaves a phrase that ends well (not on "the", "для")."""
    return len(tokens) >= MIN_WORDS and _bare(tokens[-1]) not in _DANGLING


def _finish(tokens: list[str]) -> str:
    text = " ".join(tokens).strip(" ,;:.…!-–—\"'«»“”")
    if text.count("(") > text.count(")"):
        text = text[:text.rfind("(")].rstrip(" ,;:-–—")
    return text[:1].upper() + text[1:] if text else text


def _telling(text: str) -> tuple[str, str]:
    """What a title or a description is made from: ("subject", …), ("sentence", …), ("link", url),
    ("fallback", …) when every sentence says nothing, or ("", "") when the note has no words."""
    candidates: list[tuple[str, str]] = []
    for section, line in _segments(text):
        subject = _SUBJECT.match(line)
        if subject:
            return "subject", _plain(subject.group(1))
        if _FROM_LINE.match(line) or _MAIL_HEADER.match(line):
            continue
        line = _CHAT_STAMP.sub("", line, count=1) if re.search(_TIME, line) else line
        for sentence in _sentences(_plain(line)):
            candidates.append((section, sentence))
    fallback = ""
    for section, sentence in candidates:
        cleaned = _clean(sentence)
        if not _words(_URL.sub(" ", cleaned)):
            continue
        if _says_nothing(cleaned) or section in _SKIPPED_SECTIONS:
            fallback = fallback or cleaned
            continue
        if len(_words(_URL.sub(" ", cleaned))) < 2 and fallback == "":
            fallback = cleaned
            continue
        return "sentence", cleaned
    urls = _URL.findall(text[:SAMPLE_CHARS])
    if urls:
        return "link", urls[0].strip("<>")
    return ("fallback", fallback) if fallback else ("", "")


def title_from_text(text: str, max_words: int = MAX_WORDS) -> str:
    """A title from a note: its own heading, else its first sentence that says something, else its link.

    "Untitled" when the note has no words at all.
    """
    heading = own_heading(text)
    if heading:
        return shorten(heading[0], max(max_words, 16), max_chars=120)  # the author's own words
    kind, found = _telling(text)
    if kind == "link":
        return link_title(found)
    return shorten(found, max_words) if kind else "Untitled"


def summary_sentence(text: str, max_len: int = 160) -> str:
    """The note's first sentence that says something, as written, for a one-line description ("" for none)."""
    kind, found = _telling(text)
    if kind not in ("sentence", "subject", "fallback"):
        return ""
    found = found[:1].upper() + found[1:]
    if len(found) <= max_len:
        return found
    cut = found[:max_len - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_len // 2 else cut).rstrip(" ,;:-\u2013\u2014") + "\u2026"


_ID_LIKE = re.compile(r"^(?=.*\d)(?=.*[a-zA-Z])[\w-]{8,}$|^[\d_.-]+$|^[0-9a-f]{6,}$", re.IGNORECASE)
_PATH_NOISE = {"i", "p", "s", "d", "watch", "index", "wiki", "blob", "tree", "main", "master", "status",
               "post", "posts", "article", "articles", "amp", "en", "ru", "de", "www", "html", "pub",
               "view", "edit", "details", "item", "items", "id", "share", "embed", "shorts"}


def link_title(url: str) -> str:
    """A title from a link: the words of its most specific path segment, then its site."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    host = (parts.hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    words: list[str] = []
    for segment in reversed([s for s in parts.path.split("/") if s]):
        segment = re.sub(r"\.(?:html?|php|aspx?|md|pdf)$", "", unquote(segment), flags=re.IGNORECASE)
        if _ID_LIKE.match(segment) or segment.lower() in _PATH_NOISE:
            continue
        words = [w for w in re.split(r"[-_+.\s]+", segment) if w]
        if words:
            break
    if not words:
        return host or "Link"
    phrase = " ".join(words)
    phrase = phrase[:1].upper() + phrase[1:]
    return f"{shorten(phrase)} ({host})" if host else shorten(phrase)


def distinct_title(title: str, taken: Iterable[str], when: dt.datetime | None = None) -> str:
    """title, or title with its date (then its time, then a number) so it differs from every taken title."""
    used = {t.casefold() for t in taken}
    if title.casefold() not in used:
        return title
    options = []
    if when is not None:
        options += [f"{title} ({when:%Y-%m-%d})", f"{title} ({when:%Y-%m-%d %H:%M})"]
    for option in options:
        if option.casefold() not in used:
            return option
    n = 2
    while f"{title} ({n})".casefold() in used:
        n += 1
    return f"{title} ({n})"
