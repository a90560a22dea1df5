"""The analysis benchmark: load `sparkle_preview`, check it, report bad rows, write what the local tasks read.

Input (`--benchmark`): ``sparkle_preview`` (the hub set ``sparkle-reasoning/sparkle_preview``, config
``all`` unless ``--config``), another hub id, or a local ``.jsonl``/``.json``/``.parquet`` file or folder
in the hub's schema (one row per subproblem, original-system.md §10.2). The grouped file that `sparkle
data benchmarks` writes (``eval/sparkle_preview.jsonl``, one problem per line) is accepted too.

Rows are grouped per problem and checked by `sparkle.data.benchmarks.group_fine_grained`: required fields
present and non-empty (``planning``, ``knowledge``, every subproblem field), the problem fields the same
on every row of a problem, and the chain unbroken (``subproblem_sequence`` contiguous from 0 or 1, as
many rows as ``total_subproblems``). A problem with a bad row is an error naming the file, row, field
and problem ids; with ``skip_invalid`` the problem is left out of *every* condition (so the conditions
compare the same problems) and the report lists each issue with its problem id, plus the counts.

The problems kept (the first ``limit`` if given) are written, one per line, to
``<output>/benchmark/sparkle_preview.jsonl``; its SHA-256 is part of every pair's recorded settings, so
results made on other data are never mixed in.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sparkle.analysis.conditions import DATA_NAME
from sparkle.data.benchmarks import FINE_GRAINED_SOURCE, FineGrainedProblem, group_fine_grained
from sparkle.data.schema import write_jsonl
from sparkle.data.sources import Records, load_records
from sparkle.data.validate import Issue, summarize_issues
from sparkle.errors import UserError

HUB_NAME = "sparkle_preview"
DATA_DIR = "benchmark"


@dataclass
class PreparedBenchmark:
    """The checked problems, the file written for the local tasks, its digest and the input report."""

    problems: list[FineGrainedProblem]
    path: Path
    sha256: str
    report: dict[str, Any] = field(default_factory=dict)


def resolve_source(benchmark: str) -> str:
    """``sparkle_preview`` means the hub set; anything else is a hub id or a local path."""
    return FINE_GRAINED_SOURCE if benchmark == HUB_NAME else benchmark


def read_rows(source: str, config: str | None) -> Records:
    """The rows of `source` in the hub's one-row-per-subproblem schema.

    Grouped lines are expanded back into hub rows (their row numbers then count expanded rows, and the
    label says so). Rows without ``source`` get the hub config's name, or a local file's stem.
    """
    local = Path(source).expanduser().exists()
    records = load_records(source, split="test", config=None if local else config)
    for note in records.notes:
        print(f"note: {note}")
    if not records.rows:
        raise UserError(f"{records.label}: no rows")
    if "subproblems" in records.rows[0]:
        records = _expand_grouped(records)
    default = Path(source).stem if local else (config if config and config != "all" else None)
    if default:
        for row in records.rows:
            if not row.get("source"):
                row["source"] = default
    return records


def _expand_grouped(records: Records) -> Records:
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(records.rows):
        try:
            rows.extend(FineGrainedProblem.from_dict(line).hub_rows())
        except (TypeError, KeyError, AttributeError) as err:
            raise UserError(
                f"{records.label}: row {number}: not a grouped sparkle_preview problem "
                f"(as `sparkle data benchmarks` writes them): {err}"
            ) from err
    return Records(f"{records.label} (grouped; rows counted one per subproblem)", rows, records.notes)


def problem_label(row: dict[str, Any]) -> str:
    """How reports name the problem of a row: ``<source>/<problem ID>`` (or the id alone)."""
    source, problem_id = row.get("source"), row.get("problem ID")
    return f"{source}/{problem_id}" if source else str(problem_id)


def check_problems(records: Records, *, skip_invalid: bool) -> tuple[list[FineGrainedProblem], dict[str, Any]]:
    """Group and check the rows; return the good problems and the input report.

    Bad problems raise a `UserError` (file, first row and field per problem class, problem ids) unless
    `skip_invalid`; then they are left out and reported.
    """
    problems, issues = group_fine_grained(records, skip_invalid=True)
    labels = [problem_label(row) for row in records.rows]
    bad = sorted({labels[issue.row] for issue in issues}, key=labels.index)
    if issues and not skip_invalid:
        shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        raise UserError(
            f"{records.label}: {len(bad)} problem(s) with invalid rows ({shown}): {summarize_issues(issues)} — fix "
            "the input, or pass --skip-invalid to leave these problems out of every condition (listed in "
            "analysis.json)"
        )
    report = {
        "rows_read": len(records.rows),
        "problems_read": len(dict.fromkeys(labels)),
        "problems_kept": len(problems),
        "skipped": skipped_report(issues, labels, bad),
    }
    if bad:
        print(
            f"{records.label}: skipped {len(bad)} problem(s) with invalid rows "
            f"({report['skipped']['rows']} rows): {', '.join(bad)}"
        )
    return problems, report


def skipped_report(issues: list[Issue], labels: list[str], bad: list[str]) -> dict[str, Any]:
    """Skipped problems, how many rows they had, issue counts per class, and every issue with its problem."""
    bad_set = set(bad)
    return {
        "problems": bad,
        "rows": sum(label in bad_set for label in labels),
        "by_problem": dict(Counter(issue.kind for issue in issues)),
        "issues": [{**issue.as_dict(), "problem": labels[issue.row]} for issue in issues],
    }


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_benchmark(
    benchmark: str,
    output: Path,
    *,
    config: str | None = "all",
    limit: int | None = None,
    skip_invalid: bool = False,
) -> PreparedBenchmark:
    """Load, check and limit the benchmark; write ``<output>/benchmark/sparkle_preview.jsonl``; return it all."""
    source = resolve_source(benchmark)
    records = read_rows(source, config)
    problems, report = check_problems(records, skip_invalid=skip_invalid)
    if limit is not None:
        problems = problems[:limit]
    if not problems:
        raise UserError(f"{records.label}: no valid problems left")
    path = write_jsonl([p.as_dict() for p in problems], output / DATA_DIR / f"{DATA_NAME}.jsonl")
    report.update(
        source=records.label,
        config=None if Path(source).expanduser().exists() else config,
        limit=limit,
        problems=len(problems),
        subproblems=sum(len(p.subproblems) for p in problems),
    )
    return PreparedBenchmark(problems, path, file_sha256(path), report)
