"""Lexical retrieval of candidate articles for routing: BM25 over short article descriptors.

The routing prompt sees only the few articles this ranks highest, so tokens per input stay
flat however large the workspace grows (SPEC §5 step 4, §7). Inputs are often Russian while
articles are English: Latin words inside the transcript match directly, Cyrillic words also
emit their transliteration and a consonant skeleton ("клод" and "claude" both give "~kld",
which is how "джупитер" meets "jupyter"), and a small glossary maps common native Russian
words to English ("задача" to "task").
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from functools import lru_cache

from notesmith.text.slugs import transliterate

__all__ = ["Shortlist", "tokenize"]

_STOP = set(
    """
    a about above after again all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is
    it its itself just let me more most my myself no nor not now of off on once only or other
    our ours out over own same she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yeah okay ok like
    get got going go one thing things really want know think see make way well much many also
    а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже
    для до его ее её если есть еще ещё же за здесь и из или им их к как какой какие когда кто
    ли либо мне может мы на надо наш не него нее неё нет ни них но ну о об однако он она они
    оно от очень по под про при с со так также такой там те тем то того тоже той только том ты у
    уже хотя чего чей чем что чтобы чье эта эти это этот я вообще просто сейчас потом тоже
    типа короче значит вот тут ещё какой-то какие-то который которые которая которое меня мой
    моя мои себя себе будет буду будем есть можно нужно было получается например скажем
    der die das und ist nicht ich ein eine zu mit den auf für sich auch es dem des im von sie
    wir ihr er wie was wenn aber oder als so noch nur schon bei aus nach
    """.split()
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

_EN_SUFFIXES = ("ational", "ations", "ation", "ings", "ing", "ies", "ied", "ed",
                "es", "ly", "s")
_RU_REFLEXIVE = ("ся", "сь")
_RU_SUFFIXES = tuple(sorted(set(
    """
    иями ями ами ией ией ого его ому ему ыми ими ыми ешь ишь ете ите ала яла ила ела ули
    ала али яли или ели ать ять ить еть уть ой ей ий ый ая яя ое ее ые ие ую юю ом ем ам ям
    ах ях ов ев ев ию ия ие ий ет ит ут ют ат ят ал ял ил ел ла ли ло на ны но а я о е ы и у ю ь й
    """.split()),
    key=lambda s: (-len(s), s),
))
_MIN_STEM = 3
SKELETON_WEIGHT = 0.75  # a skeleton match is weaker evidence than a shared word
RRF_K = 60  # reciprocal rank fusion's usual constant: ranks matter, the first few most

# Common Russian words of notes about work and learning, with their English equivalents:
# loanwords already meet through transliteration, these native words would not.
_GLOSSARY_TEXT = """
задача task; задачи task; книга book; статья article; вопрос question; ответ answer; пример
example; приложение app application; сайт site website; страница page; пользователь user; клиент
client customer; команда team command; компания company; работа work job; работать work;
вакансия job vacancy; зарплата salary; собеседование interview; интервью interview; курс course;
урок lesson; занятие lesson session; студент student; ученик student learner; учиться learn;
обучение learning training; учитель teacher; преподаватель instructor teacher; знание knowledge;
навык skill; опыт experience; идея idea; проект project; план plan; цель goal; проблема problem;
решение solution decision; ошибка error bug mistake; тест test; проверка check review; отзыв
feedback review; письмо email letter; сообщение message; рассылка newsletter; пост post; видео
video; запись recording; картинка image picture; изображение image; фото photo; голос voice;
звук audio sound; текст text; слово word; язык language; перевод translation; перевести
translate; поиск search; искать search; найти find; данные data; база database; файл file; папка
folder; документ document; документация documentation; заметка note; запрос request query;
сервер server; деньги money; цена price; стоимость cost; платить pay; оплата payment; подписка
subscription; бесплатно free; время time; неделя week; месяц month; день day; год year; встреча
meeting; сообщество community; участник participant member; вебинар webinar; доклад talk;
конференция conference; книжка book; глава chapter; обложка cover; рисунок drawing; модель
model; агент agent; инструмент tool; настройка setup configuration; сервис service; платформа
platform; система system; процесс process; маркетинг marketing; продажа sale sales; рынок
market; исследование research; анализ analysis; разработка development; разработчик developer;
программист programmer developer; инженер engineer; программирование programming; ревью review;
задание assignment homework; домашка homework;
"""


def _stem(word: str) -> str:
    if _CYRILLIC.search(word):
        for suffix in _RU_REFLEXIVE:
            if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
                word = word[: -len(suffix)]
                break
        suffixes = _RU_SUFFIXES
    else:
        suffixes = _EN_SUFFIXES
    for suffix in suffixes:
        if not word.endswith(suffix) or len(word) - len(suffix) < _MIN_STEM:
            continue
        if suffix == "es" and not re.search(r"(?:ss|[xz]|[cs]h)es$", word):
            continue  # "courses" loses only its "s", "boxes" its "es"
        word = word[: -len(suffix)]
        if suffix == "ies":
            word += "y"
        elif suffix in ("ing", "ed") and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]  # "planned", "running"
        break
    return word


_SKELETON_RULES = [("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ph", "f"), ("x", "ks"),
                   ("c", "k"), ("q", "k")]


def _skeleton(latin: str) -> str:
    for old, new in _SKELETON_RULES:
        latin = latin.replace(old, new)
    latin = re.sub(r"(?<=[aeiou])j(?=[aeiou])", "", latin)  # "project" ~ "проект"
    consonants = re.sub(r"[aeiouyhw]", "", latin)
    return re.sub(r"(.)\1+", r"\1", consonants)


@lru_cache(maxsize=1)
def _glossary() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for entry in _GLOSSARY_TEXT.replace("\n", " ").split(";"):
        russian, *english = entry.split() or [""]
        if english:
            table[_stem(russian)] = table.get(_stem(russian), ()) + tuple(map(_stem, english))
    return table


@lru_cache(maxsize=200_000)
def _forms(word: str) -> tuple[str, ...]:
    if word in _STOP or word.isdigit() or len(word) < 2:
        return ()
    stem = _stem(word)
    forms = [stem]
    latin = stem
    if _CYRILLIC.search(word):
        latin = transliterate(stem).lower()
        forms.append(latin)
    if latin.isascii():
        key = _skeleton(latin)
        if len(key) >= 3:
            forms.append("~" + key)
    forms.extend(_glossary().get(stem, ()))
    return tuple(dict.fromkeys(f for f in forms if f))


def tokenize(text: str) -> list[str]:
    """Index terms of text: stemmed words of any script, their transliterations and skeletons."""
    terms: list[str] = []
    for word in _WORD.findall(text.lower()):
        terms.extend(_forms(word))
    return terms


class Shortlist:
    """BM25 over (id, text) descriptors; top(query) names the closest few."""

    def __init__(self, docs: Iterable[tuple[str, str]], *, k1: float = 1.2, b: float = 0.75):
        self.ids: list[str] = []
        lengths: list[int] = []
        raw: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc_id, text in docs:
            counts = Counter(tokenize(text))
            index = len(self.ids)
            self.ids.append(doc_id)
            lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                raw[term].append((index, tf))
        n = len(self.ids)
        avg = (sum(lengths) / n if n else 0.0) or 1.0
        self._k1 = k1
        self._n = n
        self._norm = [k1 * (1 - b + b * length / avg) for length in lengths]
        self._raw = dict(raw)
        self._weighted: dict[str, tuple[float, list[tuple[int, float]]]] = {}

    def _term(self, term: str) -> tuple[float, list[tuple[int, float]]]:
        # Weighted on first use, so building stays cheap and later queries only multiply and add.
        if term not in self._weighted:
            plist, k1, norm = self._raw[term], self._k1, self._norm
            idf = math.log(1 + (self._n - len(plist) + 0.5) / (len(plist) + 0.5))
            if term.startswith("~"):
                idf *= SKELETON_WEIGHT
            self._weighted[term] = (idf, [(i, tf * (k1 + 1) / (tf + norm[i])) for i, tf in plist])
        return self._weighted[term]

    def __len__(self) -> int:
        return len(self.ids)

    def idf(self, term: str) -> float:
        """How rare a term is among the documents (BM25's idf; a term no document has is rarest)."""
        found = len(self._raw.get(term, ()))
        return math.log(1 + (self._n - found + 0.5) / (found + 0.5))

    def _accumulate(self, query_text: str) -> dict[int, float]:
        query = Counter(t for t in tokenize(query_text) if t in self._raw)
        acc: dict[int, float] = defaultdict(float)
        for term, qtf in query.items():
            idf, plist = self._term(term)
            # Saturate repeats in the query too: a transcript says a word many times.
            weight = idf * (1 + math.log(qtf))
            for index, w in plist:
                acc[index] += weight * w
        return acc

    def scores(self, query_text: str) -> dict[str, float]:
        """BM25 score of every document that shares a term with the query."""
        return {self.ids[i]: s for i, s in self._accumulate(query_text).items()}

    def top(self, query_text: str, k: int = 8) -> list[tuple[str, float]]:
        """The k best (id, score) pairs, best first; ties keep the order docs were given."""
        best = heapq.nsmallest(k, self._accumulate(query_text).items(), key=lambda p: (-p[1], p[0]))
        return [(self.ids[i], s) for i, s in best]

    def top_union(self, queries: Iterable[str], k: int = 8, *, depth: int = 20) -> list[tuple[str, float]]:
        """The k best for several queries at once (a group's own text, its synopsis), fused."""
        return fuse([[doc for doc, _ in self.top(q, depth)] for q in queries if q.strip()], k)


def fuse(rankings: Iterable[Sequence[str]], k: int = 8) -> list[tuple[str, float]]:
    """The union of several rankings, ranked by reciprocal rank fusion: no query's or index's score
    scale dominates, and a document ranked well by several wins."""
    fused: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking):
            fused[doc_id] += 1.0 / (RRF_K + rank + 1)
    return heapq.nsmallest(k, fused.items(), key=lambda p: (-p[1], p[0]))
