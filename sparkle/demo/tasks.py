"""Procedural addition problems in the SPARKLE answer format, and the careless teacher of the warm start.

Two families, enumerated and shuffled by seed, so held-out problems never appear in training:

- **easy** (stage 1): ``What is x + y?`` with x and y in 1..9: one step, ``x + y = s``. Both terms
  are single digits (one token each, as in Qwen's tokenizer): with x in 1..25 the warm start copied
  a two-digit term from the question wrongly about half the time (seed 0: the pretraining phase's
  model in 52% of samples with x >= 10, none with x < 10), which 12 GRPO steps did not repair
  (held-out easy accuracy 0.31 -> 0.42), and the slip stage 1 is meant to fix is the answer slip below;
- **hard** (stage 2): ``What is s + a1 + ... + a6?`` with s in 1..9 and a_i in 1..4: six steps, each
  adding one number to the running total (``12 + 3 = 15``), which reaches 33: a chain of additions
  like the easy ones, on totals that only the warm start's hard rows show.

Every solution is ``<think>\\n<steps, one per line>\\n</think>\\n<answer>\\nThe answer is \\boxed{n}.\\n</answer>``.
A hard problem's reference trace (`CoT`) has three paragraphs: the first four steps, the fifth, the
sixth; SPARKLE's split (`sparkle data stage2 --levels 3`) keeps paragraphs as its chunks, so hint
level 1 gives the model four steps (two carries left), level 2 five (one carry left) and level 3 all
six (it only leaves the answer).

**The warm start's teacher is careless in two ways** (`Teacher`), which are the two things the
miniature's RL stages are meant to fix:

1. *answer slip* (every problem): with probability `answer_slip` the answer box holds the total
   before the last step (the first number of the teacher's last line: it forgets its last addition)
   instead of the total. A model that learns it gets about half of the easy problems right while
   writing correct steps; stage-1 GRPO on easy problems can remove it. The slipped box is read from
   the teacher's own chain, never from the question: when it was the last number added (the
   question's last number), the model learned to read its box off the question, and then boxed the
   question's total under its own wrong lines in 1-2% of its unhinted hard samples, which gave 0.11-0.19
   of unhinted groups reward variance on some seeds (README, "The CPU miniature").
2. *carry slip* (every step that starts from a running total, i.e. all steps but a trace's first):
   with probability `carry_slip` the total is carried into the next step `carry_error` too high (ten
   in the demo, `sparkle.demo.settings`); the step's addition is then done correctly, so the error
   propagates to the answer.
   Easy problems have no such step. A hard problem has five, so the model almost never gets one right
   (the answer box comes on top), while a hint of four, five or six steps leaves two carries, one or
   none: hinted groups have reward variance where unhinted ones have none (SPARKLE's stage-2 premise),
   and stage-2 GRPO on them rewards a right total after exactly the step that long unhinted chains fail
   at (which the model also meets by cancelling the slip, below). The four-step hint matters: its
   second carry copies a total the model wrote itself, as every carry of an unhinted chain does,
   while the first carry after a hint copies one from the prompt. With hints of four and five steps
   of five-step problems only, stage 2 learned the carry after the hint but hardly its own (seed 4:
   right answers with one carry left 10% -> 36%, without a hint 0.4% -> 1.2%); with a three-step hint
   as well, the same seed's held-out hard accuracy went 0.4% -> 39.1% (README, "The CPU miniature").
   Problems have six steps rather than five because the unhinted chain must stay out of reach while
   the hinted ones keep their two carries: with five, the stage-1 model got 0.5-1.2% of unhinted
   samples right, mostly by errors that cancel (below), so 0.125-0.172 of unhinted groups had reward
   variance on two of six runs of one base seed; the sixth step's carry makes each such path rarer.

The warm start's pretraining phase boxes answers correctly but makes the same carry slips
(`sparkle.demo.warmstart`), so the model has no correct way of carrying to fall back on. Stage 1 still
makes carries more reliable (copying a number is a skill easy problems train too); the slip rate is
set high enough (`sparkle.demo.settings`) that unhinted hard problems stay out of reach after it.

The teacher's slips only add, so its wrong chains never end on the right answer; the model's can:
it also copies a wrong addend from the question or writes a wrong sum (``14 + 2 = 15``), and with
slips of one either of those undoes a carry slip, which the reward, checking only the box, pays for
as for a right chain (`Problem.steps_are_right` tells them apart). A slip of ten is too large for a
misread addend (1..4) or a sum one off to cancel, which is why the demo uses it; only a tens digit ten
off cancels it: in a sum (``25 + 3 = 18``, which one seed's stage 2 learned), in a later carry, or in the
box.
"""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass

