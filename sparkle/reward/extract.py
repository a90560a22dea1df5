"""Final-answer extraction from a full model response.

Order (after SPARKLE's `extract_solution`, original-system.md §5.3, with its defects fixed):

1. Boxes: `\\boxed{...}` (nested braces), `\\boxed 5` (space form, up to `$` or end of line) and
   `\\fbox{...}`. If the last closed `<answer>` block holds boxes, all of its boxes are the answer;
   otherwise the last box plus the boxes right before it that are separated from it only by
   connectors ("and", commas, "(b)", "y =") form the answer, so `x=\\boxed{2}, y=\\boxed{3}` gives
   "2, 3" rather than "3".
2. The last closed `<answer>...</answer>` block: the text after an answer phrase inside it, else its
   last `$...$` span, else its only number if it is one short sentence, else all of it.
3. The last answer phrase in the response ("the answer is", "Final answer:", "Answer:").
4. Nothing: a response cut off before its final answer has no answer. There is deliberately no
   fallback to the last number in the reasoning.

Scanning is linear in the response length (no backtracking regexes over the whole text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOX_COMMAND = re.compile(r"\\(?:boxed|fbox)(?![a-zA-Z])")
_SPECIAL_TOKENS = re.compile(r"<\|(?:im_end|endoftext|eot_id|end_of_text)\|>|</s>")
_ANSWER_PHRASE = re.compile(
    r"(?:the\s+)?(?:final\s+)?answer\s*(?:is|:|=)\s*:?|final\s+answer\s*:",
    re.IGNORECASE,
)
_BOX_CONNECTOR = re.compile(
    r"""[\s,;.$&]*
        (?:(?:and|or|\\text\{\s*(?:and|or|,)?\s*\}|\\quad|\\qquad|\\[,;:!]|\\\\)[\s,;$&]*)*
        (?:(?:\(\s*[a-z]\s*\)|[a-z]\s*\)|\\text\{\s*\(?[a-z]\)\s*\})[\s$]*)?
        (?:(?:[a-zA-Z](?:_\{?\w+\}?)?|\\[a-zA-Z]+)\s*=\s*)?[\s$]*""",
    re.VERBOSE,
)
_MAX_CONNECTOR = 40
_WRAPPERS = " \t\n$*_"
_SENTENCE_END = re.compile(r"\.\s+(?=[A-Z])")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_MATH_SPAN = re.compile(r"\$((?:\\.|[^\\$])+)\$")
_PART_LABEL = re.compile(r"(?:\(([a-h])\)[\s$:]*)?(?:(?<![a-zA-Z\\])([a-zA-Z](?:_\{?\w+\}?)?)\s*=\s*)?[\s$]*$")


@dataclass(frozen=True)
class Box:
    """One boxed expression: its content and the span of the whole `\\boxed{...}` in the text."""

    content: str
    start: int
    end: int


def response_text(solution: str) -> str:
    """Return the model's part of `solution` without end-of-turn special tokens.

    verl 0.9.1 passes the decoded response alone; callers that pass prompt + response (as verl 0.2
    did) get the text after the last assistant header, so tags in the prompt never count.
    """
    marker = "<|im_start|>assistant"
    cut = solution.rfind(marker)
    if cut >= 0:
        solution = solution[cut + len(marker) :]
    return _SPECIAL_TOKENS.sub("", solution)


def _matching_braces(text: str) -> dict[int, int]:
    """Map the index of every closed `{` in `text` to the index of its `}` (one linear pass).

    Escaped braces (`\\{`, `\\}`, as in set notation) are skipped.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            stack.append(i)
        elif char == "}" and stack:
            pairs[stack.pop()] = i
        i += 1
    return pairs


