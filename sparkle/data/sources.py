"""Load the rows of a dataset from the Hugging Face hub or from local files.

A source is one of:

- a local ``.parquet``, ``.jsonl`` or ``.json`` file, read directly (a ``.json`` file holds a list of
  objects, an object with a list under the split name or ``"data"``, or JSON lines);
- a local folder or a hub id (``owner/name``), loaded with ``datasets.load_dataset(source, config)``
  — the same code path for both, so a folder laid out like a hub dataset (``data/train-*.parquet``,
  ``train.jsonl``, ...) stands in for the hub offline. When the requested split is missing and the
  dataset has exactly one split, that split is used.

Rows keep their order; `Records.label` is how errors and reports name the input.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkle.errors import UserError

FILE_SUFFIXES = (".parquet", ".jsonl", ".json")


@dataclass
class Records:
    """Rows of one source: `label` names it in messages (a path, or ``hub-id[split]``)."""

    label: str
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)


def looks_like_path(source: str) -> bool:
    """True if `source` is meant as a local path (so a missing one is an error, not a hub lookup)."""
    return source.endswith(FILE_SUFFIXES) or source.startswith((".", "/", "~")) or source.count("/") > 1


def load_records(source: str, split: str = "train", config: str | None = None) -> Records:
    """Load every row of `source` (see the module docstring); bad input raises `UserError`."""
    path = Path(source).expanduser()
    if path.is_file():
        return Records(str(source), _read_file(path, split))
    if path.is_dir():
        return _load_with_datasets(str(path), split, config, label=str(source))
    if looks_like_path(source):
        raise UserError(f"{source}: no such file or directory")
    return _load_with_datasets(source, split, config, label=f"{source}[{split}]")


def _read_file(path: Path, split: str) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_parquet(path)
    if suffix == ".jsonl":
        return _read_jsonl(path)
    if suffix == ".json":
        return _read_json(path, split)
    raise UserError(f"{path}: unsupported file type {suffix!r} (expected one of {', '.join(FILE_SUFFIXES)})")


def _read_parquet(path: Path) -> list[dict[str, Any]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.read_table(path).to_pylist()
    except (pa.ArrowException, OSError) as err:
        raise UserError(f"{path}: not a readable parquet file: {err}") from err


def _as_object(obj: Any, path: Path, row: int) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise UserError(f"{path}: row {row}: expected a JSON object, got {type(obj).__name__}")
    return obj


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                raise UserError(f"{path}: row {len(rows)} (line {line_no}): invalid JSON: {err.msg}") from err
            rows.append(_as_object(obj, path, len(rows)))
    return rows


def _read_json(path: Path, split: str) -> list[dict[str, Any]]:
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":  # JSON lines saved as .json, as `datasets` writes them
            return _read_jsonl(path)
        raise UserError(f"{path}: invalid JSON at line {err.lineno}: {err.msg}") from err
    if isinstance(doc, dict):
        for key in (split, "data"):
            if isinstance(doc.get(key), list):
                doc = doc[key]
                break
        else:
            raise UserError(f"{path}: expected a list of objects (or one under {split!r} or 'data')")
    if not isinstance(doc, list):
        raise UserError(f"{path}: expected a list of objects, got {type(doc).__name__}")
    return [_as_object(obj, path, i) for i, obj in enumerate(doc)]


def _load_with_datasets(source: str, split: str, config: str | None, label: str) -> Records:
    import datasets

    try:
        loaded = datasets.load_dataset(source, config)
    except Exception as err:  # the hub, the network and the builders raise many kinds
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else ""
        hint = "" if Path(source).exists() else " (offline? pass a local file or folder with --source)"
        raise UserError(f"{label}: cannot load dataset: {type(err).__name__}: {first_line}{hint}") from err
    notes = []
    if split in loaded:
        chosen = split
    elif len(loaded) == 1:
        chosen = next(iter(loaded))
        notes.append(f"{label}: no split {split!r}; using its only split {chosen!r}")
    else:
        raise UserError(f"{label}: no split {split!r} (available: {', '.join(sorted(loaded))})")
    return Records(label, loaded[chosen].to_list(), notes)