EASY_TERMS = range(1, 10)
ADDENDS = range(1, 5)
HARD_START = range(1, 10)
HARD_STEPS = 6
HINT_PARAGRAPHS = (4, 1, 1)
"""Steps per paragraph of a hard problem's reference trace; one hint level per paragraph."""
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat")
"""The keys of a hard problem's numbers after the first, one per step (`Problem.problem`)."""
STEP_LINE = re.compile(r"^(?:[A-Z][a-z]+: )?\d+ \+ \d+ = \d+$", flags=re.MULTILINE)
"""A step line of a solution, ``total + number = new total``, after its day on a hard problem
(``Tue: 7 + 3 = 10``)."""


@dataclass(frozen=True)
class Problem:
    """A sum of `numbers`, solved left to right one addition per step."""

    numbers: tuple[int, ...]

    @property
    def problem(self) -> str:
        """``What is x + y?`` for one step; a story with one day per step for more."""
        if len(self.numbers) == 2:
            return "What is " + " + ".join(map(str, self.numbers)) + "?"
        start, *adds = self.numbers
        days = "".join(f"{day} {number}\n" for day, number in zip(DAYS, adds, strict=False))
        return f"Sam has {start} coins and gets:\n{days}How many coins does he have?"

    def step_line(self, index: int, total: int) -> str:
        """Step `index` (from 0) of a chain that has reached `total`: ``total + number = new total``, after
        the step's day when the problem has several steps (the day says where the number is in the question)."""
        number = self.numbers[index + 1]
        line = f"{total} + {number} = {total + number}"
        return line if len(self.numbers) == 2 else f"{DAYS[index]}: {line}"

    @property
    def answer(self) -> int:
        return sum(self.numbers)

    @property
    def steps(self) -> tuple[str, ...]:
        """The correct steps: ``total + next = new total``."""
        lines, total = [], self.numbers[0]
        for index, number in enumerate(self.numbers[1:]):
            lines.append(self.step_line(index, total))
            total += number
        return tuple(lines)

    def steps_are_right(self, response: str) -> bool:
        """Whether the step lines of `response` are exactly the correct steps, in order: a right
        answer without them was reached by errors that cancel (the reward checks only the box)."""
        return tuple(STEP_LINE.findall(response)) == self.steps

    @property
    def solution(self) -> str:
        """The response a perfect model writes."""
        return answer_block(self.steps, self.answer, opened=True)

    @property
    def cot(self) -> str:
        """The reference trace for hints: the steps grouped into `HINT_PARAGRAPHS` paragraphs (one line
        for a one-step problem)."""
        if len(self.steps) != sum(HINT_PARAGRAPHS):
            return "\n".join(self.steps)
        groups, start = [], 0
        for size in HINT_PARAGRAPHS:
            groups.append("\n".join(self.steps[start : start + size]))
            start += size
        return "\n\n".join(groups)

    def record(self) -> dict[str, str]:
        """A row in the dsr40k / hardmath schema (`problem`, `solution`, `CoT`, `answer`)."""
        return {"problem": self.problem, "solution": self.solution, "CoT": self.cot, "answer": str(self.answer)}


def answer_block(steps: tuple[str, ...] | list[str], boxed: int, opened: bool) -> str:
    """Steps, ``</think>`` and the answer block; `opened` writes the ``<think>`` line first (a hinted
    response continues a think block the prompt opened)."""
    lines = [*steps, "</think>", "<answer>", f"The answer is \\boxed{{{boxed}}}.", "</answer>"]
    return "\n".join(["<think>", *lines] if opened else lines)


@dataclass(frozen=True)
class Teacher:
    """The careless author of the warm-start data (see the module docstring)."""

    answer_slip: float
    carry_slip: float
    carry_error: int = 1
    """How much too high a slipped carry is."""

    def solution(self, problem: Problem, rng: random.Random, given: int = 0) -> str:
        """A response to `problem`; with `given` > 0, the continuation after its first `given` correct
        steps (which a hinted prompt already holds)."""
        total = sum(problem.numbers[: given + 1])
        lines = []
        for index, number in enumerate(problem.numbers[given + 1 :], start=given):
            if index > 0 and rng.random() < self.carry_slip:
                total += self.carry_error
            lines.append(problem.step_line(index, total))
            total += number
        boxed = total - problem.numbers[-1] if rng.random() < self.answer_slip else total
        return answer_block(lines, boxed, opened=given == 0)


def easy_problems(seed: int) -> list[Problem]:
    """Every one-step problem x + y, each once, in a seeded order."""
    problems = [Problem((x, y)) for x in EASY_TERMS for y in EASY_TERMS]
    random.Random(f"easy-{seed}").shuffle(problems)
    return problems


def hard_problems(seed: int) -> list[Problem]:
    """Every six-step problem s + a1 + ... + a6, each once, in a seeded order."""
    problems = [
        Problem((start, *adds)) for start in HARD_START for adds in itertools.product(ADDENDS, repeat=HARD_STEPS)
    ]
    random.Random(f"hard-{seed}").shuffle(problems)
    return problems
