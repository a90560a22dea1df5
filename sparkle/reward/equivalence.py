"""Answer equivalence: is a model's final answer the gold answer?

`compare_answers(pred, gold)` decides on two extracted answers, cheapest test first:
1. units: two different units never match; a unit on one side only is fine;
2. percent: `50\\%` matches 50 and 0.5;
3. literal equality after normalisation (`sparkle.reward.normalize`);
4. shape (`sparkle.reward.structure`): lists and sets match in any order, tuples and labelled parts
   in order, named parts (`x = 2, y = 3`) by name, part by part; intervals, unions and
   one-variable inequalities by their endpoints (`sparkle.reward.intervals`); other relations and
   matrices go whole to the symbolic path;
5. per part: multiple-choice letters, exact rationals (`sparkle.reward.exact_numbers`), words, a gold
   answer written as a rounded decimal, and finally computer algebra (`sparkle.reward.symbolic`).

The symbolic path runs only on inputs that pass `sparkle.reward.guards.cas_safe`, and the whole
comparison has a hard budget (`COMPARISON_SECONDS`, enforced by `sparkle.reward.bounded`); a
comparison that runs out of time is not equivalent and is reported as timed out. Verdicts are cached:
a GRPO group repeats the same gold answer, and often the same prediction, many times.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sparkle.reward.bounded import Deadline, call_with_deadline
from sparkle.reward.exact_numbers import parse_number
from sparkle.reward.extract import extract_answer
from sparkle.reward.guards import cas_safe
from sparkle.reward.intervals import Span, parse_intervals
from sparkle.reward.normalize import compact, normalize_answer
from sparkle.reward.structure import Shape, structure
from sparkle.reward.symbolic import numeric_value, symbolic_equal

COMPARISON_SECONDS = 0.8
MAX_PARTS = 32

_CHOICE = re.compile(r"\(?([A-E])\)?")
_CHOICE_PREFIX = re.compile(r"\(?([A-E])(?:\)|\.|:|\s|$)")
_WORD = re.compile(r"(?<!\\)\b[a-zA-Z]{3,}\b")
_MATH_WORDS = frozenset(
    {
        "sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "sqrt", "frac", "infty", "cdot",
        "times", "mod", "pmod", "and", "or", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
        "det", "lim", "max", "min", "gcd", "lcm",
    }
)  # fmt: skip
_FILLER = frozenset({"the", "a", "an"})


@dataclass(frozen=True)
class Verdict:
    """The outcome of one comparison."""

    equivalent: bool
    timed_out: bool = False


class _Clock:
    """The time left for one top-level comparison."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise Deadline
        return left


def _is_text(answer: str) -> bool:
    return any(w.lower() not in _MATH_WORDS for w in _WORD.findall(answer))


def _words(answer: str) -> tuple[str, ...]:
    words = re.sub(r"[^a-z0-9]+", " ", answer.lower()).split()
    return tuple(w for w in words if w not in _FILLER)


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _rounds_to(value: Fraction | float, gold: str, gold_value: Fraction) -> bool:
    """True if `value`, rounded half-up to as many decimals as `gold` shows, is `gold_value`."""
    if isinstance(value, Fraction) and _terminates(value):
        return False  # a terminating decimal is exactly what it is: 0.25 is not a rounded 0.3
    exponent = Decimal(1).scaleb(-_decimals(gold))
    exact = (
        Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else Decimal(repr(value))
    )
    return Fraction(exact.quantize(exponent, rounding=ROUND_HALF_UP)) == gold_value


