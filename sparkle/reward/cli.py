"""`sparkle reward ...`: score a file of responses with the SPARKLE reward."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sparkle.errors import UserError
from sparkle.io import atomic_path
from sparkle.reward.batch import ScoreItem, score_batch
from sparkle.reward.scoring import DEFAULT_MODE, MODES


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sparkle reward score` to the top-level parser."""
    reward = subparsers.add_parser("reward", help="score responses with the SPARKLE math reward")
    commands = reward.add_subparsers(dest="reward_command", metavar="SUBCOMMAND", required=True)
    score = commands.add_parser(
        "score",
        help="score a JSONL file of {response, gold[, extra_info]} rows",
        description=(
            "Score every row of a JSONL file with the SPARKLE reward. Each line is an object with "
            "'response' (the full model response), 'gold' (the reference answer, or a list of "
            "accepted answers) and optionally 'extra_info' (the training row's extra_info; "
            "spk_h_aug reads its hint level). Writes the rows with score, acc, format_ok, pred and "
            "timed_out added, and prints accuracy, format rate, mean score and timeouts."
        ),
    )
    score.add_argument("--input", required=True, type=Path, help="JSONL file to score")
    score.add_argument("--output", type=Path, help="where to write scored rows (default: INPUT with .scored.jsonl)")
    score.add_argument("--mode", choices=MODES, default=DEFAULT_MODE, help="reward mode (default: spk_h)")
    score.add_argument("--workers", type=int, default=2, help="worker processes; 0 scores in this process (default: 2)")
    score.set_defaults(func=run_score)


def _field(row: dict[str, Any], name: str, where: str, kinds: tuple[type, ...]) -> Any:
    if name not in row:
        raise UserError(f"{where}: missing field '{name}'")
    value = row[name]
    if not isinstance(value, kinds) or (isinstance(value, list) and not all(isinstance(v, str) for v in value)):
        expected = " or ".join("list of strings" if k is list else k.__name__ for k in kinds)
        raise UserError(f"{where}: field '{name}' must be {expected}, got {type(value).__name__}")
    return value


def read_score_items(path: Path) -> tuple[list[dict[str, Any]], list[ScoreItem]]:
    """Read and validate the rows of a JSONL scoring file; errors name the file, line and field."""
    if not path.is_file():
        raise UserError(f"{path}: no such file")
    rows, items = [], []
    with path.open(encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"{path}:{line_number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise UserError(f"{where}: not valid JSON ({err.msg})") from None
            if not isinstance(row, dict):
                raise UserError(f"{where}: expected a JSON object, got {type(row).__name__}")
            response = _field(row, "response", where, (str,))
            gold = _field(row, "gold", where, (str, list))
            extra_info = row.get("extra_info")
            if extra_info is not None and not isinstance(extra_info, dict):
                raise UserError(f"{where}: field 'extra_info' must be an object, got {type(extra_info).__name__}")
            rows.append(row)
            items.append(ScoreItem(response, gold, extra_info))
    if not items:
        raise UserError(f"{path}: no rows to score")
    return rows, items


def run_score(args: argparse.Namespace) -> int:
    """Score the input file, write the scored rows atomically and print a summary."""
    rows, items = read_score_items(args.input)
    output = args.output or args.input.with_name(args.input.name.removesuffix(".jsonl") + ".scored.jsonl")
    with tqdm(total=len(items), desc="scoring", unit="row") as bar:
        results = score_batch(items, mode=args.mode, workers=args.workers, on_result=bar.update)
    with atomic_path(output) as tmp, tmp.open("w", encoding="utf-8") as handle:
        for row, result in zip(rows, results, strict=True):
            handle.write(json.dumps({**row, **result.as_verl_dict()}, ensure_ascii=False) + "\n")
    n = len(results)
    print(f"scored {n} rows with {args.mode} -> {output}")
    print(f"accuracy     {sum(r.correct for r in results) / n:.4f}")
    print(f"format rate  {sum(r.format_ok for r in results) / n:.4f}")
    print(f"mean score   {sum(r.score for r in results) / n:.4f}")
    print(f"no answer    {sum(r.pred is None for r in results)}")
    print(f"timeouts     {sum(r.timed_out for r in results)}")
    return 0
