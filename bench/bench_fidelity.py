"""Passage citations on real data: a model run and an offline run on a copy of the corpus workspace (issue 9).

    python bench/bench_fidelity.py [CORPUS_WORKSPACE] [--seed 9] [--invent-every 6] [--keep DIR]

CORPUS_WORKSPACE defaults to ../shared/corpus/workspace beside the repository. It is copied to a
temporary folder and committed there as a base; it is never processed in place.

The model run uses notesmith.ScriptedLLM with a script that reads each prompt and answers as a
careful but imperfect model would:
- routing: every second group that has candidate articles updates the first candidate, the rest
  create new articles;
- drafting: one paragraph per paragraph of every source it was given, quoting the passage's first
  and last eight words the way models do (case, punctuation, ё/е and fillers changed at random),
  and every Nth paragraph an invented one, quoting words no source holds;
- the re-ask for passages not found: real passages quoted verbatim, invented ones invented again.

Then it checks, without the locator: every anchored footnote's lines hold its passage (the first
words on its first line, the last words on its last); every invented passage has no anchor and is
counted unverified; coverage is in the summary, the run log and the commit trailer; `check` finds
nothing new in the written articles. The offline run drafts the same inputs and must anchor every
paragraph.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import notesmith  # noqa: E402
from notesmith.llm import ScriptedLLM  # noqa: E402

FILLERS = {"ru": ["ну", "вот", "типа"], "en": ["uh", "um", "like"]}
NONSENSE = ["the quarterly zeppelin budget", "a committee of alpaca shepherds", "the lighthouse cooperative",
            "seventeen brass metronomes", "the volcanic tea ceremony", "an orbital bakery in Lisbon"]
_TAG = re.compile(r"\(p(\d+)\)")
_ANCHORED = re.compile(r"^\[\^([^\]]+)\]: \[[^\]]+\]\(([^)#]+)(?:#L(\d+)(?:-L(\d+))?)?\)", re.M)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def copy(corpus: Path, dest: Path) -> Path:
    shutil.copytree(corpus, dest)
    for path in [dest, *dest.rglob("*")]:  # a user's own copy is theirs to write (the shared one is read-only)
        path.chmod(path.stat().st_mode | 0o200)
    (dest / "notesmith.toml").write_text("", encoding="utf-8")
    git(dest, "init", "-q", "-b", "main")
    git(dest, "config", "user.name", "Bench")
    git(dest, "config", "user.email", "bench@example.invalid")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "base")
    return dest


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace("ё", "е"))


def lines_hold(stored: str, first_line: int, last_line: int, first: str, last: str) -> bool:
    """The stored lines hold first's words from the first line on and last's words up to the last line."""
    held = stored.replace("\r\n", "\n").split("\n")[first_line - 1:last_line]
    if not held or last_line > stored.count("\n") + 1:
        return False
    span, head, tail = " ".join(words(" ".join(held))), " ".join(words(first)), " ".join(words(last))
    at = span.find(head)
    return (bool(head) and at >= 0 and span.rfind(tail) >= at and words(first)[0] in words(held[0])
            and words(last)[-1] in words(held[-1]))


class Model:
    """The script: answers routing, drafting and re-ask prompts from what they hold."""

    def __init__(self, seed: int, invent_every: int):
        self.rng = random.Random(seed)
        self.invent_every = invent_every
        self.passages: dict[int, dict] = {}  # tag → {"first", "last", "invented"}
        self.tags = itertools.count(1)
        self.groups = 0

    def __call__(self, request):
        schema = request.schema or {}
        if request.purpose == "route":
            return self.route(schema)
        if request.purpose == "quotes":
            return self.quote_again(request.messages[-1]["content"], schema)
        sources = self.sources(request.messages[1]["content"])  # the prompt (a re-ask adds messages after it)
        blocks = self.blocks(sources)
        if request.purpose == "update":
            section = schema["properties"]["edits"]["items"]["properties"]["section"]["enum"][0]
            return {"edits": [{"op": "append", "section": section, "heading": None, "blocks": blocks}],
                    "tags": [], "instructions": [], "search": []}
        return {"title": f"Notes {self.rng.randrange(10**6)}", "tags": ["notes"], "description": "Notes.",
                "blocks": blocks, "instructions": [], "search": []}

    def route(self, schema: dict) -> dict:
        item = schema["properties"]["decisions"]["items"]["properties"]
        aliases = item["sources"]["items"]["enum"]
        article = item["article"]
        ids = [a for a in (article.get("enum") or [x for o in article.get("anyOf", []) for x in o.get("enum", [])])
               if a is not None]
        self.groups += 1
        if ids and self.groups % 2 == 0:
            return {"decisions": [{"action": "update", "sources": aliases, "article": ids[0], "title": "",
                                   "reason": ""}], "instructions": [], "search": []}
        return {"decisions": [{"action": "create", "sources": aliases, "article": None, "title": "Notes",
                               "reason": ""}], "instructions": [], "search": []}

    @staticmethod
    def sources(prompt: str) -> dict[str, str]:
        body = prompt.rsplit("\nSources:\n\n", 1)[1]
        parts = re.split(r"^\[(S\d+)\] [^\n]*\n", body, flags=re.M)
        return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}

    def perturb(self, quote: list[str], language: str) -> str:
        out = list(quote)
        if self.rng.random() < 0.3:
            out = [w.lower() for w in out]
        if self.rng.random() < 0.3:  # models drop the punctuation around words, not inside URLs
            out = [w.strip(".,;:!?\"'()«»—–-") or w for w in out]
        if self.rng.random() < 0.3:
            out = [w.replace("ё", "е") for w in out]
        if self.rng.random() < 0.2 and len(out) > 2:
            out.insert(self.rng.randrange(1, len(out)), self.rng.choice(FILLERS[language]) + ",")
        return " ".join(out)

    def blocks(self, sources: dict[str, str]) -> list[dict]:
        blocks = []
        for alias, text in sources.items():
            blocks.append({"type": "heading", "text": f"From {alias}", "level": 2, "evidence": []})
            paragraphs = [p for p in (re.sub(r"^#+ .*\n?", "", p, flags=re.M).strip()  # headings aside
                                      for p in re.split(r"\n\s*\n", text))
                          if len(re.findall(r"\w+", p)) >= 3] or [text]  # a short note is quoted whole
            for paragraph in paragraphs:
                found = paragraph.split()
                language = "ru" if re.search(r"[а-яё]", paragraph, re.I) else "en"
                tag = next(self.tags)
                first, last = found[:8], found[-8:]
                self.passages[tag] = {"first": " ".join(first), "last": " ".join(last), "invented": False}
                blocks.append({"type": "paragraph", "text": f"Passage (p{tag}) of {alias}: {' '.join(found[:12])}",
                               "level": 2, "evidence": [{"source": alias, "first_words": self.perturb(first, language),
                                                         "last_words": self.perturb(last, language)}]})
                if tag % self.invent_every == 0:
                    tag = next(self.tags)
                    made_up = self.rng.choice(NONSENSE)
                    self.passages[tag] = {"first": f"we discussed {made_up} at length",
                                          "last": f"and {made_up} was approved", "invented": True}
                    blocks.append({"type": "paragraph", "text": f"An invented claim (p{tag}) about {made_up}.",
                                   "level": 2, "evidence": [{"source": alias, "first_words": self.passages[tag]["first"],
                                                             "last_words": self.passages[tag]["last"]}]})
        return blocks

    def quote_again(self, prompt: str, schema: dict) -> dict:
        items = schema["properties"]["passages"]["items"]["properties"]["item"]["enum"]
        answers = []
        for qid in items:
            found = re.search(rf"^{qid}: paragraph \"[^\n]*\(p(\d+)\)[^\n]*\n  quoted from (S\d+)", prompt, re.M)
            if not found:
                continue
            passage = self.passages[int(found.group(1))]
            first, last = passage["first"], passage["last"]
            if passage["invented"]:
                first, last = first.replace("discussed", "talked about"), last.replace("approved", "accepted")
            answers.append({"item": qid, "source": found.group(2), "first_words": first, "last_words": last})
        return {"passages": answers}


def verify(ws: Path, rels: list[str], passages: dict[int, dict] | None) -> dict:
    """Count anchors whose lines hold their passage; with passages None the paragraph's own words are the quote."""
    counts = {"paragraphs": 0, "anchored": 0, "held": 0, "not_held": [], "plain": 0, "invented_anchored": 0,
              "invented_plain": 0}
    for rel in rels:
        text = (ws / rel).read_text(encoding="utf-8")
        notes = {m.group(1): (m.group(2), m.group(3), m.group(4)) for m in _ANCHORED.finditer(text)}
        body = text.split("\n## Sources\n")[0]
        previous = ""
        for block in body.split("\n\n"):
            if not words(re.sub(r"\[\^[^\]]+\]", "", block)):  # markers on a line of their own, after code
                block = previous.rstrip() + " " + block
            previous = block
            labels = re.findall(r"\[\^([^\]]+)\]", block)
            tag = _TAG.search(block)
            if not labels or block.lstrip().startswith("#") or (passages is not None and not tag):
                continue
            counts["paragraphs"] += 1
            plain = re.sub(r"\[\^[^\]]+\]", "", block).split()
            passage = passages[int(tag.group(1))] if passages is not None else {
                "first": " ".join(plain[:3]), "last": " ".join(plain[-3:]), "invented": False}
            for label in labels:
                path, first_line, last_line = notes[label]
                if first_line is None:
                    counts["plain"] += 1
                    counts["invented_plain"] += passage["invented"]
                    continue
                counts["anchored"] += 1
                counts["invented_anchored"] += passage["invented"]
                stored = (ws / rel).parent.joinpath(path.replace("%20", " ")).resolve().read_text(encoding="utf-8")
                if lines_hold(stored, int(first_line), int(last_line or first_line), passage["first"], passage["last"]):
                    counts["held"] += 1
                else:
                    counts["not_held"].append((rel, label, passage["first"]))
    return counts


