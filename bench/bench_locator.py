"""The passage locator on real transcripts and notes (issue 9).

    python bench/bench_locator.py [CORPUS_WORKSPACE] [--passages 1000] [--seed 7] [--show-misses 10]

CORPUS_WORKSPACE defaults to ../shared/corpus/workspace beside the repository. From every
transcript and note at the top of its inbox/used/ the bench samples passages (seeded), quotes
their first and last words as a model would, perturbs the quotes as models and transcribers do,
and measures:

1. right lines: the share of perturbed passages placed on exactly the lines of the stored file
   that hold the quoted words (target >= 98%);
2. wrong transcript: the share of the same quotes placed anywhere when looked for in a different
   transcript, the next one in time (same author and topic, the hardest case) and a random one of
   the same language (target <= 1%); quotes whose whole passage is also in that file are left out;
3. time per locate, on the corpus files and on a 1 MB transcript made of corpus transcripts.

The ground truth comes from the bench's own reading of the file (whitespace-separated words and
their line numbers), not from the locator's index.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from notesmith.inputs.reading import decode  # noqa: E402
from notesmith.pipeline.locate import locate  # noqa: E402
from notesmith.pipeline.wordindex import FILLERS, SourceIndex, normalize_word, words_of  # noqa: E402

_RAW_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"\w")
_CYRILLIC = re.compile(r"[а-яё]", re.I)
_LATIN = re.compile(r"[a-z]", re.I)
FILLERS_RU = ["ну", "вот", "типа", "э", "короче"]
FILLERS_EN = ["uh", "um", "like", "uhm"]


@dataclass
class Source:
    name: str
    text: str
    language: str
    kind: str  # transcript, note or photo
    words: list[tuple[int, int, str]]  # (start char, end char, raw word) of the body
    index: SourceIndex


@dataclass
class Case:
    source: Source
    first: str
    last: str
    lines: tuple[int, int]
    words: list[str]  # the passage's normalised words, to tell a genuine duplicate elsewhere
    perturbations: list[str]


def load(folder: Path) -> list[Source]:
    sources = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or not (path.name.endswith("_transcript.txt") or path.suffix == ".md"):
            continue
        try:
            text = decode(path.read_bytes())
        except Exception:  # noqa: BLE001 - the bench skips what the reader would reject
            continue
        body = _body_start(text)
        words = [(m.start(), m.end(), m.group()) for m in _RAW_WORD.finditer(text, body)]
        if len(words) < 30:
            continue
        sample = text[body:body + 4000]
        language = "ru" if len(_CYRILLIC.findall(sample)) > len(_LATIN.findall(sample)) else "en"
        kind = ("transcript" if path.name.endswith("_transcript.txt") else
                "photo" if path.name.endswith("_photo.md") else "note")
        sources.append(Source(path.name, text, language, kind, words, warm(SourceIndex(text, path.name))))
    return sources


def warm(index: SourceIndex) -> SourceIndex:
    """Build the lazy parts (positions, spelling neighbours) so locate timings leave them out."""
    index.positions(0)
    index.similar("warm")
    return index


def _body_start(text: str) -> int:
    if not text.startswith("---\n"):
        return 0
    close = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.M)
    return 4 + close.end() + 1 if close else 0


def _content(word: str) -> bool:
    """A word a quote can start or end on: has letters or digits and is not a filler."""
    normal = words_of(word)
    return bool(normal) and _LETTERS.search(word) is not None


def line_of(text: str, char: int) -> int:
    return text.count("\n", 0, char) + 1


# -- perturbations: each takes the list of quote words and returns it changed --------------------

def p_case(words, rng, language):
    mode = rng.choice(["lower", "upper-first", "random"])
    if mode == "lower":
        return [w.lower() for w in words]
    if mode == "upper-first":
        return [words[0][:1].upper() + words[0][1:]] + words[1:]
    return [w.upper() if rng.random() < 0.2 else w for w in words]


def p_punctuation(words, rng, language):
    if rng.random() < 0.5:
        return [re.sub(r"[^\w]", "", w) or w for w in words]
    return [w + rng.choice([",", ".", "", "", ";", "!"]) for w in words]


def p_yo(words, rng, language):
    return [w.replace("ё", "е").replace("Ё", "Е") for w in words]


def p_filler(words, rng, language):
    kept = [w for w in words if normalize_word(re.sub(r"[^\w]", "", w)) not in FILLERS]
    if len(kept) < len(words) and rng.random() < 0.6:
        return kept
    at = rng.randrange(1, max(2, len(words)))
    filler = rng.choice(FILLERS_RU if language == "ru" else FILLERS_EN)
    return words[:at] + [filler + ","] + words[at:]


def p_misspell(words, rng, language):
    long = [i for i, w in enumerate(words) if len(re.sub(r"[^\w]", "", w)) >= 5]
    if not long:
        return words
    i = rng.choice(long)
    w = words[i]
    letters = [j for j, c in enumerate(w) if c.isalpha()]
    if not letters:
        return words
    j = rng.choice(letters[1:-1] or letters)
    alphabet = "абвгдежзиклмнопрстуфхцчшщыьэюя" if language == "ru" else "abcdefghijklmnopqrstuvwxyz"
    kind = rng.choice(["sub", "del", "ins", "swap"])
    if kind == "sub":
        w = w[:j] + rng.choice(alphabet) + w[j + 1:]
    elif kind == "del":
        w = w[:j] + w[j + 1:]
    elif kind == "ins":
        w = w[:j] + rng.choice(alphabet) + w[j:]
    elif j + 1 < len(w) and w[j + 1].isalpha():
        w = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    return words[:i] + [w] + words[i + 1:]


def p_wrap(words, rng, language):
    out = []
    for w in words:
        out.append(w)
        out.append(rng.choice(["\n", "  ", " \n ", " "]) if rng.random() < 0.3 else " ")
    return ["".join(out).strip()]


def p_typography(words, rng, language):
    text = " ".join(words)
    if rng.random() < 0.5:
        text = (text.replace('"', "«", 1).replace('"', "»", 1).replace(" - ", " — ").replace("...", "…")
                .replace("'", "’"))
    else:
        text = (text.replace("«", '"').replace("»", '"').replace("—", "-").replace("…", "...")
                .replace("’", "'").replace("“", '"').replace("”", '"'))
    if rng.random() < 0.5:
        text = "«" + text + "»" if language == "ru" else "“" + text + "”"
    return text.split(" ")


def p_stutter(words, rng, language):
    i = rng.randrange(len(words))
    return words[:i + 1] + [words[i]] + words[i + 1:]


PERTURBATIONS = {  # in the order they are applied
    "filler": p_filler, "stutter": p_stutter, "misspell": p_misspell, "case": p_case, "yo": p_yo,
    "punctuation": p_punctuation, "typography": p_typography, "wrap": p_wrap,
}


def sample(sources: list[Source], count: int, rng: random.Random, quote: tuple[int, int] = (4, 10)) -> list[Case]:
    cases: list[Case] = []
    attempts = 0
    while len(cases) < count and attempts < count * 50:
        attempts += 1
        source = rng.choice(sources)
        words = source.words
        length = rng.randint(8, min(150, len(words)))
        first = rng.randrange(0, len(words) - length + 1)
        last = first + length - 1
        k_first, k_last = rng.randint(*quote), rng.randint(*quote)
        shifts = []
        if rng.random() < 0.3:  # the model starts or ends a word off
            first += rng.choice([-1, 1])
            shifts.append("shift-start")
        if rng.random() < 0.3:
            last += rng.choice([-1, 1])
            shifts.append("shift-end")
        if first < 0 or last >= len(words) or last - first < 4:
            continue
        # The passage as the quote gives it: its words start and end on something a quote can hold.
        while first < last and not _content(words[first][2]):
            first += 1
        while last > first and not _content(words[last][2]):
            last -= 1
        if last - first < 4 or _repeat(words, first) or _repeat(words, last + 1):
            continue
        quote_first = [w for _, _, w in words[first:min(first + k_first, last + 1)]]
        quote_last = [w for _, _, w in words[max(first, last - k_last + 1):last + 1]]
        chosen = rng.sample(list(PERTURBATIONS), rng.randint(1, 4))
        if source.language != "ru" and "yo" in chosen:
            chosen.remove("yo")
        chosen.sort(key=list(PERTURBATIONS).index)  # word-level changes first, then the text-level ones
        for name in chosen:
            if rng.random() < 0.5:
                quote_first = PERTURBATIONS[name](quote_first, rng, source.language)
            else:
                quote_last = PERTURBATIONS[name](quote_last, rng, source.language)
        lines = (line_of(source.text, words[first][0]), line_of(source.text, words[last][1] - 1))
        passage = words_of(" ".join(w for _, _, w in words[first:last + 1]))
        cases.append(Case(source, " ".join(quote_first), " ".join(quote_last), lines, passage,
                          chosen + shifts))
    return cases


def _repeat(words, i: int) -> bool:
    """True when word i repeats the word before it (the locator counts "the the" once)."""
    if i <= 0 or i >= len(words):
        return False
    before = next((words_of(w) for _, _, w in reversed(words[max(0, i - 4):i]) if words_of(w)), [])
    return bool(before) and words_of(words[i][2])[:1] == before[-1:]


def _contains(haystack: list[str], needle: list[str]) -> bool:
    if not needle:
        return False
    text = " " + " ".join(haystack) + " "
    return (" " + " ".join(needle) + " ") in text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", default=str(HERE.parent.parent / "shared" / "corpus" / "workspace"))
    parser.add_argument("--passages", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-misses", type=int, default=0)
    args = parser.parse_args()
    folder = Path(args.corpus) / "inbox" / "used"
    if not folder.is_dir():
        print(f"no {folder}; give the corpus workspace as the first argument", file=sys.stderr)
        return 2
    rng = random.Random(args.seed)
    started = time.perf_counter()
    sources = load(folder)
    built = time.perf_counter() - started
    text_sources = [s for s in sources if s.kind != "photo"]
    photos = [s for s in sources if s.kind == "photo"]
    count = {(k, lang): sum(1 for s in sources if s.kind == k and s.language == lang)
             for k in ("transcript", "note", "photo") for lang in ("ru", "en")}
    print(f"{len(sources)} sources ({', '.join(f'{k} {lang} {n}' for (k, lang), n in count.items())}); "
          f"read and indexed in {built:.2f} s ({1000 * built / len(sources):.1f} ms each)")
    print("\n== transcripts and notes ==")
    evaluate(text_sources, sample(text_sources, args.passages, rng), rng, args.show_misses, big=True)
    print("\n== transcripts and notes, short quotes (3-5 words at each end) ==")
    evaluate(text_sources, sample(text_sources, args.passages // 2, rng, (3, 5)), rng, args.show_misses)
    print("\n== photo records (image descriptions: templated headings, repeated phrases) ==")
    evaluate(photos, sample(photos, max(100, args.passages // 5), rng), rng, args.show_misses)
    return 0


def pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}% ({a}/{b})" if b else "n/a"


def evaluate(sources: list[Source], cases: list[Case], rng: random.Random, show: int, big: bool = False) -> None:
    right = {"ru": [0, 0], "en": [0, 0]}
    per_perturbation: dict[str, list[int]] = {}
    misses = []
    miss_kinds: dict[str, int] = {}
    timings = []
    for case in cases:
        t0 = time.perf_counter()
        result = locate(case.source.index, case.first, case.last, label="S1")
        timings.append(time.perf_counter() - t0)
        ok = result.found and result.lines == case.lines
        right[case.source.language][0] += ok
        right[case.source.language][1] += 1
        for name in case.perturbations:
            per_perturbation.setdefault(name, [0, 0])
            per_perturbation[name][0] += ok
            per_perturbation[name][1] += 1
        if not ok:
            misses.append((case, result))
            kind = "not found" if not result.found else "other lines"
            miss_kinds[kind] = miss_kinds.get(kind, 0) + 1

    by_language = {lang: [s for s in sources if s.language == lang] for lang in ("ru", "en")}
    position = {s.name: i for i, s in enumerate(sources)}
    wrong = {"next": {"ru": [0, 0], "en": [0, 0]}, "random": {"ru": [0, 0], "en": [0, 0]}}
    genuine = 0
    wrong_examples = []
    for case in cases:
        language = case.source.language
        i = position[case.source.name]
        others = {"next": next((s for s in sources[i + 1:] + sources[:i] if s.language == language), None),
                  "random": rng.choice([s for s in by_language[language] if s is not case.source] or [None])}
        for kind, other in others.items():
            if other is None or other is case.source:
                continue
            if _contains([other.index.vocabulary[t] for t in other.index.tokens], case.words):
                genuine += 1
                continue
            result = locate(other.index, case.first, case.last, label="S2")
            wrong[kind][language][0] += result.found
            wrong[kind][language][1] += 1
            if result.found:
                wrong_examples.append((case, other, result))

    total_ok = sum(v[0] for v in right.values())
    print(f"right lines: {pct(total_ok, len(cases))}; ru {pct(*right['ru'])}; en {pct(*right['en'])}")
    print(f"  misses: {miss_kinds}")
    for name, (a, b) in sorted(per_perturbation.items()):
        print(f"  with {name:12} {pct(a, b)}")
    for kind, tally in wrong.items():
        a, b = sum(v[0] for v in tally.values()), sum(v[1] for v in tally.values())
        print(f"wrong transcript ({kind}): placed {pct(a, b)}; ru {pct(*tally['ru'])}; en {pct(*tally['en'])}")
    print(f"  left out as genuinely in the other file too: {genuine}")
    ms = [t * 1000 for t in timings]
    print(f"locate on corpus files: mean {statistics.mean(ms):.2f} ms, median {statistics.median(ms):.2f} ms, "
          f"p99 {sorted(ms)[int(len(ms) * 0.99)]:.1f} ms, max {max(ms):.1f} ms")
    if big:
        swapped = sum(1 for case in cases[:300] if (r := locate(case.source.index, case.last, case.first)).found
                      and r.lines == case.lines)
        print(f"last words given first (a model's slip): placed on the right lines {pct(swapped, min(300, len(cases)))}")
        big_report(sources, cases, rng)
    for case, result in misses[:show]:
        print(f"\nMISS {case.source.name} lines {case.lines} {case.perturbations}\n  first: {case.first!r}\n"
              f"  last: {case.last!r}\n  got: {result}")
    for case, other, result in wrong_examples[:show]:
        print(f"\nWRONG {case.source.name} -> {other.name}\n  first: {case.first!r}\n  last: {case.last!r}\n"
              f"  got: {result} {other.text[result.span.chars[0]:result.span.chars[1]][:300]!r}")


def long_transcript(transcripts: list[Source]) -> tuple[SourceIndex, dict[str, tuple[int, int]], float]:
    """One transcript made of the bodies of many; for each, (its first line there, its body's first
    line in its own file); and the seconds the index took."""
    parts, first_line, line = ["---\nsource: telegram_voice\n---\n\n"], {}, 5
    for source in transcripts:
        body = source.text[source.words[0][0]:].rstrip("\n") + "\n\n"
        first_line[source.name] = (line, line_of(source.text, source.words[0][0]))
        parts.append(body)
        line += body.count("\n")
    t0 = time.perf_counter()
    index = warm(SourceIndex("".join(parts), "long_transcript.txt"))
    return index, first_line, time.perf_counter() - t0


def big_report(sources: list[Source], cases: list[Case], rng: random.Random) -> None:
    """Locates in one long transcript made of all the corpus transcripts (time, right lines), and
    quotes from transcripts held out of another (the more words, the likelier a chance match)."""
    transcripts = [s for s in sources if s.kind == "transcript"]
    index, first_line, build = long_transcript(transcripts)
    inside = [c for c in cases if c.source.name in first_line]
    timings, right = [], 0
    for case in inside:
        t0 = time.perf_counter()
        result = locate(index, case.first, case.last)
        timings.append((time.perf_counter() - t0) * 1000)
        at, body_line = first_line[case.source.name]
        expected = (case.lines[0] - body_line + at, case.lines[1] - body_line + at)
        right += result.found and result.lines == expected
    print(f"long transcript ({len(index.text.encode()) / 1e6:.2f} MB, {len(index)} words, {len(first_line)} "
          f"transcripts): index built in {build * 1000:.0f} ms; {len(inside)} locates: mean "
          f"{statistics.mean(timings):.2f} ms, median {statistics.median(timings):.2f} ms, "
          f"max {max(timings):.1f} ms; right lines {pct(right, len(inside))}")
    held_out = set(s.name for s in rng.sample(transcripts, len(transcripts) // 5))
    index, _, _ = long_transcript([s for s in transcripts if s.name not in held_out])
    outside = [s for s in transcripts if s.name in held_out]
    words = [index.vocabulary[t] for t in index.tokens]
    for quote in ((4, 10), (3, 5)):
        placed = asked = 0
        for case in sample(outside, 500, rng, quote):
            if _contains(words, case.words):
                continue
            asked += 1
            placed += locate(index, case.first, case.last).found
        print(f"  quotes of {quote[0]}-{quote[1]} words from {len(outside)} transcripts held out of a "
              f"{len(index.text.encode()) / 1e6:.2f} MB one: placed {pct(placed, asked)}")


if __name__ == "__main__":
    sys.exit(main())
