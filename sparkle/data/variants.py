"""The stage-2 "hard" and "mix" sets, for which the original released checkpoints but no scripts.

docs/original-system.md §4.5: ``SparkleRL-7B-Stage2-hard`` trained on the hard problems without
augmentation, ``-Stage2-mix`` on "a mixed-difficulty set" whose composition is not published. Here:

- **hard**: every valid hard problem once, plain prompt (level 0), stage-2 `extra_info` with
  ``thinking_level = 0``, ``total_thinking_levels = 0``, ``augmented = False``; shuffled with the seed.
  Output ``sparkle_hardmath_hard_train.parquet``.
- **mix**: the hard set plus stage-1 problems, which make up a share `stage1_share` of the result
  (0.5: as many stage-1 problems as hard ones). They are drawn without replacement with
  ``numpy.random.default_rng(seed)`` from the stage-1 problems that are not also hard problems, keep
  their own `data_source` (``sparkle_dsr40k``) and get the same `extra_info` layout; then everything is
  shuffled. Output ``sparkle_hardmath_mix_train.parquet``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from sparkle.data.prompts import plain_prompt
from sparkle.data.schema import (
    LEVELED_SCHEMA,
    data_source_name,
    leveled_extra_info,
    verl_row,
    write_dataset,
    write_json,
)
from sparkle.data.stage1 import DEFAULT_SOURCE as STAGE1_SOURCE
from sparkle.data.stage1 import TRAIN_FIELDS
from sparkle.data.stage2 import DEFAULT_SEED, DEFAULT_SOURCE, HARD_FIELDS, shuffled
from sparkle.data.validate import Validated, load_valid, problem_key
from sparkle.errors import UserError


def level0_rows(validated: Validated, data_source: str) -> list[dict[str, Any]]:
    """One plain-prompt row per valid problem, in the stage-2 row layout (level 0 of 0)."""
    return [
        verl_row(
            data_source,
            plain_prompt(rec["problem"]),
            rec["answer"],
            leveled_extra_info(row, rec["problem"], 0, 0),
        )
        for row, rec in validated.rows
    ]


def stage1_count(n_hard: int, stage1_share: float) -> int:
    """How many stage-1 problems make up `stage1_share` of a mix with `n_hard` hard problems."""
    if not 0 <= stage1_share < 1:
        raise UserError(f"--stage1-share must be in [0, 1), got {stage1_share}")
    return round(n_hard * stage1_share / (1 - stage1_share))


def _finish(rows: list[dict[str, Any]], output_dir: Path, stem: str, report: dict[str, Any], seed: int) -> None:
    rows = shuffled(rows, seed)
    written = write_dataset(rows, output_dir, stem, LEVELED_SCHEMA)
    report_path = write_json(report, output_dir / f"{stem}.report.json")
    for path in [*written, report_path]:
        print(f"wrote {path}")


def prepare_hard(
    output_dir: str | Path,
    *,
    source: str = DEFAULT_SOURCE,
    name: str = "hardmath",
    seed: int = DEFAULT_SEED,
    skip_invalid: bool = False,
    check_answers: bool = True,
) -> dict[str, Any]:
    """Write the "hard" set: the hard problems without hints."""
    hard = load_valid(source, HARD_FIELDS, skip_invalid=skip_invalid, check_answers=check_answers)
    data_source = data_source_name(name)
    rows = level0_rows(hard, data_source)
    print(f"hard data size: {len(rows)}")
    report = {
        "command": "hard",
        "source": source,
        "seed": seed,
        "rows_written": len(rows),
        "skipped": hard.report(),
    }
    _finish(rows, Path(output_dir), f"{data_source}_hard_train", report, seed)
    return report


def prepare_mix(
    output_dir: str | Path,
    *,
    source: str = DEFAULT_SOURCE,
    stage1_source: str = STAGE1_SOURCE,
    stage1_share: float = 0.5,
    name: str = "hardmath",
    stage1_name: str = "dsr40k",
    seed: int = DEFAULT_SEED,
    skip_invalid: bool = False,
    check_answers: bool = True,
) -> dict[str, Any]:
    """Write the "mix" set: the hard problems plus a share of stage-1 problems (see the module docstring)."""
    hard = load_valid(source, HARD_FIELDS, skip_invalid=skip_invalid, check_answers=check_answers)
    wanted = stage1_count(len(hard.rows), stage1_share)
    easy = load_valid(stage1_source, TRAIN_FIELDS, skip_invalid=skip_invalid, check_answers=check_answers)
    hard_keys = {problem_key(rec["problem"]) for _, rec in hard.rows}
    pool = [(row, rec) for row, rec in easy.rows if problem_key(rec["problem"]) not in hard_keys]
    if wanted > len(pool):
        print(f"note: {wanted} stage-1 problems requested, only {len(pool)} available; using all of them")
    n_easy = min(wanted, len(pool))
    chosen = sorted(np.random.default_rng(seed).choice(len(pool), size=n_easy, replace=False).tolist())
    picked = Validated(easy.label, [pool[i] for i in chosen])
    rows = level0_rows(hard, data_source_name(name)) + level0_rows(picked, data_source_name(stage1_name))
    print(f"mix data size: {len(rows)} ({len(hard.rows)} hard + {n_easy} stage-1)")
    report = {
        "command": "mix",
        "source": source,
        "stage1_source": stage1_source,
        "stage1_share": stage1_share,
        "seed": seed,
        "rows_written": len(rows),
        "hard_rows": len(hard.rows),
        "stage1_rows": n_easy,
        "stage1_requested": wanted,
        "stage1_overlapping_hard": len(easy.rows) - len(pool),
        "skipped": {"hard": hard.report(), "stage1": easy.report()},
    }
    _finish(rows, Path(output_dir), f"{data_source_name(name)}_mix_train", report, seed)
    return report
