"""Helpers for the data-pipeline tests (a uniquely named module, so it never clashes with other
test packages' `conftest`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"

# The instruction as docs/original-system.md §3.1 prints it (typed from the doc, not from the code).
DOC_INSTRUCTION = r"""A conversation between User and Assistant. The user asks a math question, and the Assistant solves it step by step. The Assistant first thinks about the complete reasoning process in the mind enclosed within <think> </think> tags. Then the Assistant provides a clear, concise answer to the user within <answer> </answer> tags, with the final result enclosed in \boxed{} notation.

For example:
<think>
reasoning process here
</think>
<answer>
The answer is \boxed{...}.
</answer>"""  # noqa: E501


def run_cli(*args: str | Path) -> int:
    """Run `sparkle <args>` in-process and return the exit status."""
    from sparkle.cli import main

    return main([str(a) for a in args])


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pylist()


def sample_rows(name: str) -> list[dict[str, Any]]:
    return read_jsonl(SAMPLES / name)
