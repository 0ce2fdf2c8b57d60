"""Benchmarks for `notesmith process` (SPEC §7).

    python bench/bench_process.py [--quick]

1. notesmith's own time per input, offline, with 50 inputs on a 2,000-article workspace.
2. Tokens sent to the model per input as the workspace grows from 100 to 10,000 articles
   (a scripted model records every prompt; the answers are fixed, so only notesmith's share of
   the prompt varies).
3. Peak memory of `notesmith process` (offline, in a child process) with a 50 MB transcript.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

import notesmith  # noqa: E402
from notesmith.llm import Request, ScriptedLLM, scripted  # noqa: E402
from notesmith.llm.base import estimate_tokens  # noqa: E402
from notesmith.workspace import Workspace  # noqa: E402

GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
SENTENCE = ("We moved the compost bays closer to the gate so the delivery truck can reach them, "
            "and the new rota starts on Saturday with two people per shift. ")


def make_workspace(folder: Path, articles: int) -> None:
    subprocess.run([sys.executable, str(HERE / "make_workspace.py"), str(folder), "--articles", str(articles)],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    subprocess.run([*GIT, "-C", str(folder), "add", "-A"], check=True)
    subprocess.run([*GIT, "-C", str(folder), "commit", "-qm", "base"], check=True)


def add_inputs(folder: Path, count: int, *, spacing_minutes: int = 10, first: int = 0) -> None:
    inbox = folder / "inbox"
    inbox.mkdir(exist_ok=True)
    for n in range(first, first + count):
        minute = (n * spacing_minutes) % (14 * 60)
        stamp = f"20261120_{8 + minute // 60:02d}{minute % 60:02d}00"
        text = f"---\nsource: telegram_voice\ndate: 2026-11-20T{8 + minute // 60:02d}:{minute % 60:02d}:00+00:00\n" \
               f"username: bench_user\n---\n\nNote {n} about topic {n % 7}. " + SENTENCE * 12 + "\n"
        (inbox / f"{stamp}_bench_user_msg{1000 + n}_transcript.txt").write_text(text, encoding="utf-8")


def own_time(articles: int, inputs: int) -> tuple[float, float]:
    """Seconds per input of an offline run: the first run (no catalog cache yet), then a later one."""
    per_input = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        make_workspace(folder, articles)
        for run in range(2):
            add_inputs(folder, inputs, first=run * inputs)
            ws = Workspace.open(folder, {"offline": True})
            started = time.perf_counter()
            report = notesmith.process(ws)
            per_input.append((time.perf_counter() - started) / inputs)
            assert len(report.created) + len(report.updated) > 0, report.summary_lines()
    return per_input[0], per_input[1]


def scripted_model() -> ScriptedLLM:
    """A model that creates one article per group, each paragraph quoting its source as it is."""

    def answer(request: Request):
        text = request.messages[-1]["content"]
        sources = re.findall(r"^\[(S\d+)\][^\n]*\n(.*?)(?=^\[S\d+\]|\Z)", text, re.M | re.S)
        if request.purpose == "route":
            return scripted.route(scripted.create(*[sid for sid, _ in sources], title="Bench note"))
        return scripted.new_article("Bench note", *[scripted.paragraph("A paragraph.", sid, quote=body.strip())
                                                    for sid, body in sources], tags=["bench"],
                                    description="A bench note.")

    return ScriptedLLM(answer for _ in range(10_000))


def tokens_per_input(articles: int, inputs: int = 10) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        make_workspace(folder, articles)
        add_inputs(folder, inputs)
        llm = scripted_model()
        report = notesmith.process(Workspace.open(folder), llm=llm)
        assert len(report.created) > 0 and not report.waiting, report.summary_lines()
        sent = sum(estimate_tokens(m["content"]) for r in llm.requests for m in r.messages)
        return sent / inputs


def peak_memory_50mb() -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "ws"
        make_workspace(folder, 100)
        paragraph = ("Мы перенесли компостные ящики ближе к воротам, чтобы грузовик мог подъехать. " * 8 + "\n") * 1
        body = (paragraph + "\n") * (50 * 1024 * 1024 // len((paragraph + "\n").encode("utf-8")))
        path = folder / "inbox" / "20261120_080000_bench_user_msg1_transcript.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text("---\nsource: telegram_voice\n---\n\n" + body, encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "notesmith", "-C", str(folder), "process", "--offline", "-q"],
                       check=False, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        return peak, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller workspaces")
    args = parser.parse_args()
    big = 2_000 if args.quick else 10_000
    results = {}
    cold, warm = own_time(500 if args.quick else 2_000, 50)
    results["own time per input, offline, first run (ms)"] = round(cold * 1000, 2)
    results["own time per input, offline, later run (ms)"] = round(warm * 1000, 2)
    for size in (100, big):
        results[f"tokens sent per input, {size} articles"] = round(tokens_per_input(size))
    peak, elapsed = peak_memory_50mb()
    results["peak RSS with a 50 MB transcript (MB)"] = round(peak)
    results["time with a 50 MB transcript (s)"] = round(elapsed, 1)
    print(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
