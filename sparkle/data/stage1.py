"""Stage 1: the training set (dsr40k) and its validation set (AIME 2024) as verl parquet.

Source: `scripts/data/prepare_stage_one_data.py` of the original (docs/original-system.md §4.2). For
each source row, in order: the plain prompt (`prompts.plain_prompt`) as one user message,
``data_source = "sparkle_" + name``, ``ability = "math"``, ``reward_model = {"style": "rule",
"ground_truth": answer}`` and ``extra_info = {"split", "index": source row, "question": problem}``
(`question` is new; the original had only split and index). `solution` is dropped.

Outputs (in `output_dir`): ``sparkle_dsr40k.parquet`` + ``.jsonl`` preview, ``sparkle_aime2024.parquet``
+ ``.jsonl`` and ``sparkle_dsr40k.report.json`` (rows read, written and skipped).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tqdm import tqdm

from sparkle.data.prompts import plain_prompt
from sparkle.data.schema import PLAIN_SCHEMA, data_source_name, verl_row, write_dataset, write_json
from sparkle.data.validate import FieldSpec, Validated, load_valid

DEFAULT_SOURCE = "sparkle-reasoning/dsr40k"
DEFAULT_VAL_SOURCE = "sparkle-reasoning/aime2024"

TRAIN_FIELDS = (
    FieldSpec("problem"),
    FieldSpec("answer", kind="answer"),
    FieldSpec("solution", required=False),
)
VAL_FIELDS = (FieldSpec("problem", aliases=("question",)), FieldSpec("answer", kind="answer"))


def plain_rows(validated: Validated, data_source: str, split: str) -> list[dict[str, Any]]:
    """One verl row with the plain prompt per valid source row; `index` is the source row index."""
    rows = []
    for index, record in tqdm(validated.rows, desc=f"building {data_source}", disable=None, leave=False):
        problem = record["problem"]
        extra_info = {"split": split, "index": index, "question": problem}
        rows.append(verl_row(data_source, plain_prompt(problem), record["answer"], extra_info))
    return rows


def prepare_stage1(
    output_dir: str | Path,
    *,
    source: str = DEFAULT_SOURCE,
    val_source: str | None = DEFAULT_VAL_SOURCE,
    name: str = "dsr40k",
    val_name: str = "aime2024",
    skip_invalid: bool = False,
    check_answers: bool = True,
) -> dict[str, Any]:
    """Build and write the stage-1 training set and (unless `val_source` is None) its validation set."""
    output_dir = Path(output_dir)
    train = load_valid(source, TRAIN_FIELDS, split="train", skip_invalid=skip_invalid, check_answers=check_answers)
    val = None
    if val_source is not None:
        val = load_valid(val_source, VAL_FIELDS, split="test", skip_invalid=skip_invalid, check_answers=check_answers)

    data_source = data_source_name(name)
    train_rows = plain_rows(train, data_source, "train")
    print(f"train data size: {len(train_rows)}")
    written = list(write_dataset(train_rows, output_dir, data_source, PLAIN_SCHEMA))
    report: dict[str, Any] = {
        "command": "stage1",
        "train": {"source": source, "rows_written": len(train_rows), "skipped": train.report()},
    }
    if val is not None:
        val_data_source = data_source_name(val_name)
        val_rows = plain_rows(val, val_data_source, "test")
        print(f"validation data size: {len(val_rows)}")
        written += write_dataset(val_rows, output_dir, val_data_source, PLAIN_SCHEMA)
        report["validation"] = {"source": val_source, "rows_written": len(val_rows), "skipped": val.report()}
    report_path = write_json(report, output_dir / f"{data_source}.report.json")
    for path in [*written, report_path]:
        print(f"wrote {path}")
    return report
