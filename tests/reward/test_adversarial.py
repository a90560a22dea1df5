"""Every call is bounded and never raises, whatever the input; model text is never executed."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparkle.reward import compare_answers, compute_score, is_equivalent

ADVERSARIAL = [
    r"\boxed{9^{9^{9^9}}}",
    r"\boxed{1000000000!}",
    r"\boxed{(10^{10})!}",
    r"\boxed{2^{2^{100}}}",
    r"\boxed{10^{10^{10}}}",
    r"\boxed{\binom{1000000}{500000}}",
    r"\boxed{\sum_{k=1}^{100000000} k^{k}}",
    r"\boxed{" + "(" * 2000 + "1" + ")" * 2000 + "}",
    r"\boxed{" + "{" * 2000 + "1" + "}" * 2000 + "}",
    "x" * 200_000,
    r"\boxed{" * 30_000,
    "<answer>" * 25_000,
    "</answer>" + "<answer>" * 25_000,
    "the answer is " * 15_000,
    r"\boxed{" + "1+" * 50_000 + "1}",
    r"\boxed{" + r"\frac{1}{" * 500 + "2" + "}" * 500 + "}",
    r"\boxed{__import__('os').system('echo pwned')}",
    r"\boxed{" + "9" * 5000 + "}",
]


@pytest.mark.parametrize("response", ADVERSARIAL, ids=range(len(ADVERSARIAL)))
def test_adversarial_inputs_are_bounded(response: str) -> None:
    for gold in ("1", r"9^{9^{9^9}}", r"\frac{1}{2}"):
        start = time.perf_counter()
        is_equivalent(response, gold)
        compute_score("sparkle", response, gold, mode="spk_h")
        assert time.perf_counter() - start < 2.0  # two calls, each bounded by 1 s


def test_an_adversarial_gold_is_bounded_too() -> None:
    start = time.perf_counter()
    assert not compare_answers("5", r"9^{9^{9^9}}").equivalent
    assert time.perf_counter() - start < 1.0


def test_identical_adversarial_strings_still_compare_equal_literally() -> None:
    assert compare_answers(r"9^{9^{9^9}}", r"9^{9^{9^9}}").equivalent


def test_model_text_is_never_executed(tmp_path) -> None:
    marker = tmp_path / "pwned"
    payload = f"__import__('pathlib').Path({str(marker)!r}).write_text('x')"
    for gold in ("1", "x+1", payload):
        is_equivalent(rf"\boxed{{{payload}}}", gold)
        is_equivalent(f"The answer is {payload}", gold)
    assert not marker.exists()


LATEX_COMMANDS = [r"\frac", r"\sqrt", r"\pi", r"\boxed{", r"\{", r"\}", r"\infty", r"\cup", r"\text{"]
LATEX_ALPHABET = st.sampled_from([*"0123456789+-*/^_{}()[],.=<>! %xyab", *LATEX_COMMANDS])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LATEX_ALPHABET, max_size=40).map("".join), st.lists(LATEX_ALPHABET, max_size=20).map("".join))
def test_random_latex_never_raises_and_is_bounded(pred: str, gold: str) -> None:
    start = time.perf_counter()
    verdict = compare_answers(pred, gold)
    assert isinstance(verdict.equivalent, bool)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.text(max_size=30))
def test_random_text_never_raises_and_is_bounded(response: str, gold: str) -> None:
    start = time.perf_counter()
    result = compute_score("sparkle", response, gold)
    assert result["score"] in (-1.0, 0.0, 1.0, 2.0)
    assert time.perf_counter() - start < 1.0
