"""Data-preparation speed: stage 1 on 40k generated rows, stage-2 augmentation of 6.5k generated problems.

The sizes match the real sets (dsr40k: 40,315 rows; hardmath: 6,501). The generated problems are
unique, their answers are integers, fractions, radicals and expressions, and the stage-2 CoTs (1-3 KB)
rotate through the formats the split handles (paragraphs, numbered steps, bullet headers, header
lines, plain sentences). Each figure is the wall time of the whole command — read the source file,
validate every row (including the gold-answer check through `sparkle.reward`), build the rows, write
parquet + JSONL + report — in one process, in the order printed. Target: <= 15 s each on 2 cores.
With `--repeat N` the best of N runs is printed, but repeats reuse `sparkle.reward`'s answer caches,
so the default (1) gives the cold figures.

Also timed: stage 2 with the token-aware check (a tiny BPE tokenizer trained on the spot; a real
Qwen tokenizer is slower per token but the same code path), and stage 1 without the answer check.

Usage: python benchmarks/data_prep.py [--rows 40315] [--problems 6501] [--repeat 1] [--no-tokenizer]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sparkle.data.schema import write_jsonl


def _answer(rng: random.Random) -> str:
    kind = rng.randrange(5)
    a, b = rng.randint(2, 999), rng.randint(2, 97)
    if kind == 0:
        return str(a)
    if kind == 1:
        return f"\\frac{{{a}}}{{{b}}}"
    if kind == 2:
        return f"{b}\\sqrt{{{a}}}"
    if kind == 3:
        return f"{a}\\pi"
    return f"x^2 + {a}x - {b}"


def stage1_rows(n: int, seed: int = 0) -> list[dict[str, str]]:
    """`n` unique dsr40k-style rows."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        a, b, c = rng.randint(1, 10**6), rng.randint(1, 10**6), rng.randint(2, 99)
        problem = (
            f"Problem {i}: Let $f(x) = {c}x^2 + {a}x + {b}$. A sequence satisfies $a_1 = {a}$ and "
            f"$a_{{n+1}} = a_n + {c}$. Compute the requested quantity and simplify your answer completely."
        )
        solution = f"We compute step by step using $f$ and the recurrence with difference {c}. " * 3
        rows.append({"problem": problem, "solution": solution, "answer": _answer(rng)})
    return rows


def _cot(rng: random.Random, i: int) -> str:
    sentences = [
        f"We consider quantity {k} of problem {i}, which equals {rng.randint(1, 10**5)} after simplifying "
        f"the expression $\\frac{{{rng.randint(1, 99)}}}{{{rng.randint(2, 99)}}} + {rng.randint(1, 99)}$."
        for k in range(rng.randint(8, 20))
    ]
    style = i % 5
    if style == 0:  # paragraphs
        return "\n\n".join(" ".join(sentences[k : k + 2]) for k in range(0, len(sentences), 2))
    if style == 1:  # numbered steps
        return "\n".join(f"{k + 1}. {s}" for k, s in enumerate(sentences))
    if style == 2:  # bullet headers
        return "\n".join(f"- **Part {k + 1}** {s}" for k, s in enumerate(sentences))
    if style == 3:  # header lines
        return "\n".join(f"**Step {k + 1}**: {s}" for k, s in enumerate(sentences))
    return " ".join(sentences)  # plain sentences


def hard_rows(n: int, seed: int = 1) -> list[dict[str, str]]:
    """`n` unique hardmath-style rows with CoTs in rotating formats."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        row = stage1_rows(1, seed=seed * 1_000_003 + i)[0]
        row["problem"] = row["problem"].replace("Problem 0:", f"Hard problem {i}:")
        row["CoT"] = _cot(rng, i)
        rows.append(row)
    return rows


def best_time(fn: Callable[[], object], repeat: int) -> float:
    """The best wall time of `repeat` quiet runs of `fn`."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=40315, help="stage-1 rows (default: 40,315 as dsr40k)")
    parser.add_argument("--problems", type=int, default=6501, help="stage-2 problems (default: 6,501 as hardmath)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure; the best is reported")
    parser.add_argument("--no-tokenizer", action="store_true", help="skip the token-aware stage-2 figure")
    args = parser.parse_args()

    from sparkle.data.stage1 import prepare_stage1
    from sparkle.data.stage2 import prepare_stage2

    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        stage1_file = write_jsonl(stage1_rows(args.rows), tmp_dir / "dsr.jsonl")
        hard_file = write_jsonl(hard_rows(args.problems), tmp_dir / "hard.jsonl")
        out = tmp_dir / "out"
        size_mb = (stage1_file.stat().st_size + hard_file.stat().st_size) / 1e6
        print(f"generated {args.rows} stage-1 rows and {args.problems} hard problems ({size_mb:.1f} MB of JSONL)")

        figures = {
            f"stage 1, {args.rows} rows": lambda: prepare_stage1(out, source=str(stage1_file), val_source=None),
            f"stage 1, {args.rows} rows, no answer check": lambda: prepare_stage1(
                out, source=str(stage1_file), val_source=None, check_answers=False
            ),
            f"stage 2 (all), {args.problems} problems": lambda: prepare_stage2(out, source=str(hard_file)),
            f"stage 2 (first_half), {args.problems} problems": lambda: prepare_stage2(
                out, source=str(hard_file), config=_first_half()
            ),
        }
        if not args.no_tokenizer:
            from sparkle.tiny_model import synthetic_math_corpus, train_tokenizer

            tokenizer = train_tokenizer(synthetic_math_corpus(), vocab_size=1024)
            figures[f"stage 2 (all), {args.problems} problems, token-aware (tiny BPE, limit 1024)"] = lambda: (
                prepare_stage2(out, source=str(hard_file), tokenizer=tokenizer, max_prompt_length=1024)
            )
        for name, fn in figures.items():
            seconds = best_time(fn, args.repeat)
            print(f"{name:<75} {seconds:6.2f} s")
        rows = sum(1 for _ in (out / "sparkle_hardmath_aug_all_train.jsonl").open())
        print(f"(stage 2 'all' wrote {rows} rows)")


def _first_half():
    from sparkle.data.stage2 import HintConfig

    return HintConfig(aug_version="first_half")


if __name__ == "__main__":
    main()
