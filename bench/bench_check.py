"""Benchmark `notesmith check` against the targets of SPEC §7 and print a table.

    python bench/bench_check.py [--runs 10] [--keep DIR]

Workspaces come from bench/make_workspace.py. Every timing runs `python -m notesmith check` in a
fresh interpreter, so interpreter start and imports are included, as a user or a git hook sees it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
CHECK = [PYTHON, "-m", "notesmith", "check"]


def make_workspace(folder: Path, articles: int, *, git: bool = False, defects: int = 0) -> list[str]:
    """Build a synthetic workspace; returns the injected defects (`path:line KIND`)."""
    args = [PYTHON, str(HERE / "make_workspace.py"), str(folder), "--articles", str(articles),
            "--defects", str(defects)] + (["--git"] if git else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line.strip()]


def env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("NOTESMITH_", "GIT_INDEX_FILE"))}


def timed(args: list[str], cwd: Path, runs: int, expect: int = 0) -> tuple[float, float]:
    """Best and median wall time of `runs` runs (after one warm-up run)."""
    times = []
    for n in range(runs + 1):
        start = time.perf_counter()
        proc = subprocess.run(args, cwd=cwd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        elapsed = time.perf_counter() - start
        if proc.returncode != expect:
            raise SystemExit(f"{' '.join(args[2:])} exited {proc.returncode}:\n{proc.stdout.decode()[-2000:]}"
                             f"{proc.stderr.decode()[-2000:]}")
        if n:
            times.append(elapsed)
    return min(times), statistics.median(times)


def peak_rss_mb(args: list[str], cwd: Path) -> float:
    """Peak resident memory of one run, measured in a wrapper so no other child counts."""
    probe = ("import resource, subprocess, sys\n"
             "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = subprocess.run([PYTHON, "-c", probe, *args], cwd=cwd, env=env(), check=True,
                         capture_output=True, text=True).stdout
    kb = int(out.split()[-1])
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024  # macOS reports bytes


def heavy_imports(cwd: Path) -> tuple[list[str], int, float]:
    """Top-level packages of openai/git imported by `check`, module count, and total import time (s)."""
    proc = subprocess.run([PYTHON, "-X", "importtime", *CHECK[1:]], cwd=cwd, env=env(),
                          capture_output=True, text=True)
    modules, total = [], 0
    for line in proc.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
        if match:
            modules.append(match.group(4))
            if len(match.group(3)) == 1:  # a top-level import
                total += int(match.group(2))
    heavy = sorted({m for m in modules if m.split(".")[0] in ("openai", "git", "httpx")})
    return heavy, len(modules), total / 1e6


def defect_recall(folder: Path) -> tuple[int, int]:
    """How many injected defects give a finding in the same file (with --orphans)."""
    shutil.rmtree(folder, ignore_errors=True)
    defects = make_workspace(folder, 300, defects=60)
    proc = subprocess.run([*CHECK, "--orphans", "--format", "json"], cwd=folder, env=env(),
                          capture_output=True, text=True)
    paths = {f["path"] for f in json.loads(proc.stdout)["findings"]}
    found = sum(1 for d in defects if d.split(":", 1)[0] in paths)
    return found, len(defects)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs per measurement (best and median)")
    parser.add_argument("--keep", type=Path, help="build the workspaces here and keep them")
    args = parser.parse_args(argv)
    base = args.keep or Path(tempfile.mkdtemp(prefix="notesmith-bench-"))
    base.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str, str, bool]] = []
    try:
        ws2k = base / "ws-2000"
        if not ws2k.exists():
            make_workspace(ws2k, 2000, git=True)
        articles = sorted(str(p.relative_to(ws2k)) for p in (ws2k / "articles").rglob("*.md")
                          if not p.name.startswith("_"))
        for count in (1, 5):
            best, median = timed([*CHECK, *articles[:count]], ws2k, args.runs)
            rows.append((f"check {count} file{'s' * (count > 1)} (paths) in a 2,000-article workspace",
                         "≤ 150 ms", f"{best * 1000:.0f} ms (median {median * 1000:.0f})", best <= 0.150))
        for count in (1, 5):
            for rel in articles[:count]:
                with open(ws2k / rel, "a", encoding="utf-8") as handle:
                    handle.write("\nOne more line.\n")
            subprocess.run(["git", "add", *articles[:count]], cwd=ws2k, check=True)
            best, median = timed([*CHECK, "--staged"], ws2k, args.runs)
            subprocess.run(["git", "reset", "-q"], cwd=ws2k, check=True)
            subprocess.run(["git", "checkout", "-q", "--", "."], cwd=ws2k, check=True)
            rows.append((f"check --staged, {count} file{'s' * (count > 1)} staged (pre-commit hook)",
                         "≤ 150 ms", f"{best * 1000:.0f} ms (median {median * 1000:.0f})", best <= 0.150))
        best, median = timed(CHECK, ws2k, args.runs)
        rows.append(("check a 2,000-article workspace", "≤ 0.5 s",
                     f"{best:.2f} s (median {median:.2f})", best <= 0.5))

        ws10k = base / "ws-10000"
        if not ws10k.exists():
            make_workspace(ws10k, 10000)
        best, _ = timed(CHECK, ws10k, 1)
        rss = peak_rss_mb(CHECK, ws10k)
        rows.append(("peak RSS, check a 10,000-article workspace", "≤ 100 MB",
                     f"{rss:.0f} MB ({best:.1f} s)", rss <= 100))

        heavy, count, total = heavy_imports(ws2k)
        rows.append(("-X importtime: openai / git imported by check", "none",
                     ", ".join(heavy) or f"none ({count} modules, {total * 1000:.0f} ms)", not heavy))

        found, injected = defect_recall(base / "ws-defects")
        rows.append(("injected defects found (300 articles, --orphans)", "all", f"{found}/{injected}",
                     found == injected))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)

    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'target':<9} {'result':<26} ok")
    for name, target, result, ok in rows:
        print(f"{name:<{width}}  {target:<9} {result:<26} {'yes' if ok else 'NO'}")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, best of {args.runs} runs")
    return 0 if all(r[3] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
