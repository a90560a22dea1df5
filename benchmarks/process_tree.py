"""Run a command and record its wall time and the peak resident memory of its whole process tree
(the command, its children, Ray's workers and servers), sampled every half second."""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

import psutil


@dataclass(frozen=True)
class Measured:
    """Exit status, wall seconds and peak summed RSS (bytes) of one run."""

    status: int
    seconds: float
    peak_rss: int


def tree_rss(root: psutil.Process) -> int:
    """Resident memory summed over `root` and all its descendants."""
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            total += proc.memory_info().rss
    return total


def run_measured(command: list[str], **popen: Any) -> Measured:
    """Run `command` to completion while sampling its process tree's memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(command, **popen)
    root = psutil.Process(proc.pid)
    peak = 0

    def watch() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss(root))
            time.sleep(0.5)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    status = proc.wait()
    watcher.join()
    return Measured(status, time.perf_counter() - start, peak)
