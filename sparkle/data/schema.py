"""verl `RLHFDataset` rows and their deterministic, atomic output as parquet + JSONL.

Row format (docs/original-system.md §4.1)::

    data_source   "sparkle_" + the dataset name (suffix of the hub id), e.g. "sparkle_dsr40k"
    prompt        [{"role": "user", "content": <prompt text>}]
    ability       "math"
    reward_model  {"style": "rule", "ground_truth": <answer>}
    extra_info    stage 1 / evaluation: {split, index: int, question}
                  stage 2 / hard / mix: {split, index: "{idx}_{level}", question, thinking_level,
                  total_thinking_levels, augmented, hint_style, hint_fraction, trimmed}

Unlike the original, every stage-2 row carries every `extra_info` key (the original left
`augmented` out of levels >= 1 and `total_thinking_levels` out of level 0, which parquet turns into
nulls), and each file is written with an explicit arrow schema so re-runs are byte-identical.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sparkle.data.prompts import chat_messages
from sparkle.io import atomic_path

DATA_SOURCE_PREFIX = "sparkle_"
ABILITY = "math"

PROMPT_TYPE = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
REWARD_MODEL_TYPE = pa.struct([("style", pa.string()), ("ground_truth", pa.string())])

PLAIN_EXTRA_INFO = pa.struct([("split", pa.string()), ("index", pa.int64()), ("question", pa.string())])
"""`extra_info` of stage-1 and evaluation rows: `index` is the source row (an int, as the original)."""

LEVELED_EXTRA_INFO = pa.struct(
    [
        ("split", pa.string()),
        ("index", pa.string()),
        ("question", pa.string()),
        ("thinking_level", pa.int64()),
        ("total_thinking_levels", pa.int64()),
        ("augmented", pa.bool_()),
        ("hint_style", pa.string()),
        ("hint_fraction", pa.float64()),
        ("trimmed", pa.bool_()),
    ]
)
"""`extra_info` of stage-2, hard and mix rows: `index` is ``"{source_row}_{level}"`` (a str, as before)."""


def verl_schema(extra_info: pa.DataType) -> pa.Schema:
    """The arrow schema of a verl training/validation file with the given `extra_info` struct."""
    return pa.schema(
        [
            ("data_source", pa.string()),
            ("prompt", PROMPT_TYPE),
            ("ability", pa.string()),
            ("reward_model", REWARD_MODEL_TYPE),
            ("extra_info", extra_info),
        ]
    )


PLAIN_SCHEMA = verl_schema(PLAIN_EXTRA_INFO)
LEVELED_SCHEMA = verl_schema(LEVELED_EXTRA_INFO)


def data_source_name(dataset: str) -> str:
    """``"sparkle_"`` + the last component of a hub id: `sparkle-reasoning/dsr40k` -> `sparkle_dsr40k`."""
    return DATA_SOURCE_PREFIX + dataset.rstrip("/").split("/")[-1]


def verl_row(data_source: str, prompt: str, ground_truth: str, extra_info: dict[str, Any]) -> dict[str, Any]:
    """One verl row: the prompt text as a single user message, a rule-based ground truth."""
    return {
        "data_source": data_source,
        "prompt": chat_messages(prompt),
        "ability": ABILITY,
        "reward_model": {"style": "rule", "ground_truth": ground_truth},
        "extra_info": extra_info,
    }


def leveled_extra_info(
    index: int,
    question: str,
    level: int,
    total_levels: int,
    *,
    hint_style: str | None = None,
    hint_fraction: float | None = None,
    trimmed: bool = False,
    split: str = "train",
) -> dict[str, Any]:
    """`extra_info` of a stage-2/hard/mix row; `augmented` is true iff the prompt has a hint (level >= 1)."""
    return {
        "split": split,
        "index": f"{index}_{level}",
        "question": question,
        "thinking_level": level,
        "total_thinking_levels": total_levels,
        "augmented": level > 0,
        "hint_style": hint_style,
        "hint_fraction": hint_fraction,
        "trimmed": trimmed,
    }


def write_parquet(rows: Sequence[dict[str, Any]], path: str | Path, schema: pa.Schema) -> Path:
    """Write `rows` with an explicit schema, atomically; the bytes depend only on the rows."""
    table = pa.Table.from_pylist(list(rows), schema=schema)
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="snappy")
    return Path(path)


def write_jsonl(rows: Sequence[dict[str, Any]], path: str | Path) -> Path:
    """Write one JSON object per line (UTF-8, keys in insertion order), atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False))
            handle.write("\n")
    return Path(path)


def write_json(obj: Any, path: str | Path) -> Path:
    """Write an indented JSON document (a report), atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return Path(path)


def write_dataset(
    rows: Sequence[dict[str, Any]], directory: str | Path, stem: str, schema: pa.Schema
) -> tuple[Path, Path]:
    """Write `<directory>/<stem>.parquet` (what verl reads) and `<stem>.jsonl` (a preview), atomically."""
    directory = Path(directory)
    parquet = write_parquet(rows, directory / f"{stem}.parquet", schema)
    jsonl = write_jsonl(rows, directory / f"{stem}.jsonl")
    return parquet, jsonl
