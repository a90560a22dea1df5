"""The computer-algebra comparison, for answers that are not plain numbers, lists or words.

Parsing is math-verify's LaTeX parser (latex2sympy2_extended, an ANTLR grammar that builds sympy
objects), with its signal-based timeouts disabled: the caller bounds the whole comparison with
`sparkle.reward.bounded`. math-verify's plain-expression extractor is deliberately not used: it
calls sympy's `parse_expr`, which evaluates its input as Python, and model text is never executed.

Scalar expressions are compared by us, not by math-verify's `verify`, to fix two of its defects:
- decimals are exact: every float literal becomes the rational it denotes, so `3.14` is not `\\pi`
  and `0.333` is not `1/3`;
- no absolute rounding: closed forms are evaluated to 50 significant digits and must agree to a
  relative 1e-30, so `1/2004!` and `1/2006!` differ although both round to 0.
Expressions with variables must use the same variables and agree at several rational points
(polynomial identity testing), which decides `x^2+2x+1` = `(x+1)^2` without `simplify`.

Sets, intervals, relations and matrices go to math-verify's structural `verify`.
"""

from __future__ import annotations

import functools
import logging
import re
from fractions import Fraction

import sympy
from math_verify import LatexExtractionConfig, parse, verify

logging.getLogger("math_verify").setLevel(logging.ERROR)

_CONFIG = (LatexExtractionConfig(boxed_match_priority=0),)
_DISJUNCTION = re.compile(r"\s+or\s+|\\lor(?![a-zA-Z])|\\vee(?![a-zA-Z])")
_DIGITS = 50
_RELATIVE_TOLERANCE = sympy.Float(10) ** -30
_TEST_POINTS = (sympy.Rational(7, 11), sympy.Rational(-13, 17), sympy.Rational(23, 9), sympy.Rational(5, 29))


@functools.lru_cache(maxsize=32768)
def parse_math(text: str) -> sympy.Basic | sympy.MatrixBase | None:
    """Return the sympy object for a LaTeX answer, or None if it does not parse.

    A disjunction of inequalities in one variable (`x < -1 or x > 2`, `\\lor`, `\\vee`) becomes
    the union of their solution sets, so it compares equal to `(-\\infty,-1)\\cup(2,\\infty)`.
    """
    pieces = _DISJUNCTION.split(text)
    if len(pieces) > 1:
        return _union_of_relations(pieces)
    return _parse_single(text)


def _union_of_relations(pieces: list[str]) -> sympy.Set | None:
    sets = []
    for piece in pieces:
        relation = _parse_single(piece)
        if not isinstance(relation, sympy.core.relational.Relational) or len(relation.free_symbols) != 1:
            return None
        sets.append(relation.as_set())
    return sympy.Union(*sets)


def _parse_single(text: str) -> sympy.Basic | sympy.MatrixBase | None:
    parsed = parse(f"${text}$", extraction_config=_CONFIG, parsing_timeout=None)
    for item in parsed:
        if isinstance(item, (sympy.Basic, sympy.MatrixBase)):
            return item
    return None


def _exact(expr: sympy.Expr) -> sympy.Expr:
    """Replace every float literal with the rational number it denotes."""
    floats = expr.atoms(sympy.Float)
    if not floats:
        return expr
    return expr.xreplace({f: sympy.Rational(str(f)) for f in floats})


def _close(a: sympy.Expr, b: sympy.Expr) -> bool | None:
    """Compare two numeric values to a relative 1e-30; None if either is not a finite number."""
    va, vb = a.evalf(_DIGITS), b.evalf(_DIGITS)
    if not (va.is_number and vb.is_number) or va.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    if vb.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo):
        return None
    scale = max(abs(va), abs(vb))
    if scale == 0:
        return True
    return bool(abs(va - vb) <= _RELATIVE_TOLERANCE * scale)


def _expressions_equal(pred: sympy.Expr, gold: sympy.Expr) -> bool:
    pred, gold = _exact(pred), _exact(gold)
    if pred == gold:
        return True
    symbols = gold.free_symbols
    if pred.free_symbols != symbols:
        return False
    if not symbols:
        return bool(_close(pred, gold))
    checked = 0
    for value in _TEST_POINTS:
        point = {s: value + i for i, s in enumerate(sorted(symbols, key=str))}
        verdict = _close(pred.xreplace(point), gold.xreplace(point))
        if verdict is False:
            return False
        checked += verdict is True
    return checked >= 2


def symbolic_equal(pred: str, gold: str) -> bool:
    """Return True if the two answer texts denote the same mathematical object."""
    gold_obj, pred_obj = parse_math(gold), parse_math(pred)
    if gold_obj is None or pred_obj is None:
        return False
    both_expressions = isinstance(gold_obj, sympy.Expr) and isinstance(pred_obj, sympy.Expr)
    if both_expressions and (not isinstance(gold_obj, sympy.Symbol) or gold_obj == pred_obj):
        return _expressions_equal(pred_obj, gold_obj)
    return verify(gold_obj, pred_obj, timeout_seconds=None, allow_set_relation_comp=True)


def numeric_value(text: str) -> Fraction | float | None:
    """Return a float value of a closed-form answer (no variables), or None."""
    obj = parse_math(text)
    if not isinstance(obj, sympy.Expr) or obj.free_symbols:
        return None
    value = obj.evalf(_DIGITS)
    if not value.is_real or not value.is_finite:
        return None
    return float(value)
