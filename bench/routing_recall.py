"""Leave-one-out routing recall on a real workspace (SPEC §8, "Measuring routing on real data").

For every input in inbox/used/ cited by exactly one article that another input also feeds, hide
the input (the article's paragraphs citing it are taken out before its card is built) and ask
whether the shortlist notesmith builds for it holds that article. The shortlist is notesmith's own:
the catalog's cards (`Article.summary`, `catalog.search_text`) and `Shortlist`.

    python bench/routing_recall.py [WORKSPACE] [--model NAME --base-url URL] [--limit N] [--show-misses N]

Queries compared, recall at 1, 3 and 8, overall and for Russian inputs:
  text          the input's own text (what an offline run searches with): its words against the cards
  perfect       the input's text and a perfect synopsis, ranked as a model run ranks them (routing.Finder:
                the text and the synopsis against the cards, the synopsis against the bodies' frequent
                words, fused); the perfect synopsis is the English paragraphs of the article that cite
                the input, the best translation of its content there is: an upper bound
  model         the input's text and the synopsis a real model writes (with --model/--base-url)

Cases whose article defines a footnote for the input but uses it in no paragraph (a real-data
defect: FN002) have no perfect synopsis and are left out, and counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import posixpath
import sys
import time
from collections import defaultdict
from pathlib import Path

from notesmith.inputs import read_input
from notesmith.pipeline.catalog import NAMES, body_terms
from notesmith.pipeline.prompts import Prompts
from notesmith.pipeline.routing import Finder, group_text
from notesmith.text.article import Article
from notesmith.text.markdown import local_target
from notesmith.text.slugs import language_of

KS = (1, 3, 8)
ROOT = Path(__file__).resolve().parents[1]


def citations(article: Article) -> dict[str, set[str]]:
    """Input file name → footnote labels that cite it (a definition linking into inbox/used/)."""
    found: dict[str, set[str]] = defaultdict(set)
    scan = article.scan
    for definition in scan.defs:
        for link in scan.links:
            if definition.line <= link.line <= definition.end_line and not link.image:
                path = local_target(link.target)
                if path and "inbox/used/" in path:
                    found[posixpath.basename(path)].add(definition.label)
    return found


def paragraphs_citing(article: Article, labels: set[str]) -> list[tuple[int, int]]:
    """(first, last) 1-based lines of the body paragraphs that reference any of labels."""
    refs = {r.line for r in article.scan.refs if r.label in labels}
    defs = {d.line for d in article.scan.defs}
    spans, start = [], None
    lines = article.lines
    for number in range(article.body_start, len(lines) + 2):
        line = lines[number - 1] if number <= len(lines) else ""
        if line.strip() and start is None:
            start = number
        elif not line.strip() and start is not None:
            if any(start <= r <= number - 1 for r in refs) and start not in defs:
                spans.append((start, number - 1))
            start = None
    return spans


def without(article: Article, spans: list[tuple[int, int]]) -> Article:
    drop = {n for a, b in spans for n in range(a, b + 1)}
    return Article("\n".join(line for n, line in enumerate(article.lines, 1) if n not in drop) + "\n", article.path)


def summary(article: Article, rel: str):
    """The article's card and body terms, as the catalog makes them."""
    return article.summary(rel, names=NAMES)._replace(terms=body_terms(article))


def load(workspace: Path):
    articles: dict[str, Article] = {}
    cited_by: dict[str, set[str]] = defaultdict(set)
    for path in sorted((workspace / "articles").rglob("*.md")):
        if path.name.startswith("_"):
            continue
        rel = path.relative_to(workspace).as_posix()
        articles[rel] = article = Article.load(path)
        for name in citations(article):
            cited_by[name].add(rel)
    return articles, cited_by


