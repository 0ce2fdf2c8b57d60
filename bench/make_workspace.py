"""Generate a deterministic synthetic notesmith workspace for benchmarks.

    python bench/make_workspace.py DIR --articles 2000 [--seed 1] [--defects N] [--git]

Without --defects every file is valid: `notesmith check` (and `--orphans`) should report nothing.
With --defects N, N known defects of varied kinds are injected and listed on stdout as
`path:line KIND`; each should give at least one finding at or near that line (orphan-input
only with `check --orphans`). A defect in frontmatter may also make the article's index row stale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from notesmith.text.index_table import render_row  # noqa: E402
from notesmith.text.prose import first_sentence  # noqa: E402

WORDS = (
    "kettle river lantern garden ledger harbor meadow signal archive compass orchard canvas "
    "timber quarry beacon fabric mosaic pebble thread window market engine ribbon summit "
    "valley anchor basket candle desert ember forest glacier hollow island jungle "
    "bridge cellar chimney dune estuary fjord grove hamlet inlet jetty knoll lagoon marsh "
    "notebook outline draft review budget schedule team meeting pipeline dataset model "
    "query index cache server client batch stream queue worker metric report chart "
    "writes reads builds moves keeps checks tracks shares plans sorts links tests ships "
    "quickly slowly often rarely carefully openly quietly early late together alone "
    "new old small large simple careful steady bright quiet useful honest clear"
).split()
TOPICS = ["engineering", "writing", "community", "research", "talks", "tools", "courses", "logs"]
SUBTOPICS = ["interviews", "plans", "weekly", "experiments"]
TAGS = ["ai", "data", "career", "python", "writing", "community", "tools", "notes", "course", "search"]
AUTHORS = ["Ana_Lopez", "bjorn", "Chen_Wei_99", "dara_k", "EmekaO"]
STATUSES = ["draft", "review", "published"]
_TITLES: dict[str, str] = {}  # article path -> title, for links between articles


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG = (  # a valid 1x1 grey image
    b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\x80")) + _png_chunk(b"IEND", b"")
)


@dataclass
class Article:
    path: str  # workspace-relative POSIX path
    title: str
    created: dt.date
    updated: dt.date
    status: str
    tags: list[str]
    inputs: list[str]
    description: str | None = None
    links: list[str] = field(default_factory=list)
    image: str | None = None
    text: str = ""


def rel(from_folder: str, target: str) -> str:
    """Relative POSIX path from a workspace folder to a workspace path."""
    return os.path.relpath(target, from_folder).replace(os.sep, "/")


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0]


def sentence(rng: random.Random, lo: int = 7, hi: int = 16) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


def cite(text: str, label: int | str) -> str:
    """Put a footnote reference before the paragraph's final full stop."""
    return text[:-1] + f"[^{label}]."


def make_inputs(rng: random.Random, count: int, start: dt.datetime) -> dict[str, str]:
    inputs: dict[str, str] = {}
    moment = start
    for n in range(count):
        moment += dt.timedelta(minutes=rng.randint(3, 900))
        author = rng.choice(AUTHORS)
        msg = 1000 + n
        stamp = moment.strftime("%Y%m%d_%H%M%S")
        body = "\n".join(sentence(rng, 10, 20) for _ in range(rng.randint(3, 8))) + "\n"
        if rng.random() < 0.8:
            name = f"{stamp}_{author}_msg{msg}_transcript.txt"
            front = (
                f"---\nsource: telegram_voice\ndate: '{moment.isoformat()}+00:00'\nuser_id: {100000 + AUTHORS.index(author)}\n"
                f"username: {author}\naudio_file: voice_{msg}.ogg\n---\n\n"
            )
        else:
            name = f"{stamp}_{author}_msg{msg}.md"
            front = f"---\nsource: telegram\ndate: '{moment.isoformat()}+00:00'\nusername: {author}\n---\n\n"
        inputs[name] = front + body
    return inputs


