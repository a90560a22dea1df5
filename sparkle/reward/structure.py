"""The shape of a normalised answer: one value, or a list, set, tuple, labelled parts, an interval.

Shapes decide how parts are matched: sets and bare lists of solutions are unordered; tuples and
labelled parts ("(a) 5, (b) 7") are ordered; intervals, inequalities, unions and matrices go whole
to the symbolic comparison. Splitting happens on top-level separators only (commas, "and", "or"),
never inside brackets, and a `\\pm` expands into its two values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum


class Shape(Enum):
    """How the parts of an answer relate."""

    SCALAR = "scalar"
    LIST = "list"  # several answers, any order
    SET = "set"  # \{...\}, any order
    TUPLE = "tuple"  # (a, b, c), ordered; (a, b) may also be an open interval
    LABELLED = "labelled"  # (a) ..., (b) ..., ordered
    NAMED = "named"  # x = 2, y = 3: matched by variable name
    WHOLE = "whole"  # intervals, inequalities, unions, matrices: compared as one object


@dataclass(frozen=True)
class Structured:
    """An answer's shape and its parts (a single part for SCALAR and WHOLE; none for the empty set).

    For NAMED answers `names[i]` is the variable that `parts[i]` is assigned to.
    """

    shape: Shape
    parts: tuple[str, ...]
    names: tuple[str, ...] = ()


_LABEL = re.compile(r"(?:^|(?<=[\s,;]))\(?([a-h])\)\s*:?\s*")
_NAMED_PART = re.compile(r"([a-zA-Z](?:_\{?\w+\}?)?)\s*=\s*([^=]+)")
_WORD_SEPARATOR = re.compile(r"\s+(?:and|or)\s+|\s*;\s*")
_RELATION = re.compile(r"<|>|\\le(?![a-zA-Z])|\\ge(?![a-zA-Z])|\\ne(?![a-zA-Z])")
_WHOLE_MARKERS = re.compile(r"\\cup|\\cap|\\begin\{|\\infty|\\setminus|\\mathbb")
_SIMPLE_LHS = re.compile(
    r"\s*(?:[a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+|[a-zA-Z]\s*\([a-zA-Z]\)|\((?:\s*[a-zA-Z]\s*,)+\s*[a-zA-Z]\s*\)"
    r"|[a-zA-Z][a-zA-Z ]{0,30})\s*"
)


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split `text` on `separator` where it is not inside (), [], {} (escaped braces count)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        char = text[i]
        if char == "\\" and text[i + 1 : i + 2] in ("{", "}"):
            depth += 1 if text[i + 1] == "{" else -1
            i += 2
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _enclosed(text: str, opener: str, closer: str) -> str | None:
    """Return the inside of `text` if one bracket pair encloses all of it."""
    if not (text.startswith(opener) and text.endswith(closer)):
        return None
    inner = text[len(opener) : len(text) - len(closer)]
    depth = 0
    for char in inner:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth < 0:
                return None
    return inner if depth == 0 else None


def strip_assignment(text: str) -> str:
    """Return the value of `x = 5`, `f(x) = 2x`, `(x, y) = (1, 2)` or `x = 2 + 3 = 5` (the last side).

    Only a simple left side (a name, a function of one variable, a tuple of names) is dropped, so a
    real equation such as `x^2 + y^2 = 1` stays whole.
    """
    sides = split_top_level(text, "=")
    if len(sides) < 2 or not sides[-1] or any(s.endswith(("<", ">", "!")) for s in sides[:-1]):
        return text
    if _SIMPLE_LHS.fullmatch(sides[0]):
        return sides[-1]
    return text


def _expand_pm(part: str) -> list[str]:
    if part.count("\\pm") == 1:
        return [part.replace("\\pm", "+"), part.replace("\\pm", "-")]
    if part.count("\\mp") == 1:
        return [part.replace("\\mp", "-"), part.replace("\\mp", "+")]
    return [part]


def _labelled_parts(text: str) -> list[str] | None:
    labels = list(_LABEL.finditer(text))
    if len(labels) < 2 or labels[0].start() != 0:
        return None
    letters = [m.group(1) for m in labels]
    if letters != [chr(ord("a") + i) for i in range(len(letters))]:
        return None
    bounds = [m.end() for m in labels]
    ends = [m.start() for m in labels[1:]] + [len(text)]
    return [strip_assignment(text[b:e].strip(" ,;")) for b, e in zip(bounds, ends, strict=True)]


def structure(text: str) -> Structured:
    """Return the shape of a normalised answer and its parts."""
    if (labelled := _labelled_parts(text)) is not None:
        return Structured(Shape.LABELLED, tuple(labelled))
    if len(split_top_level(text)) == 1 and not _WORD_SEPARATOR.search(text):
        text = strip_assignment(text)
    if text == "\\emptyset":
        return Structured(Shape.SET, ())
    if (inner := _enclosed(text, "\\{", "\\}")) is not None:
        items = [p for p in split_top_level(inner) if p]
        return Structured(Shape.SET, tuple(x for p in items for x in _expand_pm(strip_assignment(p))))
    if _WHOLE_MARKERS.search(text) or _RELATION.search(text):
        return Structured(Shape.WHOLE, (text,))
    for opener, closer in (("(", ")"), ("[", "]"), ("(", "]"), ("[", ")")):
        inner = _enclosed(text, opener, closer)
        if inner is not None and len(items := split_top_level(inner)) > 1:
            if (opener, closer) != ("(", ")"):
                return Structured(Shape.WHOLE, (text,))
            return Structured(Shape.TUPLE, tuple(items))
    pieces = [p.strip() for chunk in split_top_level(text) for p in _WORD_SEPARATOR.split(chunk) if p.strip()]
    named = [_NAMED_PART.fullmatch(p) for p in pieces]
    if len(pieces) > 1 and all(named) and len({m.group(1) for m in named}) == len(named):
        return Structured(Shape.NAMED, tuple(m.group(2).strip() for m in named), tuple(m.group(1) for m in named))
    values = [x for p in pieces for x in _expand_pm(strip_assignment(p))]
    if len(values) > 1:
        return Structured(Shape.LIST, tuple(values))
    return Structured(Shape.SCALAR, (values[0] if values else text,))
