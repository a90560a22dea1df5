"""Procedural addition problems in the SPARKLE answer format, and the careless teacher of the warm start.

Two families, enumerated and shuffled by seed, so held-out problems never appear in training:

- **easy** (stage 1): ``What is x + y?`` with x and y in 1..9: one step, ``x + y = s``. Both terms
  are single digits (one token each, as in Qwen's tokenizer): with x in 1..25 the warm start copied
  a two-digit term from the question wrongly about half the time, which 12 GRPO steps did not repair;
- **hard** (stage 2): a start s in 1..9 and six numbers a_i in 1..4, told as a story with one day per
  number, each day starting its own line::

      Sam has 3 coins and gets:
      Mon 4
      Tue 1
      ...
      Sat 2
      How many coins does he have?

  solved in six steps, each starting with its day and adding that day's number to the running total
  (``Tue: 7 + 1 = 8``), which reaches 33.

**Why days.** Written as a plain sum (``What is s + a1 + ... + a6?``), the hard problems asked the tiny
model to find the k-th number of the question, and it could not: after the first step line the stage-1
model added a wrong number in 69-76% of its lines (chance among four values is 75%), so its rare right
answers, and stage 2's gains, were wrong numbers that happened to add up (README, "The CPU miniature").
A step line that starts with its day makes finding the number a lookup of a word the model has just
written. The day must start a line in the question too: with the days inline (``gets Mon 4, Tue 1``)
the tokenizer made `` Mon`` and ``Mon`` different tokens and the warm start missed 34-71% of the
numbers from Thursday to Saturday.

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
   the teacher's own chain, never from the question: when it was the last number added, the model
   learned to read its box off the question and boxed the question's total under its own wrong lines,
   which gave 0.11-0.19 of unhinted groups reward variance on some seeds (README).
2. *carry slip* (every step that starts from a running total, i.e. all steps but a trace's first):
   with probability `carry_slip` the total is carried into the next step `carry_error` too high (ten
   in the demo, `sparkle.demo.settings`); the step's addition is then done correctly, so the error
   propagates to the answer. Easy problems have no such step. A hard problem has five, so the model
   almost never gets one right, while a hint of four, five or six steps leaves two carries, one or
   none: hinted groups have reward variance where unhinted ones have none (SPARKLE's stage-2 premise),
   and stage-2 GRPO on them rewards a right total after exactly the step that unhinted chains fail at.
   The four-step hint matters: its second carry copies a total the model wrote itself, as every carry
   of an unhinted chain does, while the first carry after a hint copies one from the prompt (with hints
   that leave one carry only, stage 2 learned the carry after the hint but hardly its own).

The warm start's pretraining phase boxes answers correctly but makes carry slips too, a little less
often (`pretrain_carry_slip`, 65% against SFT's 70%; `sparkle.demo.warmstart`), so the model has no
correct way of carrying to fall back on.

The teacher's slips only add, so its wrong chains never end on the right answer; the model's can:
it also adds a wrong number of the question or writes a wrong sum (``14 + 2 = 15``), and errors can
cancel, which the reward, checking only the box, pays for as for a right chain (`Problem.steps_are_right`
tells them apart). A slip of ten is too large for a misread number (1..4) or a sum one off to cancel; only
a tens digit ten off cancels it: in a sum (``25 + 3 = 18``), in a later carry, or in the box.
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
