"""Normalisation of an extracted answer: notation variants folded, unit and percent split off.

The output keeps LaTeX (the symbolic path parses it) but removes what changes the notation and
not the value: `\\left`/`\\right`, `\\dfrac`, thin spaces, `\\text{}` wrappers, thousands separators,
unicode symbols, `\\varnothing`. Units, percent signs, degrees and currency are split off so that
`15\\text{ m}` compares as the value 15 with unit `m`: a unit may be absent on either side, but two
different units never match (15 m is not 15 cm).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TEXT_COMMAND = re.compile(
    r"\\(?:text|textbf|textit|textrm|textnormal|mathrm|mathbf|mathit|mbox|hbox|boxed|fbox)\s*\{([^{}]*)\}"
)
_DROP = re.compile(
    r"\\(?:displaystyle|textstyle|left|right|bigl|bigr|Bigl|Bigr|biggl|biggr|big|Big|bigg|Bigg)(?![a-zA-Z])|\\!"
)
_SPACES = re.compile(
    r"(?<!\\)\\[,;: ]|\\(?:quad|qquad|thinspace|enspace)(?![a-zA-Z])|~|[\u00a0\u2009\u202f\u2002\u2003]"
)
_SYMBOLS = {
    "−": "-",
    "–": "-",
    "×": "\\times ",
    "·": "\\cdot ",
    "√": "\\sqrt",
    "π": "\\pi ",
    "∞": "\\infty ",
    "≤": "\\le ",
    "≥": "\\ge ",
    "≠": "\\ne ",
    "∪": "\\cup ",
    "∩": "\\cap ",
    "∅": "\\emptyset ",
    "\\leq": "\\le",
    "\\geq": "\\ge",
    "\\lt": "<",
    "\\gt": ">",
    "\\neq": "\\ne",
    "\\dfrac": "\\frac",
    "\\tfrac": "\\frac",
    "\\varnothing": "\\emptyset",
    "\\infin": "\\infty",
}
_SYMBOL_PATTERN = re.compile("|".join(re.escape(k) + ("(?![a-zA-Z])" if k[-1].isalpha() else "") for k in _SYMBOLS))
_EMPTY_SET = re.compile(r"^\\\{\s*\\\}$|^\{\s*\}$")
_FRAC_DIGITS = re.compile(r"\\frac\s*(\d)\s*(\d)")
_FRAC_LEFT = re.compile(r"\\frac\s*(\d)\s*\{")
_FRAC_RIGHT = re.compile(r"\\frac\s*(\{[^{}]*\})\s*(\d)")
_SQRT_DIGIT = re.compile(r"\\sqrt\s*(\d+)")
_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:,\d{3})+)(?![\d])")
_SPACED_THOUSANDS = re.compile(r"-?\d{1,3}(?: \d{3})+(?:\.\d+)?")
_DEGREES = re.compile(r"\^\s*\{?\s*\\circ\s*\}?|\\circ(?![a-zA-Z])|°|\\degree(?![a-zA-Z])")
_FINAL_PERIOD = re.compile(r"(?<!\.)\.$")
_PERCENT = re.compile(r"\\%|%|\bpercent\b", re.IGNORECASE)
_DOLLAR = re.compile(r"\\\$|\bUSD\b")

_UNITS = {
    "m": "m",
    "meter": "m",
    "metre": "m",
    "cm": "cm",
    "centimeter": "cm",
    "centimetre": "cm",
    "mm": "mm",
    "millimeter": "mm",
    "km": "km",
    "kilometer": "km",
    "kilometre": "km",
    "in": "in",
    "inch": "in",
    "inches": "in",
    "ft": "ft",
    "foot": "ft",
    "feet": "ft",
    "yd": "yd",
    "yard": "yd",
    "mi": "mi",
    "mile": "mi",
    "s": "s",
    "sec": "s",
    "second": "s",
    "min": "min",
    "minute": "min",
    "h": "h",
    "hr": "h",
    "hour": "h",
    "day": "day",
    "week": "week",
    "month": "month",
    "yr": "year",
    "year": "year",
    "g": "g",
    "gram": "g",
    "kg": "kg",
    "kilogram": "kg",
    "mg": "mg",
    "milligram": "mg",
    "lb": "lb",
    "lbs": "lb",
    "pound": "lb",
    "oz": "oz",
    "ounce": "oz",
    "l": "L",
    "liter": "L",
    "litre": "L",
    "ml": "mL",
    "milliliter": "mL",
    "millilitre": "mL",
    "dollar": "dollar",
    "cent": "cent",
    "degree": "degree",
    "deg": "degree",
    "radian": "rad",
    "rad": "rad",
    "mph": "mph",
    "unit": "unit",
    "sq": "square",
}
_ATTACHED_UNITS = ("cm", "mm", "km", "kg", "mg", "ml", "mL", "ft", "in", "m", "g", "s", "h", "L")
_NOT_UNITS = {
    "and",
    "or",
    "pi",
    "sin",
    "cos",
    "tan",
    "cot",
    "sec",
    "csc",
    "log",
    "ln",
    "exp",
    "sqrt",
    "frac",
    "infty",
    "cdot",
    "times",
    "mod",
    "pmod",
    "dots",
    "ldots",
    "cdots",
    "le",
    "ge",
    "ne",
    "cup",
    "cap",
    "emptyset",
    "in",
    "to",
    "of",
    "is",
    "the",
    "no",
    "yes",
    "none",
    "true",
    "false",
}
_POWER = r"(?:\s*\^\s*\{?[23]\}?)?"
_UNIT_WORDS = rf"(?:(?:square|sq|cubic)\s+)?[a-zA-Z]+{_POWER}(?:\s*(?:/|per)\s*[a-zA-Z]+{_POWER})?"
_SPACED_UNIT = re.compile(rf"(?P<value>.*?[\d}})\]])\s+(?P<unit>{_UNIT_WORDS})\.?")
_ATTACHED_UNIT = re.compile(rf"(?P<value>.*?\d)\s*(?P<unit>(?:{'|'.join(_ATTACHED_UNITS)})(?:\s*\^\s*\{{?[23]\}}?)?)")
_UNIT_POWER = re.compile(r"\s*\^\s*\{?([23])\}?")


@dataclass(frozen=True)
class Normalized:
    """An answer split into its value text, canonical unit (or None) and percent flag."""

    text: str
    unit: str | None
    percent: bool


def _unwrap_text_commands(text: str) -> str:
    for _ in range(8):
        unwrapped = _TEXT_COMMAND.sub(lambda m: f" {m.group(1)} ", text)
        if unwrapped == text:
            break
        text = unwrapped
    return text


def _singular(word: str) -> str:
    lowered = word.lower()
    if lowered in _UNITS:
        return lowered
    for suffix in ("es", "s"):
        if lowered.endswith(suffix) and lowered[: -len(suffix)] in _UNITS:
            return lowered[: -len(suffix)]
    if lowered.endswith("s") and len(lowered) > 3:
        return lowered[:-1]
    return lowered


def canonical_unit(unit: str) -> str | None:
    """Return the canonical form of a unit phrase ("square meters" -> "m^2"), or None if not a unit."""
    power = ""
    if m := _UNIT_POWER.search(unit):
        power = "^" + m.group(1)
        unit = _UNIT_POWER.sub("", unit)
    words = unit.replace("/", " per ").split()
    if words and words[0].lower() in ("square", "sq"):
        power, words = "^2", words[1:]
    elif words and words[0].lower() == "cubic":
        power, words = "^3", words[1:]
    if not words:
        return None
    parts = []
    for word in words:
        if word.lower() == "per":
            parts.append("/")
            continue
        single = _singular(word)
        if single in _UNITS:
            parts.append(_UNITS[single])
        elif len(single) >= 3 and single not in _NOT_UNITS:
            parts.append(single)
        else:
            return None
    return "".join(parts) + power


def _split_unit(text: str) -> tuple[str, str | None]:
    for pattern in (_SPACED_UNIT, _ATTACHED_UNIT):
        m = pattern.fullmatch(text)
        if m and m["value"].strip() and (unit := canonical_unit(m["unit"])):
            return m["value"].strip(), unit
    return text, None


def normalize_answer(answer: str) -> Normalized:
    """Return `answer` with notation variants folded and its unit / percent split off."""
    text = answer.strip().strip("$").strip()
    text = _DROP.sub("", text)
    text = _SPACES.sub(" ", text)
    text = _SYMBOL_PATTERN.sub(lambda m: _SYMBOLS[m.group(0)], text)
    text = text.replace("{,}", ",")
    percent = bool(_PERCENT.search(text))
    text = _PERCENT.sub(" ", text)
    unit: str | None = None
    if _DEGREES.search(text):
        unit, text = "degree", _DEGREES.sub(" ", text)
    if _DOLLAR.search(text):
        unit, text = "dollar", _DOLLAR.sub(" ", text)
    text = _unwrap_text_commands(text)
    text = _FINAL_PERIOD.sub("", re.sub(r"\s+", " ", text).strip()).strip()
    if _EMPTY_SET.match(text):
        text = "\\emptyset"
    text = _FRAC_DIGITS.sub(r"\\frac{\1}{\2}", text)
    text = _FRAC_LEFT.sub(r"\\frac{\1}{", text)
    text = _FRAC_RIGHT.sub(r"\\frac\1{\2}", text)
    text = _SQRT_DIGIT.sub(r"\\sqrt{\1}", text)
    if _SPACED_THOUSANDS.fullmatch(text):
        text = text.replace(" ", "")
    text = _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), text)
    text, found_unit = _split_unit(text)
    return Normalized(text=text, unit=found_unit or unit, percent=percent)


def compact(text: str) -> str:
    """Return `text` without whitespace and outer braces, for literal comparison."""
    text = re.sub(r"\s+", "", text)
    while len(text) >= 2 and text[0] == "{" and text[-1] == "}":
        text = text[1:-1]
    return text
