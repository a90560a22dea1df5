"""What the CPU miniature's models get wrong in each line of their hard-problem chains, with or without a hint.

The demo's reward checks only the boxed answer, so a model can raise hard accuracy by learning errors
that cancel the careless teacher's carry slip instead of learning to carry. This samples the held-out
hard problems of `--base-seed` (the first `--problems` of `sparkle.demo.tasks.hard_problems`, as the
demo's evaluation holds them out) `--samples` times each with every `--model` (SPARKLE prompt, temperature
1.0, 96 new tokens, as mining does; with `--hint-level L`, the stage-2 prompt of hint level L, whose
hint already holds the first steps), reads each ``a + b = c`` line against the problem, and counts:

- ``carry+d``: the line starts from the previous line's sum plus d (the first line from the first
  number plus d);
- ``copy+d``: the line adds the question's next number plus d (after a hint, the first line's next
  number is the one after the hint's last step);
- ``sum+d``: the line's own addition is off by d;
- ``box+d``: the boxed answer is the last line's sum plus d (``box-10`` after a carry ten too high
  boxes the true total: the model sums the question instead of copying its own last line);
- ``lines+n``: the response has n step lines more than the problem has steps.

It prints the rate of right answers, of right answers with every line right
(`Problem.steps_are_right`), what the other right answers owe their answer to (`right_answer_cause`),
and the most common errors over all samples and over right answers.

Usage: python benchmarks/demo_line_errors.py --model runs/demo/models/stage1 runs/demo/models/stage2
       [--base-seed 0] [--seed 0] [--problems 64] [--samples 8] [--top 8] [--hint-level 0]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from sparkle.data.prompts import chat_messages, plain_prompt
from sparkle.data.sampler import SamplingSettings, TransformersSampler
from sparkle.demo.settings import FULL, prompts_per_generate
from sparkle.demo.tasks import HINT_PARAGRAPHS, STEP_LINE, Problem, hard_problems
from sparkle.demo.warmstart import hinted_prompt
from sparkle.reward import score_response


def line_errors(problem: Problem, response: str, boxed: str | None, given: int = 0) -> list[str]:
    """The errors of each ``a + b = c`` line of `response` and of its `boxed` answer (as the reward
    extracts it), named as in the module docstring; `response` continues after the first `given`
    steps (a hint's)."""
    lines = STEP_LINE.findall(response)
    expected = len(problem.steps) - given
    errors = [f"lines{len(lines) - expected:+d}"] if len(lines) != expected else []
    carried = sum(problem.numbers[: given + 1])
    for index, line in enumerate(lines, start=given):
        left, right = line.split(" = ")
        a, b = map(int, left.split(": ")[-1].split(" + "))  # after a hard step's day
        c = int(right)
        if a != carried:
            errors.append(f"carry{a - carried:+d}")
        if index + 1 < len(problem.numbers) and b != problem.numbers[index + 1]:
            errors.append(f"copy{b - problem.numbers[index + 1]:+d}")
        if c != a + b:
            errors.append(f"sum{c - a - b:+d}")
        carried = c
    if boxed is not None and boxed.isdigit() and int(boxed) != carried:
        errors.append(f"box{int(boxed) - carried:+d}")
    return errors


def right_answer_cause(errors: list[str]) -> str:
    """Why a right answer with these `line_errors` is right: ``every line right`` (no errors: for a
    right answer that is `Problem.steps_are_right`); ``box under wrong lines`` (the boxed total differs
    from the last line's sum, so the model added up the question instead of copying its own chain);
    or ``errors that cancel`` (wrong lines whose last sum is still the total)."""
    if not errors:
        return "every line right"
    if any(error.startswith("box") for error in errors):
        return "box under wrong lines"
    return "errors that cancel"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, nargs="+", required=True, help="converted HF model directories")
    parser.add_argument("--base-seed", type=int, default=0, help="the demo run's base seed (its held-out problems)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed")
    parser.add_argument("--problems", type=int, default=FULL.hard_eval)
    parser.add_argument("--samples", type=int, default=8)
    parser.add_argument("--top", type=int, default=8, help="errors to print per tally")
    parser.add_argument(
        "--hint-level",
        type=int,
        default=0,
        choices=range(len(HINT_PARAGRAPHS) + 1),
        help="0: the plain prompt; L: the stage-2 prompt of hint level L (the first L paragraphs of the trace)",
    )
    args = parser.parse_args()
    problems = hard_problems(args.base_seed)[: args.problems]
    # each prompt with the number of steps its hint holds
    made = [hinted_prompt(p, args.hint_level) if args.hint_level else (plain_prompt(p.problem), 0) for p in problems]
    prompts = [chat_messages(prompt) for prompt, _ in made]
    mode = "spk_h_aug" if args.hint_level else "spk_h"
    settings = SamplingSettings(
        n=args.samples,
        max_new_tokens=FULL.response_length,
        temperature=1.0,
        seed=args.seed,
        batch_size=prompts_per_generate(args.samples),
    )
    for model in args.model:
        responses = TransformersSampler(str(model), settings, device="cpu").generate(prompts)
        every, under_right, causes = Counter(), Counter(), Counter()
        for problem, (_, given), texts in zip(problems, made, responses, strict=True):
            for text in texts:
                scored = score_response(text, str(problem.answer), mode)
                errors = line_errors(problem, text, scored.pred, given)
                every.update(errors)
                if scored.correct:
                    causes[right_answer_cause(errors)] += 1
                    under_right.update(errors)
        samples = len(problems) * args.samples
        print(f"{model}: {samples} samples, right answers {causes.total() / samples:.3f}, ", end="")
        print(f"with every line right {causes['every line right'] / samples:.3f}")
        print("  right answers by cause: ", ", ".join(f"{k} {v}" for k, v in causes.most_common()))
        print("  errors in all samples:  ", ", ".join(f"{k} {v}" for k, v in every.most_common(args.top)))
        print("  errors in right answers:", ", ".join(f"{k} {v}" for k, v in under_right.most_common(args.top)))


if __name__ == "__main__":
    main()
