"""Peak resident size of a command's whole process tree, for commands that fork workers.

``wait4`` gives the largest single process; ``aftersales ingest`` forks one worker per
CPU, so its tree's total is what a machine must hold. The sum of the tree's resident
sizes is sampled every 20 ms (pages the forked workers share with their parent are
counted in each, so this over-states, never under-states)::

    python -m benchmarks.treepeak aftersales ingest --casebook shop.sqlite refunds.json
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def _children() -> dict[int, list[int]]:
    found: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        found.setdefault(parent, []).append(int(name))
    return found


def tree_bytes(pid: int) -> int:
    """The resident bytes of ``pid`` and its descendants now."""
    children, total, todo = _children(), 0, [pid]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/statm", encoding="ascii") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
        todo += children.get(current, [])
    return total


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, tree_bytes(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    print(f"{seconds:.1f} s, exit {process.returncode}, tree peak {peak / 2**20:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
