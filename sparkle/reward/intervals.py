"""Intervals, unions of intervals and one-variable inequalities, read without computer algebra.

`(1, 3]`, `[2, \\infty)`, `(-\\infty, -1) \\cup (2, \\infty)`, `1 < x \\le 3`, `x \\ge 2` and
`x < -1 or x > 2` all become a tuple of `Span`s whose endpoints are answer texts (compared by the
caller, so `\\frac{1}{2}` and `0.5` are the same endpoint). Infinite ends are always open. Anything
else (`\\mathbb{R}`, `|x| < 3`, intersections) returns None and goes to the symbolic path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sparkle.reward.structure import split_top_level

INFINITY = "\\infty"


@dataclass(frozen=True)
class Span:
    """One interval: endpoint texts (or +-INFINITY) and whether each end is closed."""

    low: str
    high: str
    low_closed: bool
    high_closed: bool


_LESS = {"<": False, "\\le": True}
_GREATER = {">": False, "\\ge": True}
_OP = r"(<|>|\\le(?![a-zA-Z])|\\ge(?![a-zA-Z]))"
_VAR = r"([a-zA-Z])"
_BOUND = r"([^<>=]+?)"
_CHAIN = re.compile(rf"\s*{_BOUND}\s*{_OP}\s*{_VAR}\s*{_OP}\s*{_BOUND}\s*")
_ONE_SIDED = re.compile(rf"\s*{_VAR}\s*{_OP}\s*{_BOUND}\s*")
_ONE_SIDED_FLIPPED = re.compile(rf"\s*{_BOUND}\s*{_OP}\s*{_VAR}\s*")
_UNION = re.compile(r"\\cup(?![a-zA-Z])|\s+or\s+|\\lor(?![a-zA-Z])|\\vee(?![a-zA-Z])")
_INFINITE = {"\\infty": INFINITY, "+\\infty": INFINITY, "-\\infty": "-" + INFINITY, "\\inf": INFINITY}


def _end(text: str) -> str:
    text = text.strip()
    return _INFINITE.get(text.replace(" ", ""), text)


def _span(low: str, high: str, low_closed: bool, high_closed: bool) -> Span:
    low, high = _end(low), _end(high)
    return Span(low, high, low_closed and INFINITY not in low, high_closed and INFINITY not in high)


def _from_notation(text: str) -> Span | None:
    if len(text) < 5 or text[0] not in "([" or text[-1] not in ")]":
        return None
    ends = split_top_level(text[1:-1])
    if len(ends) != 2 or not all(ends):
        return None
    return _span(ends[0], ends[1], text[0] == "[", text[-1] == "]")


def _from_inequality(text: str) -> Span | None:
    if m := _CHAIN.fullmatch(text):
        low, op1, _, op2, high = m.groups()
        if op1 in _LESS and op2 in _LESS:
            return _span(low, high, _LESS[op1], _LESS[op2])
        if op1 in _GREATER and op2 in _GREATER:
            return _span(high, low, _GREATER[op2], _GREATER[op1])
        return None
    if m := _ONE_SIDED.fullmatch(text):
        _, op, bound = m.groups()
        if op in _LESS:
            return _span("-" + INFINITY, bound, False, _LESS[op])
        return _span(bound, INFINITY, _GREATER[op], False)
    if m := _ONE_SIDED_FLIPPED.fullmatch(text):
        bound, op, _ = m.groups()
        if op in _LESS:
            return _span(bound, INFINITY, _LESS[op], False)
        return _span("-" + INFINITY, bound, False, _GREATER[op])
    return None


def parse_intervals(text: str) -> tuple[Span, ...] | None:
    """Return the spans of an interval, union or inequality answer, or None if it is not one."""
    spans = []
    for piece in _UNION.split(text):
        span = _from_notation(piece.strip()) or _from_inequality(piece)
        if span is None:
            return None
        spans.append(span)
    return tuple(spans)
