"""Split a reference solution into steps: the original's `smart_split_thinking_process`.

Source: `scripts/data/prepare_stage_two_data_aug.py` of sparkle-reasoning/sparkle, described in
docs/original-system.md §4.4; re-implemented here with the same behaviour. With
``steps = target_steps // 2`` if `first_half` else ``target_steps``, the first matching branch wins:

1. **paragraphs** — pieces of ``re.split(r"\\n\\s*\\n")``, stripped, empty ones dropped. With at least
   `steps` paragraphs, consolidate them into `steps` chunks: with ``r = n / steps`` chunk ``i`` holds
   paragraphs ``[int(i*r), int((i+1)*r))`` and the last chunk takes the rest; joined with ``"\\n\\n"``.
   Six paragraphs give chunk sizes 1, 2, 1, 2 (steps 4) and 3, 3 (steps 2).
2. **numbered** — matches of ``(?:^|[.!?]\\s+|\\n\\s*)(\\d+\\.\\s+(?:\\*\\*)?)``. With at least ``steps - 1``
   matches, section starts are ``[0]`` plus each item's digit position; they are consolidated like
   paragraphs, a chunk running from its first start to the next chunk's first start (the last to the
   end of the text), stripped.
3. **bullets** — at least two bullet headers ``(?:^|\\n)\\s*[-*•]\\s+\\*\\*``: the sentence fallback
   with `target_steps` groups, cut to the first `steps`.
4. **headers** — start positions of bold ``**x**:`` headers, ``Capitalised words:`` and section words
   (Understanding, Step, First, Next, Finally, ...) followed by ``:``, all case-insensitive. With fewer
   than ``steps - 1`` of them: the sentence fallback as in 3. Otherwise the breaks ``[0] +
   breaks[:steps] + [len]`` delimit sections that are consolidated into `steps` chunks.

**Fallback** (`split_thinking_process(text, steps)`): paragraphs as in 1 if there are at least `steps`;
else sentences ``[^.!?]+[.!?]+`` plus an unterminated tail; at most `steps` sentences are returned as
they are, more are grouped ``ceil(n / steps)`` at a time and joined with a space — which can yield
fewer than `steps` groups (5 or 6 sentences give 3).

Semantics of `first_half` (measured on the original, docs §4.4 and defect 5 in §11): in the paragraph
and numbered branches — and in the header branch when it finds a break — the two chunks together cover
the *whole* trace, so level 2 contains the full solution; only the bullet and sentence fallbacks keep a
true first half (the first 2 of up to 4 sentence groups).

Another quirk kept for faithfulness: position 0 can appear twice among the numbered starts or header
breaks (a trace that begins with ``1.`` or with a header), which yields an empty first chunk; the
stage-2 builder drops empty chunks and counts them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
NUMBERED_ITEM = re.compile(r"(?:^|[.!?]\s+|\n\s*)(\d+\.\s+(?:\*\*)?)")
BULLET_HEADER = re.compile(r"(?:^|\n)\s*[-*•]\s+\*\*")
HEADER_BREAKS = (
    re.compile(r"(?:^|\s)(\*\*[^*]+\*\*)(?:\s*:)", re.IGNORECASE),
    re.compile(r"(?:^|\s)([A-Z][a-zA-Z\s]+:)(?:\s)", re.IGNORECASE),
    re.compile(
        r"(?:^|\s)(Understanding|Determining|Calculating|Finding|Analysis|Diagram|Position|Area|Volume|"
        r"Step|First|Next|Finally)(?:\s+(?:of|the))?(?:\s*:)",
        re.IGNORECASE,
    ),
)
SENTENCE = re.compile(r"([^.!?]+[.!?]+)")

BRANCHES = ("paragraphs", "numbered", "bullets", "headers", "sentences")
"""Names of the branches, as reported by `split_steps`."""


@dataclass(frozen=True)
class SplitResult:
    """The chunks of one reference solution and the branch of the algorithm that produced them."""

    chunks: list[str]
    branch: str


def _even_groups(n_items: int, n_groups: int) -> list[tuple[int, int]]:
    """Index ranges ``[int(i*r), int((i+1)*r))`` with ``r = n_items / n_groups``; the last runs to the end."""
    per_group = n_items / n_groups
    bounds = []
    for i in range(n_groups):
        start = int(i * per_group)
        end = n_items if i == n_groups - 1 else int((i + 1) * per_group)
        bounds.append((start, end))
    return bounds


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, stripped, without empty ones."""
    return [piece.strip() for piece in PARAGRAPH_BREAK.split(text) if piece.strip()]


def _consolidate_paragraphs(paras: list[str], steps: int) -> list[str]:
    return ["\n\n".join(paras[start:end]) for start, end in _even_groups(len(paras), steps)]


def _sentences(text: str) -> list[str]:
    found = [s.strip() for s in SENTENCE.findall(text) if s.strip()]
    last_end = text.rfind(found[-1]) + len(found[-1]) if found else 0
    if last_end < len(text):
        tail = text[last_end:].strip()
        if tail:
            found.append(tail)
    return found


def split_thinking_process(text: str, steps: int) -> list[str]:
    """The fallback splitter: paragraphs if there are at least `steps`, else groups of sentences."""
    paras = paragraphs(text)
    if len(paras) >= steps:
        return _consolidate_paragraphs(paras, steps)
    sentences = _sentences(text)
    if len(sentences) <= steps:
        return sentences
    per_group = max(1, math.ceil(len(sentences) / steps))
    return [
        " ".join(sentences[start : start + per_group])
        for start in range(0, min(len(sentences), steps * per_group), per_group)
    ]


def _cut_at(text: str, positions: list[int], n_sections: int, steps: int) -> list[str]:
    """Consolidate the sections delimited by `positions` into `steps` stripped chunks."""
    chunks = []
    for start, end in _even_groups(n_sections, steps):
        end_pos = len(text) if end >= len(positions) else positions[end]
        chunks.append(text[positions[start] : end_pos].strip())
    return chunks


def split_steps(text: str, target_steps: int = 4, first_half: bool = False) -> SplitResult:
    """Split `text` like the original `smart_split_thinking_process`, reporting the branch taken."""
    steps = target_steps // 2 if first_half else target_steps
    if steps < 1:
        raise ValueError(f"need at least one step, got target_steps={target_steps}, first_half={first_half}")

    paras = paragraphs(text)
    if len(paras) >= steps:
        return SplitResult(_consolidate_paragraphs(paras, steps), "paragraphs")

    items = list(NUMBERED_ITEM.finditer(text))
    if len(items) >= steps - 1:
        starts = sorted([0] + [m.start(1) for m in items])
        return SplitResult(_cut_at(text, starts, len(starts), steps), "numbered")

    if len(BULLET_HEADER.findall(text)) >= 2:
        return SplitResult(split_thinking_process(text, target_steps)[:steps], "bullets")

    breaks = sorted(m.start() for pattern in HEADER_BREAKS for m in pattern.finditer(text))
    if len(breaks) < steps - 1:
        return SplitResult(split_thinking_process(text, target_steps)[:steps], "sentences")
    positions = [0, *breaks[:steps], len(text)]
    n_sections = len(positions) - 1
    chunks = [text[positions[start] : positions[end]].strip() for start, end in _even_groups(n_sections, steps)]
    return SplitResult(chunks, "headers")


def smart_split_thinking_process(text: str, target_steps: int = 4, use_first_half: bool = False) -> list[str]:
    """The original function's name and signature: the chunks of `split_steps`."""
    return split_steps(text, target_steps, use_first_half).chunks
