"""Run `notesmith process` in this process and kill -9 it right after its N-th named apply step.

The test seam for crash tests (not production code): `run(..., checkpoint=...)` calls back with the
name of each step of the apply phase once it is done ("step 3 write", "git add", "git commit",
"journal cleared"). Usage: python -m tests.crash_at WORKSPACE N [RECORD_FILE]; N = 0 never kills,
and every name seen is appended to RECORD_FILE.
"""

from __future__ import annotations

import os
import signal
import sys

from notesmith.pipeline.run import RunOptions, run
from notesmith.workspace import Workspace


def main() -> int:
    root, kill_at = sys.argv[1], int(sys.argv[2])
    record = sys.argv[3] if len(sys.argv) > 3 else None
    seen = 0

    def checkpoint(name: str) -> None:
        nonlocal seen
        seen += 1
        if record:
            with open(record, "a", encoding="utf-8") as handle:
                handle.write(name + "\n")
        if seen == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    report = run(Workspace.open(root), options=RunOptions(), checkpoint=checkpoint)
    print("\n".join(report.summary_lines()))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