def spread(values: list[int]) -> str:
    if not values:
        return "none"
    return (f"{len(values)} inputs: min {min(values)}%, median {statistics.median(values):g}%, "
            f"mean {statistics.mean(values):.1f}%, max {max(values)}%; at 100%: {sum(v == 100 for v in values)}")


def findings(ws: Path) -> set[tuple[str, str, str]]:
    return {(f.path, f.code, f.message) for f in notesmith.check(workspace=ws).findings}


def run(corpus: Path, folder: Path, args) -> None:
    ws = copy(corpus, folder / "model")
    before = findings(ws)
    model = Model(args.seed, args.invent_every)
    llm = ScriptedLLM(itertools.repeat(model), name="scripted-quoter", context_tokens=32768)
    report = notesmith.process(ws, llm=llm, jobs=1)
    rels = [*report.created, *report.updated]
    counts = verify(ws, rels, model.passages)
    invented = sum(p["invented"] for p in model.passages.values())
    trailer = next((line for line in git(ws, "log", "-1", "--format=%B").splitlines()
                    if line.startswith("Notesmith-Coverage:")), "")
    log = json.loads((ws / report.log_file).read_text(encoding="utf-8"))
    new = sorted(findings(ws) - before)
    print("model run (scripted quoter):")
    print(f"  inputs read {report.inputs_read}; created {len(report.created)}, updated {len(report.updated)}, "
          f"waiting {len(report.waiting)}, failed {len(report.failed)}")
    print(f"  model calls: {len(llm.requests)} ({sum(r.purpose == 'quotes' for r in llm.requests)} re-asks for "
          f"passages not found)")
    print(f"  paragraphs drafted {len(model.passages)} (invented {invented}); in articles {counts['paragraphs']}")
    print(f"  anchored footnotes {counts['anchored']}: lines hold the passage {counts['held']}, "
          f"not {len(counts['not_held'])} {counts['not_held'][:5]}")
    print(f"  plain (unverified) footnotes {counts['plain']}, of them invented {counts['invented_plain']}; "
          f"invented anchored {counts['invented_anchored']}; report.unverified {len(report.unverified)}")
    print(f"  coverage: {spread([c.percent for c in report.coverage])}")
    print(f"  coverage in summary: {any(line.startswith('  coverage ') for line in report.summary_lines())}, "
          f"run log: {len(log['report']['coverage'])} inputs, trailer: {trailer[:100]}{'…' if len(trailer) > 100 else ''}")
    print(f"  check: {len(new)} new findings {new[:5]}; run's own check findings {report.findings[:3]}")

    ws = copy(corpus, folder / "offline")
    before = findings(ws)
    report = notesmith.process(ws)
    rels = [*report.created, *report.updated]
    counts = verify(ws, rels, None)
    new = sorted(findings(ws) - before)
    print("offline run:")
    print(f"  created {len(report.created)}, updated {len(report.updated)}, waiting {len(report.waiting)}")
    print(f"  cited paragraphs {counts['paragraphs']}: anchored {counts['anchored']} (lines hold them "
          f"{counts['held']}, not {counts['not_held'][:3]}), plain {counts['plain']}; unverified {len(report.unverified)} "
          f"{[(u.input, u.reason) for u in report.unverified[:3]]}")
    print(f"  coverage: {spread([c.percent for c in report.coverage])}")
    print(f"  check: {len(new)} new findings {new[:5]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=HERE.parent.parent / "shared" / "corpus" / "workspace")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--invent-every", type=int, default=6)
    parser.add_argument("--keep", type=Path, help="write the two workspaces here instead of a temporary folder")
    args = parser.parse_args()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        run(args.corpus, args.keep, args)
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(args.corpus, Path(folder), args)


if __name__ == "__main__":
    main()
