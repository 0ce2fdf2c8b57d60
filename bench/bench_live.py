"""Wall time per input of `notesmith process` against a real local model server (SmolLM2 in the live tier).

    python bench/bench_live.py --url http://127.0.0.1:PORT/v1 --model NAME [--n-ctx 8192]
                               [--src DIR] [--budget 1200] [--label after] [--out results.json]

Builds the live tier's garden workspace (live/smol_inputs.py: one article, four inputs, four
groups), runs one `process` with the model in a child process (killed after --budget seconds),
and prints the wall time, the time per input, every model call (purpose, seconds, tokens, finish
reason) and what became of each input. `--src` points at another checkout's `src/` to measure an
older notesmith the same way (the "before" figure); options it does not know are left out.
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def build_workspace(folder: Path) -> None:
    sys.path.insert(0, str(ROOT / "live"))
    from smol_inputs import FILES, INPUTS

    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    for rel, text in FILES.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    (folder / "notesmith.toml").write_text("", encoding="utf-8")
    for args in (["init", "-q", "-b", "main"], ["config", "user.name", "bench"],
                 ["config", "user.email", "bench@localhost"], ["add", "-A"], ["commit", "-qm", "base"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)
    (folder / "inbox").mkdir(exist_ok=True)
    for name, text in INPUTS.items():
        (folder / "inbox" / name).write_text(text, encoding="utf-8")


def child(args: argparse.Namespace) -> None:
    """Run one process in this interpreter and print its measurements as JSON."""
    if args.src:
        sys.path.insert(0, str(Path(args.src).resolve()))
    import notesmith
    from notesmith.llm.openai_backend import OpenAILLM

    options = {"base_url": args.url, "api_key": "not-needed", "context_tokens": args.n_ctx,
               "timeout": args.timeout, "retries": 1, "temperature": 0.7, "seed": 42}  # as live/conftest.smol_llm
    known = inspect.signature(OpenAILLM).parameters
    llm = Timed(OpenAILLM(args.model, **{k: v for k, v in options.items() if k in known}))
    folder = Path(args.workspace)
    started = time.monotonic()
    report = notesmith.process(folder, llm=llm, jobs=1, today="2026-03-14")
    seconds = time.monotonic() - started
    print(json.dumps({
        "seconds": seconds, "calls": llm.calls,
        "created": report.created, "updated": report.updated, "feedback": report.feedback,
        "skipped": report.skipped, "failed": report.failed, "waiting": report.waiting,
        "findings": report.findings, "usage": [report.usage.prompt_tokens, report.usage.completion_tokens],
        "sent": [k for k in options if k in known],
    }))


class Timed:
    """Wraps a model and records each call's purpose, seconds, tokens and finish reason."""

    def __init__(self, inner):
        self.inner, self.name, self.context_tokens, self.calls = inner, inner.name, inner.context_tokens, []

    def complete(self, request):
        started = time.monotonic()
        try:
            reply = self.inner.complete(request)
        except Exception as exc:
            self.calls.append({"purpose": request.purpose, "seconds": round(time.monotonic() - started, 2),
                               "error": type(exc).__name__})
            raise
        self.calls.append({"purpose": request.purpose, "seconds": round(time.monotonic() - started, 2),
                           "prompt": reply.usage.prompt_tokens, "completion": reply.usage.completion_tokens,
                           "finish": reply.finish_reason, "format": reply.format})
        return reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--n-ctx", type=int, default=8192)
    parser.add_argument("--src", help="another checkout's src/ folder (for a before/after comparison)")
    parser.add_argument("--budget", type=float, default=1200, help="seconds before the run is stopped")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per model call")
    parser.add_argument("--label", default="")
    parser.add_argument("--out", help="append the result as one JSON line to this file")
    parser.add_argument("--keep", help="copy the workspace here afterwards (its run log holds every answer)")
    parser.add_argument("--workspace", help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "garden"
        folder.mkdir()
        build_workspace(folder)
        inputs = len(list((folder / "inbox").glob("*_*")))
        command = [sys.executable, __file__, "--child", "--workspace", str(folder), "--url", args.url,
                   "--model", args.model, "--n-ctx", str(args.n_ctx), "--timeout", str(args.timeout)]
        if args.src:
            command += ["--src", args.src]
        env = {**os.environ, "PYTHONPATH": str(Path(args.src).resolve()) if args.src else str(ROOT / "src")}
        started = time.monotonic()
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.budget, env=env)
            result = json.loads(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else {
                "error": done.stderr.strip().splitlines()[-1:]}
        except subprocess.TimeoutExpired:
            result = {"error": f"not finished after {args.budget:g} s (stopped)"}
        result.update(label=args.label, inputs=inputs, wall=round(time.monotonic() - started, 1))
        if args.keep:
            import shutil

            shutil.copytree(folder, args.keep, dirs_exist_ok=True)
    result["per_input"] = round(result["wall"] / inputs, 1)
    line = json.dumps(result)
    print(line)
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write(line + "\n")


if __name__ == "__main__":
    main()