def plan_articles(rng: random.Random, count: int, input_names: list[str]) -> list[Article]:
    folders = ["articles"] + [f"articles/{t}" for t in TOPICS]
    folders += [f"articles/{t}/{s}" for t in TOPICS[:4] for s in rng.sample(SUBTOPICS, 2)]
    base = dt.date(2024, 1, 1)
    articles: list[Article] = []
    for n in range(count):
        title_words = [rng.choice(WORDS) for _ in range(rng.randint(2, 5))]
        title = " ".join(w.capitalize() for w in title_words) + f" {n + 1}"
        slug = "-".join(title_words) + f"-{n + 1}"
        created = base + dt.timedelta(days=rng.randint(0, 600))
        updated = created + dt.timedelta(days=rng.choice([0, 0, 1, 5, 30, 90]))
        articles.append(Article(
            path=f"{rng.choice(folders)}/{slug}.md", title=title, created=created, updated=updated,
            status=rng.choice(STATUSES), tags=sorted(rng.sample(TAGS, rng.randint(1, 4))), inputs=[],
            description=sentence(rng, 6, 12) if rng.random() < 0.1 else None,
        ))
    # Every input is cited at least once; some articles share inputs.
    for k, name in enumerate(input_names):
        articles[k % count].inputs.append(name)
    for article in articles:
        if not article.inputs or rng.random() < 0.2:
            article.inputs.append(rng.choice(input_names))
        article.inputs = list(dict.fromkeys(article.inputs))
    for article in articles:
        if rng.random() < 0.3:
            others = rng.sample(articles, 2)
            article.links = [o.path for o in others if o is not article]
        if rng.random() < 0.1:
            article.image = f"assets/images/figure-{rng.randint(0, 9)}.png"
    return articles


def render_article(rng: random.Random, a: Article) -> str:
    here = folder_of(a.path)
    sources: list[str] = [rel(here, f"inbox/used/{name}") for name in a.inputs]
    extra = rng.random() < 0.3
    n_sources = len(sources) + (1 if extra else 0)
    paras = rng.randint(3, 8)
    body: list[str] = [f"# {a.title}", cite(paragraph(rng), 1)]
    if a.image:
        src = rel(here, a.image)
        if rng.random() < 0.5:
            body.append(f"![A figure for {a.title}]({src})")
        else:
            body.append(f'<figure>\n  <img src="{src}" alt="figure">\n  <figcaption>{sentence(rng, 4, 8)}</figcaption>\n</figure>')
    for p in range(1, paras):
        if p % 3 == 0:
            body.append(f"## {' '.join(rng.choice(WORDS) for _ in range(3)).capitalize()}")
        text = paragraph(rng)
        if p == 1 and a.links:
            text += " " + " ".join(
                f"See [{_TITLES[t]}]({rel(here, t)})." for t in a.links
            )
        if p == 2 and rng.random() < 0.3:
            body.append(text)
            body.append("```python\nresult = run(batch)\nprint(result)\n```")
            text = paragraph(rng)
        label = p + 1 if p + 1 <= n_sources else rng.randint(1, n_sources)
        body.append(cite(text, label))
    for label in range(paras + 1, n_sources + 1):  # sources not cited yet by a paragraph
        body.append(cite(paragraph(rng), label))
    defs = []
    for i, src in enumerate(sources, start=1):
        name = src.rsplit("/", 1)[1]
        suffix = " - voice note" if rng.random() < 0.3 else ""
        defs.append(f"[^{i}]: [{name}]({src}){suffix}")
    if extra:
        defs.append(f"[^{n_sources}]: https://example.org/reading/{rng.randint(1, 999)}")
    front = [
        "---", f'title: "{a.title}"', f"created: {a.created}", f"updated: {a.updated}",
        f"tags: [{', '.join(a.tags)}]", f"status: {a.status}",
    ]
    if a.description:
        front.append(f'description: "{a.description}"')
    front.append("---")
    return "\n".join(front) + "\n\n" + "\n\n".join(body + ["## Sources", "\n".join(defs)]) + "\n"


def index_folder(article: Article) -> str:
    """The folder whose `_index.md` lists the article: its topic folder, or articles/."""
    parts = article.path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else "articles"


