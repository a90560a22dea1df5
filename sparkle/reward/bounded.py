"""Hard time bounds for pure-Python work (the computer-algebra path of the verifier).

`signal.alarm` (math-verify's own timeout) only works in the main thread, and verl calls reward
functions from worker threads and async loops. Instead, a watchdog thread raises `Deadline` inside
the working thread with `PyThreadState_SetAsyncExc` once the budget is spent. The exception arrives
at the next bytecode boundary, so this bounds interpreted code such as sympy; a single long C call
(a huge integer power) cannot be interrupted, which is why `sparkle.reward.guards` rejects such
inputs before any CAS work starts.

`Deadline` derives from `BaseException` so that the `except Exception` blocks inside sympy and
math-verify cannot swallow it.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class Deadline(BaseException):
    """Raised inside a bounded call whose time budget ran out."""


def _set_async_exc(thread_id: int, exc: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None
    )


def call_with_deadline(fn: Callable[[], T], seconds: float) -> T:
    """Return `fn()`, or raise `Deadline` if it runs longer than `seconds`.

    A lock orders the watchdog's injection against the caller's completion: once the caller has
    marked itself done (and cleared any exception already queued for it), the watchdog does nothing.
    An injection that lands between `fn` returning and that bookkeeping still surfaces as `Deadline`,
    so a call reported as finished never leaves a stray exception behind.
    """
    thread_id = threading.get_ident()
    lock = threading.Lock()
    done = False

    def fire() -> None:
        with lock:
            if not done:
                _set_async_exc(thread_id, Deadline)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    try:
        # started inside `try`: on a loaded machine the budget can run out while `start()` waits for
        # the watchdog thread, and the bookkeeping below must run then too
        timer.start()
        return fn()
    finally:
        timer.cancel()
        with lock:
            done = True
            _set_async_exc(thread_id, None)
