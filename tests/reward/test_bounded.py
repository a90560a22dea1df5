"""The hard time bound: interrupts busy Python code in any thread and leaves nothing behind."""

import contextlib
import threading
import time

import pytest

from sparkle.reward.bounded import Deadline, call_with_deadline


def _spin() -> None:
    while True:
        pass


def test_returns_the_value_when_in_time() -> None:
    assert call_with_deadline(lambda: 41 + 1, 1.0) == 42


def test_interrupts_a_busy_loop_in_the_main_thread() -> None:
    start = time.perf_counter()
    with pytest.raises(Deadline):
        call_with_deadline(_spin, 0.2)
    assert time.perf_counter() - start < 1.0


def test_interrupts_a_busy_loop_in_a_worker_thread() -> None:
    outcome: list[str] = []

    def work() -> None:
        try:
            call_with_deadline(_spin, 0.2)
        except Deadline:
            outcome.append("deadline")

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(timeout=5)
    assert outcome == ["deadline"]


def test_deadline_is_not_swallowed_by_except_exception() -> None:
    def stubborn() -> None:
        with contextlib.suppress(Exception):  # what sympy and math-verify do internally
            _spin()

    with pytest.raises(Deadline):
        call_with_deadline(stubborn, 0.2)


def test_no_stray_exception_after_a_call_that_finished_in_time() -> None:
    # a 1 ms budget can run out on a loaded machine; then the call itself raises, which is allowed
    for _ in range(200):
        with contextlib.suppress(Deadline):
            call_with_deadline(lambda: None, 0.001)
    time.sleep(0.05)  # any late injection would surface in this loop
    total = sum(range(100000))
    assert total == 4999950000
