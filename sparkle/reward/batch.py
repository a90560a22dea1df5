"""Scoring many responses over worker processes, with a per-item timeout nothing can outlast.

Every comparison already has an in-process time budget, but a batch job (evaluation, benchmarks,
`sparkle reward score`) must also survive what that budget cannot interrupt. Workers are started
with the `spawn` method (no forked locks or threads; see verl #3290) and fed chunks of items; each
result is sent back as soon as it is computed. A worker that sends nothing for `item_timeout`
seconds is killed, the item it was on is recorded as timed out (scored as a wrong answer), and the
rest of its chunk goes to a fresh worker. The pool therefore always finishes.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sparkle.reward.scoring import RewardResult, check_mode, score_response

ITEM_TIMEOUT_SECONDS = 10.0
CHUNK_SIZE = 32
_WRONG_SCORE = {"spk_s": 0.0, "spk_g": -3.0, "spk_h": -1.0, "spk_h_aug": -1.0}


@dataclass(frozen=True)
class ScoreItem:
    """One response to score against its gold answer(s)."""

    response: str
    gold: str | Sequence[str]
    extra_info: Mapping[str, Any] | None = None


def timed_out_result(mode: str) -> RewardResult:
    """The result recorded for an item whose worker had to be killed: the mode's lowest score."""
    return RewardResult(_WRONG_SCORE[mode], False, False, None, True)


Scorer = Callable[[str, Any, str, Any], RewardResult]


def _worker(worker_id: int, tasks: Any, results: Any, mode: str, scorer: Scorer) -> None:
    while (chunk := tasks.get()) is not None:
        for index, item in chunk:
            results.put((worker_id, index, scorer(item.response, item.gold, mode, item.extra_info)))


@dataclass
class _Slot:
    process: Any
    tasks: Any
    chunk: list[int] = field(default_factory=list)
    last_progress: float = 0.0


def score_batch(
    items: Sequence[ScoreItem],
    mode: str = "spk_h",
    workers: int = 2,
    item_timeout: float = ITEM_TIMEOUT_SECONDS,
    on_result: Callable[[int], None] | None = None,
    scorer: Scorer = score_response,
) -> list[RewardResult]:
    """Score `items` in `mode` on `workers` spawned processes (0: in this process), in input order.

    `on_result(n)` is called as results arrive (n = how many arrived), e.g. to advance a progress bar.
    `scorer` (a module-level function with `score_response`'s signature) replaces the default scoring.
    """
    check_mode(mode)
    if workers <= 0:
        out = []
        for item in items:
            out.append(scorer(item.response, item.gold, mode, item.extra_info))
            if on_result:
                on_result(1)
        return out

    ctx = mp.get_context("spawn")
    results_queue = ctx.Queue()
    pending = deque(
        [(i, items[i]) for i in range(start, min(start + CHUNK_SIZE, len(items)))]
        for start in range(0, len(items), CHUNK_SIZE)
    )
    results: list[RewardResult | None] = [None] * len(items)
    remaining = len(items)

    def start_slot(worker_id: int) -> _Slot:
        tasks = ctx.Queue()
        process = ctx.Process(target=_worker, args=(worker_id, tasks, results_queue, mode, scorer), daemon=True)
        process.start()
        return _Slot(process, tasks)

    slots = [start_slot(w) for w in range(min(workers, max(1, len(pending))))]
    try:
        while remaining:
            now = time.monotonic()
            for slot in slots:
                if not slot.chunk and pending:
                    chunk = pending.popleft()
                    slot.chunk = [i for i, _ in chunk]
                    slot.last_progress = now
                    slot.tasks.put(chunk)
            try:
                worker_id, index, result = results_queue.get(timeout=0.05)
            except queue.Empty:
                pass
            else:
                if results[index] is None:
                    results[index] = result
                    remaining -= 1
                    if on_result:
                        on_result(1)
                slot = slots[worker_id]
                if index in slot.chunk:
                    slot.chunk.remove(index)
                    slot.last_progress = time.monotonic()
            for worker_id, slot in enumerate(slots):
                stalled = slot.chunk and time.monotonic() - slot.last_progress > item_timeout
                if stalled or (slot.chunk and not slot.process.is_alive()):
                    stuck, rest = slot.chunk[0], slot.chunk[1:]
                    if results[stuck] is None:
                        results[stuck] = timed_out_result(mode)
                        remaining -= 1
                        if on_result:
                            on_result(1)
                    if rest:
                        pending.appendleft([(i, items[i]) for i in rest])
                    slot.process.kill()
                    slot.process.join()
                    slots[worker_id] = start_slot(worker_id)
    finally:
        for slot in slots:
            slot.tasks.put(None)
        for slot in slots:
            slot.process.join(timeout=2)
            if slot.process.is_alive():
                slot.process.kill()
    return [r for r in results if r is not None]
