"""Exact parsing of numeric answers into `fractions.Fraction`.

Plain numbers are by far the most common final answers, so they never reach the computer-algebra
path: parsing is a handful of regexes and comparison is exact rational equality. Exactness is the
point: `0.5` equals `\\frac{1}{2}`, but `0.333` does not equal `\\frac{1}{3}`, and no rounding can make
two different numbers equal (math-verify's numeric fallback rounds, e.g. `1/2004!` vs `1/2006!`).

Accepted forms (on whitespace-free text): integers, decimals, a leading sign, scientific notation
(`1.2e5`, `1.2\\times10^{5}`, `1.2\\cdot 10^5`, `10^{-3}`), repeating decimals (`0.\\overline{3}`,
`0.\\dot{3}`, `0.(3)`, `0.333...`), fractions (`\\frac{a}{b}`, `a/b` with numeric `a`, `b`) and mixed
numbers (`2\\frac{1}{2}` = 5/2).
"""

from __future__ import annotations

import re
from fractions import Fraction

MAX_DIGITS = 400
MAX_EXPONENT = 400

_SIGN = r"(?P<sign>[-+]?)"
_DECIMAL = r"(?P<int>\d*)(?:\.(?P<frac>\d*))?"
_PLAIN = re.compile(rf"{_SIGN}{_DECIMAL}")
_SCIENTIFIC = re.compile(
    rf"{_SIGN}{_DECIMAL}(?:[eE](?P<e1>[-+]?\d+)|(?:\\times|\\cdot|\*|×|·)10\^\{{?(?P<e2>[-+]?\d+)\}}?)"
)
_POWER_OF_TEN = re.compile(r"(?P<sign>[-+]?)10\^\{?(?P<exp>[-+]?\d+)\}?")
_REPEATING = re.compile(
    rf"{_SIGN}(?P<int>\d*)\.(?P<frac>\d*)(?:\\overline\{{(?P<r1>\d+)\}}|\\dot\{{?(?P<r2>\d)\}}?|\((?P<r3>\d+)\))"
)
_ELLIPSIS = re.compile(rf"{_SIGN}(?P<int>\d*)\.(?P<frac>\d+)(?:\.\.\.|\\ldots|\\cdots|\\dots|…)")
_FRAC = re.compile(r"(?P<sign>[-+]?)(?P<whole>\d+)?\\frac\{(?P<num>[^{}]+)\}\{(?P<den>[^{}]+)\}")
_SLASH = re.compile(r"(?P<num>[-+]?[\d.]+)/(?P<den>[-+]?[\d.]+)")


def _decimal(sign: str, integer: str, fraction: str | None) -> Fraction | None:
    if not integer and not fraction:
        return None
    if len(integer) + len(fraction or "") > MAX_DIGITS:
        return None
    value = Fraction(int(integer or "0")) + (Fraction(int(fraction), 10 ** len(fraction)) if fraction else Fraction(0))
    return -value if sign == "-" else value


def _repeating(sign: str, integer: str, fixed: str, period: str) -> Fraction:
    """Value of `integer.fixed(period)(period)...`: the period repeats forever."""
    head = Fraction(int(integer or "0")) + (Fraction(int(fixed), 10 ** len(fixed)) if fixed else 0)
    tail = Fraction(int(period), (10 ** len(period) - 1) * 10 ** len(fixed))
    value = head + tail
    return -value if sign == "-" else value


def _ellipsis_period(digits: str) -> tuple[str, str] | None:
    """Split the digits of `0.1666...` into (fixed part, period) when the tail visibly repeats.

    The period is the shortest block (1-3 digits) written at least twice at the end.
    """
    for size in (1, 2, 3):
        period = digits[-size:]
        if len(digits) >= 2 * size and digits.endswith(period * 2):
            fixed = digits[: -2 * size]
            while fixed.endswith(period):
                fixed = fixed[:-size]
            return fixed, period
    return None


def parse_number(text: str) -> Fraction | None:
    """Return the exact value of `text` if it is a plain number in one of the accepted forms."""
    if not text or len(text) > MAX_DIGITS + 40:
        return None
    if m := _PLAIN.fullmatch(text):
        return _decimal(m["sign"], m["int"], m["frac"])
    if m := _SCIENTIFIC.fullmatch(text):
        base = _decimal(m["sign"], m["int"], m["frac"])
        exponent = int(m["e1"] or m["e2"])
        if base is None or abs(exponent) > MAX_EXPONENT:
            return None
        return base * Fraction(10) ** exponent
    if m := _POWER_OF_TEN.fullmatch(text):
        exponent = int(m["exp"])
        if abs(exponent) > MAX_EXPONENT:
            return None
        value = Fraction(10) ** exponent
        return -value if m["sign"] == "-" else value
    if m := _REPEATING.fullmatch(text):
        return _repeating(m["sign"], m["int"], m["frac"], m["r1"] or m["r2"] or m["r3"])
    if (m := _ELLIPSIS.fullmatch(text)) and (split := _ellipsis_period(m["frac"])):
        return _repeating(m["sign"], m["int"], *split)
    if m := _FRAC.fullmatch(text):
        num, den = parse_number(m["num"]), parse_number(m["den"])
        if num is None or den is None or den == 0:
            return None
        value = num / den
        if m["whole"] is not None:
            if not (0 <= value < 1):
                return None
            value += int(m["whole"])
        return -value if m["sign"] == "-" else value
    if m := _SLASH.fullmatch(text):
        num, den = parse_number(m["num"]), parse_number(m["den"])
        if num is None or den is None or den == 0:
            return None
        return num / den
    return None