def _terminates(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _matches_rounded(pred: str, gold: str, gold_value: Fraction, clock: _Clock) -> bool:
    """A gold answer given as a decimal fixes the precision: an exact irrational `pred` rounds to it."""
    value = call_with_deadline(lambda: numeric_value(pred), clock.left()) if cas_safe(pred) else None
    return value is not None and _rounds_to(value, gold, gold_value)


def _match_scalar(pred: str, gold: str, clock: _Clock) -> bool:
    if compact(pred) == compact(gold):
        return True
    if choice := _CHOICE.fullmatch(compact(gold)):
        letter = _CHOICE_PREFIX.match(pred.strip())
        return bool(letter) and letter.group(1) == choice.group(1)
    pred_value, gold_value = parse_number(compact(pred)), parse_number(compact(gold))
    if pred_value is not None and gold_value is not None:
        if pred_value == gold_value:
            return True
        return "." not in pred and _decimals(gold) >= 2 and _rounds_to(pred_value, gold, gold_value)
    if _is_text(gold) or _is_text(pred):
        return _words(pred) == _words(gold)
    if gold_value is not None and "." in gold and _matches_rounded(pred, gold, gold_value, clock):
        return True
    if not (cas_safe(pred) and cas_safe(gold)):
        return False
    return call_with_deadline(lambda: symbolic_equal(pred, gold), clock.left())


def _match_parts(pred: tuple[str, ...], gold: tuple[str, ...], ordered: bool, clock: _Clock) -> bool:
    if len(pred) != len(gold):
        return False
    if ordered:
        return all(_match_value(p, g, clock) for p, g in zip(pred, gold, strict=True))
    unused = list(pred)
    for g in gold:
        hit = next((i for i, p in enumerate(unused) if _match_value(p, g, clock)), None)
        if hit is None:
            return False
        unused.pop(hit)
    return True


def _match_spans(pred: tuple[Span, ...], gold: tuple[Span, ...], clock: _Clock) -> bool:
    """Unions of intervals match when every gold interval has a pred interval with equal ends."""
    unused = list(pred)
    for g in gold:
        hit = next(
            (
                i
                for i, p in enumerate(unused)
                if (p.low_closed, p.high_closed) == (g.low_closed, g.high_closed)
                and _match_value(p.low, g.low, clock)
                and _match_value(p.high, g.high, clock)
            ),
            None,
        )
        if hit is None:
            return False
        unused.pop(hit)
    return True


def _match_value(pred: str, gold: str, clock: _Clock) -> bool:
    if compact(pred) == compact(gold):
        return True
    pred_shape, gold_shape = structure(pred), structure(gold)
    if Shape.WHOLE in (pred_shape.shape, gold_shape.shape):
        pred_spans, gold_spans = parse_intervals(pred), parse_intervals(gold)
        if pred_spans is not None and gold_spans is not None and len(pred_spans) == len(gold_spans):
            return _match_spans(pred_spans, gold_spans, clock)
        if not (cas_safe(pred) and cas_safe(gold)):
            return False
        return call_with_deadline(lambda: symbolic_equal(pred, gold), clock.left())
    if len(pred_shape.parts) == 1 and len(gold_shape.parts) == 1:
        return _match_scalar(pred_shape.parts[0], gold_shape.parts[0], clock)
    if max(len(pred_shape.parts), len(gold_shape.parts)) > MAX_PARTS:
        return False
    pred_parts = pred_shape.parts
    if gold_shape.names and pred_shape.names:
        if sorted(pred_shape.names) != sorted(gold_shape.names):
            return False
        by_name = dict(zip(pred_shape.names, pred_shape.parts, strict=True))
        pred_parts = tuple(by_name[name] for name in gold_shape.names)
    ordered = gold_shape.shape in (Shape.TUPLE, Shape.LABELLED, Shape.NAMED)
    return _match_parts(pred_parts, gold_shape.parts, ordered, clock)


def _match(pred: str, gold: str, clock: _Clock) -> bool:
    p, g = normalize_answer(pred), normalize_answer(gold)
    if p.unit and g.unit and p.unit != g.unit:
        return False
    if _match_value(p.text, g.text, clock):
        return True
    if p.percent != g.percent:
        scaled_pred = f"\\frac{{{p.text}}}{{100}}" if p.percent else p.text
        scaled_gold = f"\\frac{{{g.text}}}{{100}}" if g.percent else g.text
        return _match_value(scaled_pred, scaled_gold, clock)
    return False


@functools.lru_cache(maxsize=65536)
def compare_answers(pred: str, gold: str) -> Verdict:
    """Compare an extracted answer with a gold answer within `COMPARISON_SECONDS`."""
    clock = _Clock(COMPARISON_SECONDS)
    try:
        return Verdict(_match(pred, gold, clock))
    except Deadline:
        return Verdict(False, timed_out=True)
    except (RecursionError, ValueError, TypeError, ArithmeticError, AttributeError, IndexError, KeyError):
        return Verdict(False)


def gold_answer(gold: str) -> str:
    """The gold answer proper: the last box's content if the gold string is itself boxed."""
    return extract_answer(gold) if "\\boxed" in gold or "\\fbox" in gold else gold.strip()


def is_equivalent(response: str, gold: str) -> bool:
    """Return True if the final answer in `response` is mathematically the same as `gold`.

    `response` is a full model response (the final answer is extracted from it first; a response
    with no final answer is never equivalent); `gold` is the reference answer string.
    """
    pred = extract_answer(response)
    return pred is not None and compare_answers(pred, gold_answer(gold) or "").equivalent