def render_indexes(articles: list[Article]) -> dict[str, str]:
    groups: dict[str, dict[str, list[Article]]] = {}
    for a in articles:
        groups.setdefault(index_folder(a), {}).setdefault(folder_of(a.path), []).append(a)
    indexes: dict[str, str] = {}
    for index_dir, by_folder in sorted(groups.items()):
        name = index_dir.rsplit("/", 1)[-1]
        out = [f"# {name.capitalize()} index", "", "Articles in this folder, newest first. The table below is kept by notesmith.", ""]
        if index_dir == "articles":
            out += [
                "## Template", "", "```markdown",
                "| Title | Status | Last Updated | Description |", "|---|---|---|---|",
                "| [Example](example.md) | draft | 2026-01-01 | Not a real row. |", "```", "",
                "| Folder | Purpose |", "|---|---|",
            ] + [f"| {t} | Articles about {t}. |" for t in TOPICS] + [""]
        for folder, items in sorted(by_folder.items()):
            heading = "Articles" if folder == index_dir else folder[len(index_dir) + 1:].capitalize()
            out += [f"## {heading}", "", "| Title | Status | Last Updated | Description |",
                    "|-------|--------|--------------|-------------|"]
            for a in sorted(items, key=lambda x: (x.updated, x.path), reverse=True):
                description = a.description or first_sentence(a.text)
                out.append(render_row(a.title, rel(index_dir, a.path), a.status, str(a.updated), description))
            out.append("")
        indexes[f"{index_dir}/_index.md"] = "\n".join(out)
    return indexes


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def _paragraph_end(text: str) -> int:
    """Offset of the end of the first paragraph after the H1."""
    start = text.index("\n# ")
    first = text.index("\n\n", start + 3) + 2
    return text.index("\n\n", first)


def inject(rng: random.Random, kind: str, a: Article, files: dict[str, str]) -> int:
    """Apply one defect of `kind` to article `a` in `files`; return the line it should be reported at."""
    text = files[a.path]
    here = folder_of(a.path)
    end = _paragraph_end(text)

    def add(snippet: str) -> int:
        files[a.path] = text[:end] + snippet + text[end:]
        return text[: end + len(snippet) - len(snippet.lstrip())].count("\n") + 1

    def add_source(link: str) -> int:
        """Cite a new definition whose link is `link`; the defect is on the definition's line."""
        name = link.rsplit("/", 1)[1]
        files[a.path] = text[:end - 1] + "[^extra]." + text[end:].rstrip("\n") + f"\n[^extra]: [{name}]({link})\n"
        return len(files[a.path].splitlines())

    if kind == "frontmatter-missing-key":
        files[a.path] = text.replace(f"tags: [{', '.join(a.tags)}]\n", "", 1)
        return 1
    if kind == "frontmatter-bad-date":
        files[a.path] = text.replace(f"updated: {a.updated}", f"updated: {a.updated:%d/%m/%Y}", 1)
        return line_of(files[a.path], "updated:")
    if kind == "frontmatter-updated-before-created":
        files[a.path] = text.replace(f"updated: {a.updated}", f"updated: {a.created - dt.timedelta(days=3)}", 1)
        return line_of(files[a.path], "updated:")
    if kind == "frontmatter-bad-status":
        files[a.path] = text.replace(f"status: {a.status}", "status: someday", 1)
        return line_of(files[a.path], "status:")
    if kind == "frontmatter-yaml-error":
        files[a.path] = text.replace(f'title: "{a.title}"', f'title: "{a.title}', 1)
        return 2
    if kind == "frontmatter-unclosed":
        head, rest = text.split("\n---\n", 1)
        files[a.path] = head + "\n" + rest
        return 1
    if kind == "bom":
        files[a.path] = "\ufeff" + text
        return 1
    if kind == "footnote-undefined":
        return add(" A claim with no source[^404].")
    if kind == "footnote-unused":
        files[a.path] = text.rstrip("\n") + "\n[^unused]: A definition nobody cites.\n"
        return line_of(files[a.path], "[^unused]:")
    if kind == "footnote-duplicate":
        first_def = next(line for line in text.splitlines() if line.startswith("[^1]:"))
        files[a.path] = text.rstrip("\n") + "\n" + first_def + "\n"
        return len(files[a.path].splitlines())
    if kind == "footnote-glued-url":
        return add(" Read more at https://example.org/guide/steps[^1].")
    if kind == "source-missing":
        return add_source(rel(here, "inbox/used/20990101_000000_nobody_msg1_transcript.txt"))
    if kind == "source-wrong-depth":
        right = rel(here, f"inbox/used/{a.inputs[0]}")
        return add_source(right[3:] if right.startswith("../../") else "../" + right)
    if kind == "source-not-moved":
        name = f"20990202_101010_late_msg{rng.randint(10**5, 10**6)}_transcript.txt"
        files[f"inbox/{name}"] = "---\nsource: telegram_voice\n---\n\nNot processed yet.\n"
        return add_source(rel(here, f"inbox/{name}"))
    if kind == "link-broken":
        return add(f" Also see [a moved note]({rel(here, 'articles/moved-away/old-note.md')}).")
    if kind == "image-missing":
        return add(f"\n\n![Missing chart]({rel(here, 'assets/images/no-such-chart.png')})")
    if kind == "style-bold":
        return add(" This is **very** important.")
    if kind == "style-horizontal-rule":
        return add("\n\n---")
    if kind == "style-code-blocks":
        return add("\n\n```sh\necho one\n```\n\n```sh\necho two\n```")
    raise ValueError(kind)


