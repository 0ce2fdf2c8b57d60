"""`notesmith check` start-up in instructions (valgrind's callgrind), which a busy machine cannot blur.

    python bench/bench_check_instructions.py [--src OTHER/src ...] [--keep DIR]

Each `--src` is a source tree of notesmith (say, a checkout of an older commit) run with
PYTHONPATH; without one, the installed notesmith is measured. Scenarios: check 1 and 5 files of a
2,000-article workspace (bench/make_workspace.py), and `check --staged` with one file staged, as the
pre-commit hook runs it. Each is one run under callgrind, interpreter start included; the count
repeats to within a fraction of a percent where wall time on a shared machine moves by 20 %.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def instructions(args: list[str], cwd: Path, src: Path | None) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NOTESMITH_")}
    if src is not None:
        env["PYTHONPATH"] = str(src)
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *args], cwd=cwd,
                          env=env, capture_output=True, text=True)
    match = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode not in (0, 1) or not match:
        raise SystemExit(f"{' '.join(args)} failed under valgrind:\n{proc.stderr[-2000:]}")
    return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, action="append", default=[], help="a notesmith source tree to measure")
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (Debian: apt-get install valgrind)")
    base = args.keep or Path(tempfile.mkdtemp(prefix="notesmith-bench-"))
    ws = base / "ws-2000"
    if not ws.exists():
        subprocess.run([PYTHON, str(HERE / "make_workspace.py"), str(ws), "--articles", "2000", "--git"],
                       check=True, capture_output=True)
    articles = sorted(str(p.relative_to(ws)) for p in (ws / "articles").rglob("*.md") if not p.name.startswith("_"))
    with open(ws / articles[0], "a", encoding="utf-8") as handle:
        handle.write("\nOne more line.\n")
    subprocess.run(["git", "add", articles[0]], cwd=ws, check=True)
    check = [PYTHON, "-m", "notesmith", "check"]
    scenarios = [("check 1 file", [*check, articles[0]]), ("check 5 files", [*check, *articles[:5]]),
                 ("check --staged, 1 file staged", [*check, "--staged"]),
                 ("python -c pass (the interpreter alone)", [PYTHON, "-c", "pass"])]
    sources = args.src or [None]
    print("| scenario | " + " | ".join(str(s) if s else "installed" for s in sources) + " |")
    print("|---|" + "---|" * len(sources))
    for name, command in scenarios:
        for src in sources:  # a first run writes the byte-code caches, so no tree pays for compiling
            subprocess.run(command, cwd=ws, env={**os.environ, **({"PYTHONPATH": str(src)} if src else {})},
                           capture_output=True)
        counts = [instructions(command, ws, src) for src in sources]
        print(f"| {name} | " + " | ".join(f"{c / 1e6:.0f} M" for c in counts) + " |")
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