def find_boxes(text: str) -> list[Box]:
    """Return every closed box in `text`, in order; unclosed (truncated) boxes are skipped."""
    boxes: list[Box] = []
    closers = _matching_braces(text) if "{" in text else {}
    resume = 0
    for command in _BOX_COMMAND.finditer(text):
        if command.start() < resume:
            continue
        j = command.end()
        while j < len(text) and text[j] in " \t":
            j += 1
        if j < len(text) and text[j] == "{":
            close = closers.get(j, -1)
            if close >= 0:
                boxes.append(Box(text[j + 1 : close].strip(), command.start(), close + 1))
                resume = close + 1
        elif j > command.end() and j < len(text):
            stop = min((hit for hit in (text.find("$", j), text.find("\n", j)) if hit >= 0), default=len(text))
            content = text[j:stop].strip().rstrip(".")
            if content:
                boxes.append(Box(content, command.start(), stop))
                resume = stop
    return boxes


def _final_box_run(text: str, boxes: list[Box]) -> list[Box]:
    """Return the last box and the boxes before it joined to it by connector text only."""
    run = [boxes[-1]]
    for prev in reversed(boxes[:-1]):
        gap = text[prev.end : run[0].start]
        if len(gap) > _MAX_CONNECTOR or _BOX_CONNECTOR.fullmatch(gap) is None:
            break
        run.insert(0, prev)
    return run


def _join_boxes(text: str, boxes: list[Box]) -> str | None:
    """Join box contents with ", ", keeping what names each one when there are several: a part
    label written right before a box ("(b) \\boxed{7}" -> "(b) 7") and a variable it is assigned
    to ("y = \\boxed{3}" -> "y = 3")."""
    parts = []
    for box in boxes:
        if not box.content:
            continue
        prefix = ""
        if len(boxes) > 1 and (m := _PART_LABEL.search(text, max(0, box.start - 16), box.start)):
            prefix = (f"({m.group(1)}) " if m.group(1) else "") + (f"{m.group(2)} = " if m.group(2) else "")
        parts.append(prefix + box.content)
    return ", ".join(parts) or None


def _clean(answer: str) -> str:
    """Strip math delimiters, markdown emphasis and one sentence-final period."""
    answer = answer.strip(_WRAPPERS)
    if answer.endswith(".") and not answer.endswith(".."):
        answer = answer[:-1]
    return answer.strip(_WRAPPERS)


def _after_phrase(text: str) -> str | None:
    """Return what follows the last answer phrase in `text`: a `$...$` span, or the sentence."""
    last = None
    for match in _ANSWER_PHRASE.finditer(text):
        last = match
    if last is None:
        return None
    line = text[last.end() :].split("\n", 1)[0].strip(" *_\t")
    math = _MATH_SPAN.match(line)
    line = math.group(1) if math else _SENTENCE_END.split(line, maxsplit=1)[0]
    return _clean(line) or None


def _block_answer(content: str) -> str | None:
    """The answer stated in an `<answer>` block without a box: after an answer phrase, else its last
    `$...$` span, else its only number when the block is a short sentence ("He eats 48 pieces."),
    else the whole block."""
    if phrase := _after_phrase(content):
        return phrase
    spans = _MATH_SPAN.findall(content)
    if spans:
        return _clean(spans[-1]) or None
    numbers = _NUMBER.findall(content)
    is_sentence = "\\" not in content and len(re.findall(r"[a-zA-Z]{3,}", content)) >= 2
    if len(numbers) == 1 and is_sentence and len(content.split()) <= 12:
        return numbers[0]
    return _clean(content) or None


def last_answer_block(text: str) -> tuple[int, int] | None:
    """Return the (start, end) span of the content of the last closed `<answer>` block, if any."""
    lowered = text.lower()
    close = lowered.rfind("</answer>")
    if close < 0:
        return None
    open_ = lowered.rfind("<answer>", 0, close)
    if open_ < 0:
        return None
    return open_ + len("<answer>"), close


def extract_answer(solution: str) -> str | None:
    """Return the final answer written in `solution`, or None if it states none.

    Several boxes forming one final answer are joined with ", ".
    """
    text = response_text(solution)
    block = last_answer_block(text)
    boxes = find_boxes(text)
    if boxes:
        if block is not None:
            inside = [b for b in boxes if block[0] <= b.start and b.end <= block[1]]
            if inside:
                return _join_boxes(text, inside)
        return _join_boxes(text, _final_box_run(text, boxes))
    if block is not None:
        return _block_answer(text[block[0] : block[1]].strip())
    return _after_phrase(text)
