"""Reward throughput on one stage-1 step's worth of responses (128 prompts x 32 rollouts = 4,096).

Builds realistic responses in the SPARKLE format across answer categories (integers, fractions,
decimals, radicals, pi, intervals, tuples, text, units, truncated responses) plus a few adversarial
ones (power towers, huge factorials, 200 KB outputs, deep nesting), then prints:

- comparisons per second in one process, cold (unique pred/gold pairs, empty caches) and as a GRPO
  step sees them (each prompt's gold answer repeated over its 32 rollouts);
- the wall time of `score_batch` on 2 spawned workers for the whole step;
- the slowest single call and the number of timed-out comparisons.

Usage: python benchmarks/reward_throughput.py [--prompts 128] [--rollouts 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time

from sparkle.reward import compute_score, score_batch
from sparkle.reward.batch import ScoreItem
from sparkle.reward.equivalence import compare_answers
from sparkle.reward.symbolic import parse_math

# (gold, correct variants, wrong variants)
FAMILIES = [
    ("{n}", ["{n}", "{n}.0", "{n:,}"], ["{m}", "-{n}"]),
    (
        r"\frac{{{n}}}{{{d}}}",
        [r"\frac{{{n}}}{{{d}}}", r"\dfrac{{{n}}}{{{d}}}", "{n}/{d}"],
        [r"\frac{{{d}}}{{{n}}}"],
    ),
    ("{half}", ["{half}", r"\frac{{{n}}}{{2}}"], ["{m}"]),
    (r"{k}\sqrt{{{r}}}", [r"{k}\sqrt{{{r}}}", r"\sqrt{{{kkr}}}"], [r"{k}\sqrt{{{r2}}}"]),
    (r"{k}\pi", [r"{k}\pi", r"\pi {k}"], [r"{m}\pi"]),
    ("({a}, {b}]", ["({a},{b}]", r"{a} < x \le {b}"], ["[{a}, {b}]"]),
    ("({a}, {b})", ["({a},{b})"], ["({b}, {a})"]),
    (r"\text{{{word}}}", ["{word}", r"\text{{{word}}}"], [r"\text{{{other}}}"]),
    (r"{n}\text{{ cm}}", ["{n}", r"{n} \text{{ cm}}"], [r"{n}\text{{ m}}"]),
]
WORDS = ["Tuesday", "even", "Alice", "north", "blue"]
ADVERSARIAL = [
    r"\boxed{9^{9^{9^9}}}",
    r"\boxed{1000000000!}",
    "x" * 200_000,
    r"\boxed{" + "(" * 2000 + "1" + ")" * 2000 + "}",
    r"\boxed{" * 20_000,
]


def _values(rng: random.Random) -> dict[str, object]:
    n, d = rng.randint(2, 999), rng.randint(2, 97)
    k, r = rng.randint(2, 9), rng.choice([2, 3, 5, 6, 7])
    return {
        "n": n,
        "d": d,
        "m": n + rng.choice([-2, -1, 1, 3]),
        "half": f"{n / 2:g}",
        "k": k,
        "r": r,
        "kkr": k * k * r,
        "r2": r + 1,
        "a": -rng.randint(0, 9),
        "b": rng.randint(1, 9),
        "word": rng.choice(WORDS),
        "other": rng.choice(["Friday", "odd", "Bob", "south"]),
    }


def _response(answer: str, rng: random.Random) -> str:
    style = rng.random()
    if style < 0.08:
        return "<think>\nLet me compute 3 * 4 = 12 and then keep going with the"  # truncated
    if style < 0.75:
        return (
            "<think>\nFirst step gives 12. Then we simplify.\n</think>\n"
            f"<answer>\nThe answer is \\boxed{{{answer}}}.\n</answer>"
        )
    if style < 0.9:
        return f"We get 12 first, then the result is $\\boxed{{{answer}}}$."
    return f"<think>\nsteps\n</think>\n<answer>\nThe answer is {answer}.\n</answer>"


def build_step(prompts: int, rollouts: int, seed: int = 0) -> list[ScoreItem]:
    """Return `prompts * rollouts` items, each prompt's rollouts sharing one gold answer."""
    rng = random.Random(seed)
    items = []
    for p in range(prompts):
        gold_t, right, wrong = FAMILIES[p % len(FAMILIES)]
        values = _values(rng)
        gold = gold_t.format(**values)
        for _ in range(rollouts):
            template = rng.choice(right) if rng.random() < 0.5 else rng.choice(wrong)
            items.append(ScoreItem(_response(template.format(**values), rng), gold))
    for i, text in enumerate(ADVERSARIAL):
        items[i * 97] = ScoreItem(text, "1")
    return items


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--prompts", type=int, default=128)
    parser.add_argument("--rollouts", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    items = build_step(args.prompts, args.rollouts)
    print(f"{len(items)} responses ({args.prompts} prompts x {args.rollouts} rollouts, {len(ADVERSARIAL)} adversarial)")

    compute_score("warm-up", "\\boxed{\\sqrt{2}}", "\\sqrt{2}")  # import-time and parser warm-up
    compare_answers.cache_clear()
    parse_math.cache_clear()
    durations, timeouts = [], 0
    start = time.perf_counter()
    for item in items:
        t = time.perf_counter()
        timeouts += compute_score("bench", item.response, item.gold)["timed_out"] > 0
        durations.append(time.perf_counter() - t)
    step_seconds = time.perf_counter() - start
    print(
        f"one process, GRPO step as sampled : {len(items) / step_seconds:8.0f} comparisons/s "
        f"(median {statistics.median(durations) * 1e6:.0f} us, slowest {max(durations):.3f} s, timeouts {timeouts})"
    )

    compare_answers.cache_clear()
    parse_math.cache_clear()
    unique = list({(i.response, i.gold): i for i in items}.values())
    start = time.perf_counter()
    for item in unique:
        compute_score("bench", item.response, item.gold)
    cold = time.perf_counter() - start
    print(f"one process, unique pairs (cold)  : {len(unique) / cold:8.0f} comparisons/s over {len(unique)} pairs")

    start = time.perf_counter()
    score_batch(items, workers=args.workers)
    print(
        f"score_batch, {args.workers} spawned workers    : {time.perf_counter() - start:8.2f} s wall for the step "
        "(includes worker start-up)"
    )


if __name__ == "__main__":
    main()