def model_synopses(args, cases, workspace: Path) -> dict[str, str]:
    from notesmith.errors import ModelError
    from notesmith.llm import OpenAILLM
    from notesmith.pipeline.synopsis import write_synopsis

    llm = OpenAILLM(args.model, base_url=args.base_url, context_tokens=args.context, timeout=600, retries=1)
    prompts = Prompts(workspace / "prompts")
    out, started = {}, time.perf_counter()
    for n, (name, _) in enumerate(cases, 1):
        item = read_input(workspace / "inbox/used" / name)
        try:
            out[name] = write_synopsis(llm, prompts, [item], "en").query()
        except ModelError as exc:
            print(f"  synopsis of {name} failed: {exc.message}", file=sys.stderr)
            out[name] = ""
        if n % 20 == 0:
            print(f"  {n}/{len(cases)} synopses, {(time.perf_counter() - started) / n:.1f} s each", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path, nargs="?", default=ROOT.parent / "shared/corpus/workspace")
    parser.add_argument("--model", help="a model to write synopses with (the 'model' row)")
    parser.add_argument("--base-url", help="its OpenAI-compatible endpoint")
    parser.add_argument("--context", type=int, default=8192, help="the model's context size")
    parser.add_argument("--limit", type=int, help="only the first N cases (a slow model)")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    workspace = args.workspace
    articles, cited_by = load(workspace)
    feeds: dict[str, int] = defaultdict(int)
    for rels in cited_by.values():
        for rel in rels:
            feeds[rel] += 1
    cases = [(name, next(iter(rels))) for name, rels in sorted(cited_by.items())
             if len(rels) == 1 and feeds[next(iter(rels))] >= 2 and (workspace / "inbox/used" / name).is_file()]
    cases = cases[: args.limit] if args.limit else cases
    summaries = {rel: summary(a, rel) for rel, a in articles.items()}
    synopses = model_synopses(args, cases, workspace) if args.model else {}

    rows = ["text", "perfect", *(["model"] if args.model else [])]
    hits = {(row, lang): dict.fromkeys(KS, 0) for row in rows for lang in ("all", "ru")}
    counts = {"all": 0, "ru": 0}
    misses, uncited = [], 0
    started = time.perf_counter()
    for name, rel in cases:
        article = articles[rel]
        labels = citations(article)[name]
        spans = paragraphs_citing(article, labels)
        if not spans:  # the article defines a footnote for the input that no paragraph uses: no synopsis to take
            uncited += 1
            continue
        hidden = without(article, spans)
        finder = Finder(list({**summaries, rel: summary(hidden, rel)}.values()))
        item = read_input(workspace / "inbox/used" / name)
        text = group_text([item])
        perfect = "\n".join("\n".join(article.lines[a - 1:b]) for a, b in spans)
        queries = {"text": None, "perfect": perfect, "model": synopses.get(name) or None}
        lang = "ru" if language_of(item.text) == "ru" else "other"
        counts["all"] += 1
        counts["ru"] += lang == "ru"
        for row in rows:
            ranked = [e.rel for e in finder.candidates(text, queries[row], max(KS)).entries]
            for k in KS:
                hit = rel in ranked[:k]
                hits[(row, "all")][k] += hit
                if lang == "ru":
                    hits[(row, "ru")][k] += hit
            if row == "perfect" and rel not in ranked[:8]:
                misses.append((name, rel, ranked[:3]))
    seconds = time.perf_counter() - started

    print(f"{workspace.name}: {len(articles)} articles, {counts['all']} cases ({counts['ru']} Russian; "
          f"{uncited} more left out: their article cites them in no paragraph), {dt.date.today()}")
    print("| query | inputs | " + " | ".join(f"recall@{k}" for k in KS) + " |")
    print("|---|---|" + "---|" * len(KS))
    for row in rows:
        for lang in ("all", "ru"):
            n = counts[lang] or 1
            print(f"| {row} | {lang} | " + " | ".join(f"{hits[(row, lang)][k] / n:.3f}" for k in KS) + " |")
    print(f"{seconds:.1f} s for {len(cases)} cases")
    for name, rel, top in misses[: args.show_misses]:
        print(f"miss (perfect) {name} -> {rel}; got {top}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
