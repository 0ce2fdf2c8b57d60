"""Shared pieces for the `notesmith process` and `watch` tests: workspaces, inputs, model answers."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Iterable

import pytest

from notesmith.llm.openai_backend import OpenAILLM
from tests.fake_openai import FakeOpenAI

KEY = "sk-test-secret-4f9a2c7e1b"
IDENTITY = ("Test Writer", "writer@example.invalid")

# Three voice notes on unrelated topics, hours apart (three groups), plus a plain message.
BEES = "20260302_081500_lena_p_msg201_transcript.txt"
BIKE = "20260302_141000_lena_p_msg202_transcript.txt"
BREAD = "20260303_070500_Tom_R_msg203.md"

INPUTS: dict[str, str] = {
    BEES: """---
source: telegram_voice
date: 2026-03-02T08:15:00+01:00
user_id: 4242
username: lena_p
audio_file: voice_0201.ogg
---
The bees came out early today because of the warm morning, and the second hive was already
carrying pollen by nine. I want to check the queen next week, not now, since opening the box
in cold wind chills the brood.

Next step is to order two more supers before the lime trees flower in June.
""",
    BIKE: """---
source: telegram_voice
date: 2026-03-02T14:10:00+01:00
user_id: 4242
username: lena_p
audio_file: voice_0202.ogg
---
Fixing the rear derailleur on the cargo bike: the cable had stretched, so shifting to the
biggest sprocket lagged. Half a turn on the barrel adjuster fixed it.
""",
    BREAD: """---
source: telegram
date: 2026-03-03T07:05:00+01:00
username: Tom_R
---
Sourdough note: the starter doubles in five hours at room temperature now, so the dough can be
mixed at noon and shaped before dinner.
""",
}

# An article that already exists, with a long section the routing prompt must not carry.
DEEP_SENTENCE = "The ledger of swarm dates sits on the shelf above the extractor."
BEES_ARTICLE_REL = "articles/keeping-bees-on-the-allotment.md"
BEES_ARTICLE = f"""---
title: "Keeping bees on the allotment"
created: 2026-01-10
updated: 2026-01-10
tags: [bees, allotment]
status: draft
owner: lena
---

# Keeping bees on the allotment

Two hives stand behind the compost bays, facing south-east[^1].

## Spring checks

The first inspection waits for a calm day above fourteen degrees[^1].

## Equipment

{" ".join(["Frames, smokers and hive tools are kept in the shed by the gate."] * 30)}

{DEEP_SENTENCE}

## Sources

[^1]: [20260110_090000_lena_p_msg150_transcript.txt](../inbox/used/20260110_090000_lena_p_msg150_transcript.txt)
"""
BEES_USED = ("inbox/used/20260110_090000_lena_p_msg150_transcript.txt",
             "Where the hives stand and when to open them.\n")
INDEX = """# Articles

Notes from the allotment.

| Title | Status | Last Updated | Description |
|-------|--------|--------------|-------------|
| [Keeping bees on the allotment](keeping-bees-on-the-allotment.md) | draft | 2026-01-10 | Two hives behind the compost bays. |
"""


def git(root: Path, *args: str, check: bool = True) -> str:
    """Run git in root with a fixed identity and no user config; return stdout."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": IDENTITY[0],
           "GIT_AUTHOR_EMAIL": IDENTITY[1], "GIT_COMMITTER_NAME": IDENTITY[0],
           "GIT_COMMITTER_EMAIL": IDENTITY[1]}
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {proc.stderr}")
    return proc.stdout


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Write {relative path: text or bytes} under root, byte for byte."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


