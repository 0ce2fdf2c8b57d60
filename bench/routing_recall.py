"""Leave-one-out routing recall of the lexical shortlist on a real workspace (SPEC §8).

For each input in inbox/used/ cited by exactly one article that at least one other input also
feeds, build the query from the input's text and ask whether that article is in the top k.

    python bench/routing_recall.py WORKSPACE [--body none|names|terms|full] [--show-misses N]

The article's paragraphs that cite the hidden input are left out of its descriptor, so the
input's own content cannot leak into the index. The last line times an index of about 10,000
descriptors (copies of the workspace's) to check that building and querying stay fast.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

from notesmith.pipeline.shortlist import Shortlist
from notesmith.text.prose import salient_names

KS = (1, 3, 5, 8)
TITLE_WEIGHT = 3
NAMES_LIMIT = 40

_FRONTMATTER = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.M)
_DESCRIPTION = re.compile(r"^description:\s*[\"']?(.*?)[\"']?\s*$", re.M)
_TAGS_FLOW = re.compile(r"^tags:\s*\[(.*?)\]", re.M)
_TAGS_BLOCK = re.compile(r"^tags:\s*\n((?:\s*-\s*.*\n?)+)", re.M)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.M)
_DEFINITION = re.compile(r"^\[\^([^\]]+)\]:(.*)$", re.M)
_REFERENCE = re.compile(r"\[\^([^\]]+)\](?!:)")
_MARKUP = re.compile(r"\[\^[^\]]+\]|\]\([^)]*\)|<[^>]+>|https?://\S+")
_USED_LINK = re.compile(r"\]\((?:\.\./)+inbox/used/([^)/\s]+)\)")


def descriptor(text: str, fallback_title: str, *, body: str = "terms", hide: str = "") -> str:
    """Title (repeated), tags, description and headings of an article, plus some of its body.

    body: "none", "names" (product names and terms of the body), "terms" (each distinct word of
    the body once) or "full". Paragraphs that
    cite the input named by hide are left out, so that input's own content cannot leak.
    """
    match = _FRONTMATTER.match(text)
    front = match.group(1) if match else ""
    title = (m.group(1) if (m := _TITLE.search(front)) else "") or fallback_title
    tags = ""
    if m := _TAGS_FLOW.search(front):
        tags = m.group(1)
    elif m := _TAGS_BLOCK.search(front):
        tags = m.group(1)
    tags = re.sub(r"[-_,\[\]\"']", " ", tags)
    description = m.group(1) if (m := _DESCRIPTION.search(front)) else ""
    rest = text[match.end():] if match else text
    headings = [h for h in _HEADING.findall(rest) if h.strip().lower() != "sources"]
    parts = [title] * TITLE_WEIGHT + [tags, description, *headings]
    if body != "none":
        parts.append(_body_text(rest, hide, mode=body))
    return "\n".join(parts)


def _body_text(rest: str, hide: str, *, mode: str) -> str:
    hidden = {
        label for label, links in _DEFINITION.findall(rest)
        if hide and hide in _USED_LINK.findall(links)
    }
    kept = []
    for paragraph in re.split(r"\n\s*\n", rest):
        labels = set(_REFERENCE.findall(paragraph))
        head = paragraph.lstrip()
        if _DEFINITION.match(head) or head.startswith("#") or labels & hidden:
            continue
        kept.append(_MARKUP.sub(" ", paragraph))
    text = "\n".join(kept)
    if mode == "names":
        return " ".join(salient_names(text, NAMES_LIMIT))
    if mode == "terms":
        return " ".join(dict.fromkeys(re.findall(r"[^\W_]+", text.lower())))
    return text


def input_text(path: Path) -> str:
    """An input's text without its frontmatter."""
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    match = _FRONTMATTER.match(text)
    return text[match.end():] if match else text


def load(workspace: Path) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Article texts by relative path, and the articles that cite each used input."""
    texts: dict[str, str] = {}
    cited_by: dict[str, set[str]] = defaultdict(set)
    articles = workspace / "articles"
    for path in sorted(articles.rglob("*.md")):
        if path.name.startswith("_"):
            continue
        rel = str(path.relative_to(articles))
        texts[rel] = text = path.read_text(encoding="utf-8-sig", errors="replace")
        for _, links in _DEFINITION.findall(text):
            for name in _USED_LINK.findall(links):
                cited_by[name].add(rel)
    return texts, cited_by


def _title(rel: str) -> str:
    return Path(rel).stem.replace("-", " ")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("--body", choices=("none", "names", "terms", "full"), default="none",
                        help="how much of each article body to index (default: none)")
    parser.add_argument("--show-misses", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    used = args.workspace / "inbox" / "used"

    texts, cited_by = load(args.workspace)
    feeds: dict[str, int] = defaultdict(int)
    for articles in cited_by.values():
        for article in articles:
            feeds[article] += 1
    cases = [
        (name, next(iter(arts)))
        for name, arts in sorted(cited_by.items())
        if len(arts) == 1 and feeds[next(iter(arts))] >= 2 and (used / name).is_file()
    ]
    docs = {rel: descriptor(text, _title(rel), body=args.body) for rel, text in texts.items()}

    started = time.perf_counter()
    Shortlist(docs.items())
    build_ms = (time.perf_counter() - started) * 1000

    hits = dict.fromkeys(KS, 0)
    misses: list[tuple[str, str, list[str]]] = []
    query_s = 0.0
    for name, article in cases:
        # Hide the input: the article's paragraphs that cite it are left out of its descriptor.
        hidden = descriptor(texts[article], _title(article), body=args.body, hide=name)
        shortlist = Shortlist({**docs, article: hidden}.items())
        query = input_text(used / name)
        started = time.perf_counter()
        ranked = [doc_id for doc_id, _ in shortlist.top(query, k=max(KS))]
        query_s += time.perf_counter() - started
        for k in KS:
            hits[k] += article in ranked[:k]
        if article not in ranked[:5]:
            misses.append((name, article, ranked[:3]))

    n = len(cases)
    print(f"articles: {len(docs)}  cases: {n}  body: {args.body}")
    print("  ".join(f"recall@{k}: {hits[k] / n:.3f}" if n else f"recall@{k}: n/a" for k in KS))
    print(f"build: {build_ms:.1f} ms  query: {query_s / max(n, 1) * 1000:.2f} ms avg")

    copies = 10_000 // max(len(docs), 1) + 1
    started = time.perf_counter()
    big = Shortlist((f"{i}/{rel}", text) for i in range(copies) for rel, text in docs.items())
    build_s = time.perf_counter() - started
    queries = [input_text(used / name) for name, _ in cases[:50]] or ["claude code agents"]
    started = time.perf_counter()
    big.top(queries[0])
    first_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    for query in queries:
        big.top(query)
    print(f"{len(big)} descriptors: build {build_s * 1000:.0f} ms, first query {first_ms:.1f} ms, "
          f"then {(time.perf_counter() - started) * 1000 / len(queries):.1f} ms avg")
    for name, article, top3 in misses[: args.show_misses]:
        print(f"miss {name} -> {article}; got {top3}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