ARTICLE_DEFECTS = [
    "frontmatter-missing-key", "frontmatter-bad-date", "frontmatter-updated-before-created",
    "frontmatter-bad-status", "frontmatter-yaml-error", "frontmatter-unclosed", "bom",
    "footnote-undefined", "footnote-unused", "footnote-duplicate", "footnote-glued-url",
    "source-missing", "source-wrong-depth", "source-not-moved", "link-broken", "image-missing",
    "style-bold", "style-horizontal-rule", "style-code-blocks",
]
INDEX_DEFECTS = ["index-missing-article", "index-dangling-row", "orphan-input"]


def inject_index(rng: random.Random, kind: str, a: Article, files: dict[str, str]) -> tuple[str, int]:
    if kind == "orphan-input":
        name = f"20990303_030303_nobody_msg{rng.randint(10**5, 10**6)}.md"
        files[f"inbox/used/{name}"] = "---\nsource: telegram\n---\n\nCited by no article.\n"
        return f"inbox/used/{name}", 1
    index = f"{index_folder(a)}/_index.md"
    text = files[index]
    if kind == "index-missing-article":
        row = next(line for line in text.splitlines() if f"]({rel(index_folder(a), a.path)})" in line)
        files[index] = text.replace(row + "\n", "", 1)
        return a.path, 1
    ghost = rng.randint(10**5, 10**6)
    row = render_row(f"Ghost Article {ghost}", f"ghost-article-{ghost}.md", "draft", "2026-01-01", "It was renamed.")
    marker = "|-------------|\n"
    files[index] = text.replace(marker, marker + row + "\n", 1)
    return index, line_of(files[index], row)


def build(root: Path, count: int, seed: int, defects: int) -> list[str]:
    rng = random.Random(seed)
    inputs = make_inputs(rng, max(1, int(count * 1.5)), dt.datetime(2024, 1, 1, 8, 0, 0))
    articles = plan_articles(rng, count, list(inputs))
    _TITLES.update({a.path: a.title for a in articles})
    files: dict[str, str] = {f"inbox/used/{name}": text for name, text in inputs.items()}
    for a in articles:
        a.text = render_article(rng, a)
        files[a.path] = a.text
    files.update(render_indexes(articles))
    files[".gitignore"] = ".notesmith/\n"

    report: list[str] = []
    kinds = ARTICLE_DEFECTS + INDEX_DEFECTS
    victims = rng.sample(articles, min(defects, len(articles)))
    for n, a in enumerate(victims):
        kind = kinds[n % len(kinds)]
        if kind in INDEX_DEFECTS:
            path, line = inject_index(rng, kind, a, files)
        else:
            path, line = a.path, inject(rng, kind, a, files)
        report.append(f"{path}:{line} {kind}")

    for rel_path, text in files.items():
        path = root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    for k in range(10):
        (root / "assets" / "images").mkdir(parents=True, exist_ok=True)
        (root / "assets" / "images" / f"figure-{k}.png").write_bytes(PNG)
    return report


def git_commit(root: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, stdout=subprocess.DEVNULL)

    git("init", "-q")
    git("config", "user.name", "notesmith bench")
    git("config", "user.email", "bench@localhost")
    git("add", "-A")
    git("commit", "-q", "--no-verify", "-m", "synthetic workspace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=Path, help="folder to create (must not exist or be empty)")
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--defects", type=int, default=0, help="inject N known defects and list them")
    parser.add_argument("--git", action="store_true", help="git init and commit the workspace")
    args = parser.parse_args(argv)
    if args.articles < 1:
        parser.error("--articles must be at least 1")
    if args.dir.exists() and any(args.dir.iterdir()):
        parser.error(f"{args.dir} is not empty; pass a new folder")
    report = build(args.dir, args.articles, args.seed, args.defects)
    if args.git:
        git_commit(args.dir)
    for line in report:
        print(line)
    print(f"wrote {args.articles} articles to {args.dir} with {len(report)} defects", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