def new_workspace(root: Path, *, inputs: dict[str, str | bytes] | None = None, files: dict | None = None,
                  repo: bool = True, config: str = "") -> Path:
    """A workspace at root; with repo=True a git repo whose base commit holds `files` but not the inputs."""
    for folder in ("articles", "inbox/used"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    write(root, {"notesmith.toml": config, "README.md": "A test workspace.\n", **(files or {})})
    if repo:
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.name", IDENTITY[0])
        git(root, "config", "user.email", IDENTITY[1])
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
    write(root, {f"inbox/{name}": text for name, text in (inputs or {}).items()})
    return root


def bees_workspace(root: Path, *, inputs: dict[str, str | bytes] | None = None, **kw) -> Path:
    """A workspace whose base commit holds the bees article, its source and the index."""
    files = {BEES_ARTICLE_REL: BEES_ARTICLE, BEES_USED[0]: BEES_USED[1], "articles/_index.md": INDEX}
    return new_workspace(root, inputs=inputs, files={**files, **kw.pop("files", {})}, **kw)


def tree(root: Path, exclude: Iterable[str] = (".git", ".notesmith")) -> dict[str, str]:
    """Every file under root (but the excluded top folders): relative path → sha256 of its bytes."""
    out = {}
    skip = set(exclude)
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir.parts and rel_dir.parts[0] in skip:
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if not (not rel_dir.parts and d in skip)]
        for name in filenames:
            path = Path(dirpath) / name
            out[(rel_dir / name).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def copy_workspace(src: Path, dst: Path) -> Path:
    """A copy of a workspace (git repo included), symlinks kept as links."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def run_commits(root: Path) -> list[str]:
    """Subjects of the commits after the base commit, oldest first."""
    return git(root, "log", "--reverse", "--format=%s", "HEAD").splitlines()[1:]


class Sleeps(list):
    """An injected sleep that records the delays instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def model(server, sleeps: Sleeps | None = None, **kw) -> OpenAILLM:
    """OpenAILLM on the fake server through the real SDK, with a fake sleep."""
    kw.setdefault("timeout", 10)
    return OpenAILLM("test-model", base_url=server.url, api_key=KEY, sleep=sleeps if sleeps is not None else Sleeps(),
                     **kw)


# -- model answers, shaped by notesmith.schemas ----------------------------------------------------

def decision(action: str, sources: list[str], *, article: str | None = None, title: str = "",
             reason: str = "") -> dict:
    return {"action": action, "sources": sources, "article": article, "title": title, "reason": reason}


def routing(*decisions: dict, instructions: list[str] | None = None, search: list[str] | None = None) -> dict:
    return {"decisions": list(decisions), "instructions": instructions or [], "search": search or []}


def para(text: str, *sources: str, quote: str | tuple[str, str] | None = None) -> dict:
    """A paragraph whose evidence quotes, from each source, `quote` (a passage, or its first and
    last words); by default the paragraph's own first and last words, as a verbatim draft would."""
    if quote is None:
        quote = text
    first, last = quote if isinstance(quote, tuple) else ends(quote)
    return {"type": "paragraph", "text": text, "level": 2,
            "evidence": [{"source": s, "first_words": first, "last_words": last} for s in sources]}


def ends(passage: str, words: int = 8) -> tuple[str, str]:
    """The first and last `words` words of a passage, as a model quotes them."""
    found = passage.split()
    return " ".join(found[:words]), " ".join(found[-words:])


def heading(text: str, level: int = 2) -> dict:
    return {"type": "heading", "text": text, "level": level, "evidence": []}


def aside(text: str, source: str, quote: str) -> dict:
    """An instruction to the assistant, where it is in its source."""
    first, last = ends(quote)
    return {"text": text, "source": source, "first_words": first, "last_words": last}


def draft(title: str, *blocks: dict, tags: list[str] | None = None, description: str = "",
          instructions: list[dict] | None = None) -> dict:
    return {"title": title, "tags": tags or [], "description": description, "blocks": list(blocks),
            "instructions": instructions or []}


def edit(op: str, section: str, *blocks: dict, heading_text: str | None = None) -> dict:
    return {"op": op, "section": section, "heading": heading_text, "blocks": list(blocks)}


def update(*edits: dict, tags: list[str] | None = None) -> dict:
    return {"edits": list(edits), "tags": tags or [], "instructions": []}


def user_prompt(request: dict) -> str:
    """The text of every message of a recorded request body, joined."""
    return "\n".join(str(m.get("content") or "") for m in request["messages"])


def purpose_of(request: dict) -> str:
    """Which kind of request a recorded body is, from its response_format name or prompt."""
    fmt = request.get("response_format") or {}
    name = (fmt.get("json_schema") or {}).get("name")
    if name:
        return name
    text = user_prompt(request)
    if "Decide where new material goes" in text:
        return "routing"
    if "existing article, as a small set of edits" in text:
        return "article_update"
    return "article"


class AnsweringFake(FakeOpenAI):
    """The fake server, where a queued callable answers from the request body (for concurrent runs)."""

    def _next(self, body: dict, headers: dict):
        item = super()._next(body, headers)
        return item(body) if callable(item) else item


@pytest.fixture
def answering_openai():
    """A running AnsweringFake, stopped after the test."""
    server = AnsweringFake()
    try:
        yield server
    finally:
        server.close()


# -- anchored footnotes, read back independently of the locator -----------------------------------

_ANCHORED = re.compile(r"^\[\^([^\]]+)\]: \[([^\]]+)\]\(([^)#]+)#L(\d+)(?:-L(\d+))?\)$", re.M)
_PLAIN = re.compile(r"^\[\^([^\]]+)\]: \[([^\]]+)\]\(([^)#]+)\)$", re.M)


def footnotes(text: str) -> dict[str, tuple[str, tuple[int, int] | None]]:
    """label → (link path, (first, last) line of its anchor, None for a whole-file citation)."""
    found: dict[str, tuple[str, tuple[int, int] | None]] = {}
    for label, _, path, first, last in _ANCHORED.findall(text):
        found[label] = (path, (int(first), int(last or first)))
    for label, _, path in _PLAIN.findall(text):
        found[label] = (path, None)
    return found


def plain_words(text: str) -> str:
    """Lowercase words joined by single spaces: what a reader compares, punctuation and wraps aside."""
    return " ".join(re.findall(r"\w+", text.lower()))


def lines_hold(stored: str, lines: tuple[int, int], first: str, last: str) -> bool:
    """True when lines first..last of the stored text start with `first`'s words on the first line
    and end with `last`'s on the last, in that order."""
    held = stored.split("\n")[lines[0] - 1:lines[1]]
    if not held or lines[1] > stored.count("\n") + 1:
        return False
    span, head, tail = plain_words(" ".join(held)), plain_words(first), plain_words(last)
    at = span.find(head)
    return (at >= 0 and span.rfind(tail) >= at and head.split()[0] in plain_words(held[0]).split()
            and tail.split()[-1] in plain_words(held[-1]).split())


def cited_paragraphs(text: str) -> list[tuple[str, list[str]]]:
    """(paragraph text without markers, its footnote labels) for every body paragraph with markers."""
    body = text.split("\n## Sources\n")[0]
    out = []
    for block in body.split("\n\n"):
        labels = re.findall(r"\[\^([^\]]+)\]", block)
        if labels and not block.lstrip().startswith("#"):
            out.append((re.sub(r"\[\^[^\]]+\]", "", block).strip(), labels))
    return out
