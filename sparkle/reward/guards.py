"""Cheap structural checks that decide whether an answer may enter the computer-algebra path.

sympy evaluates integer powers and factorials eagerly inside C (`9^{9^{9^9}}`, `1000000000!`), where
no timeout can interrupt it, and its parsers recurse on nesting depth. An answer that could trigger
that is compared as a string only. The limits are far above what a real final answer needs.
"""

from __future__ import annotations

import re

MAX_CAS_CHARS = 400
MAX_NESTING = 24
MAX_EXPONENT = 400
MAX_FACTORIAL = 300
MAX_LITERAL_DIGITS = 60

_EXPONENT = re.compile(r"\^\s*\{?\s*\(?\s*(-?\d+)")
_NESTED_EXPONENT = re.compile(r"\^\s*\{[^{}]*\^|\^\s*\(?\s*\d+\s*\)?\s*\^|\*\*[^*]*\*\*")
_FACTORIAL_ARG = re.compile(r"(\d+)\s*\)?\s*\}?\s*!")
_BIG_OPERATOR = re.compile(r"\\(?:binom|dbinom|tbinom|choose)|\\(?:sum|prod|int|lim)\b")
_DIGITS = re.compile(r"\d+")


def nesting_depth(text: str) -> int:
    """Return the maximum depth of (), [] and {} nesting in `text` (mismatches are ignored)."""
    depth = best = 0
    for char in text:
        if char in "([{":
            depth += 1
            best = max(best, depth)
        elif char in ")]}" and depth:
            depth -= 1
    return best


def cas_safe(answer: str) -> bool:
    """Return True if `answer` is small and tame enough to hand to sympy.

    Rejects: long strings, deep nesting, exponent towers, exponents above `MAX_EXPONENT`, factorials
    above `MAX_FACTORIAL` or of non-literal arguments, big operators (sums, integrals, binomials
    with large arguments) and integer literals longer than `MAX_LITERAL_DIGITS` digits.
    """
    if len(answer) > MAX_CAS_CHARS or nesting_depth(answer) > MAX_NESTING:
        return False
    if _NESTED_EXPONENT.search(answer):
        return False
    if any(abs(int(m.group(1))) > MAX_EXPONENT for m in _EXPONENT.finditer(answer)):
        return False
    if "!" in answer:
        args = _FACTORIAL_ARG.findall(answer)
        if len(args) != answer.count("!") or any(int(a) > MAX_FACTORIAL for a in args):
            return False
    if _BIG_OPERATOR.search(answer) and any(len(d) > 3 for d in _DIGITS.findall(answer)):
        return False
    return all(len(d) <= MAX_LITERAL_DIGITS for d in _DIGITS.findall(answer))
