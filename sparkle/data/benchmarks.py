"""The evaluation sets: five standard benchmarks and the fine-grained `sparkle_preview` benchmark.

**Standard sets** (docs/original-system.md §4.6): hub ``sparkle-reasoning/{aime2024, amc2023, gsm8k,
math500, olympiad_bench}``, split ``test``. The question field is ``problem`` (or ``question``), the
answer field ``answer`` (or ``final_answer``), possibly a list. Answers are normalised to a list of
strings with one pair of enclosing ``$...$`` removed; the single ground-truth string is the only answer,
or the answers joined with ``", "`` when there are several. For each set two files are written:

- ``sparkle_<name>.parquet`` (+ ``.jsonl``): verl validation rows with the plain prompt,
  ``extra_info = {split: "test", index, question}``;
- ``eval/<name>.jsonl``: ``{"id", "problem", "answer", "answers"}`` per problem, for the lm-eval tasks.

**Fine-grained set** (§10.2): ``sparkle-reasoning/sparkle_preview`` has one row per *subproblem*
(``problem ID``, ``problem``, ``reasoning``, ``answer``, ``difficulty_level``, ``domains``,
``planning``, ``knowledge``, ``subproblem_id``, ``subproblem_question``, ``subproblem_answer``,
``augmented_problem``, ``subproblem_sequence``, ``total_subproblems``, and in config ``all`` also
``source`` and ``general_id``). `group_fine_grained` groups the rows per problem (key: ``source`` +
``problem ID``, in order of first appearance), orders the chain by ``subproblem_sequence`` and checks
that the problem fields agree and the chain is complete (sequences contiguous, count =
``total_subproblems``). Written to ``eval/sparkle_preview.jsonl``, one problem per line.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sparkle.data.prompts import plain_prompt
from sparkle.data.schema import (
    PLAIN_SCHEMA,
    data_source_name,
    verl_row,
    write_dataset,
    write_json,
    write_jsonl,
)
from sparkle.data.sources import FILE_SUFFIXES, Records, load_records
from sparkle.data.validate import FieldSpec, Issue, Validated, issues_report, load_valid, raise_for_issues
from sparkle.errors import UserError

BENCHMARKS = ("aime2024", "amc2023", "gsm8k", "math500", "olympiad_bench")
DEFAULT_ORG = "sparkle-reasoning"
FINE_GRAINED_SOURCE = "sparkle-reasoning/sparkle_preview"
FINE_GRAINED_CONFIGS = ("all", "aime24", "amc23", "gsm8k", "math500", "olympiadbench")


def strip_dollars(answer: str) -> str:
    """Remove one pair of enclosing ``$``/``$$`` math delimiters (OlympiadBench writes ``$x$``)."""
    for delim in ("$$", "$"):
        if len(answer) > 2 * len(delim) and answer.startswith(delim) and answer.endswith(delim):
            return answer[len(delim) : -len(delim)].strip()
    return answer


BENCHMARK_FIELDS = (
    FieldSpec("problem", aliases=("question",)),
    FieldSpec(
        "answer",
        kind="answers",
        aliases=("final_answer",),
        normalise=lambda answers: [strip_dollars(a) for a in answers],
    ),
)


def ground_truth(answers: list[str]) -> str:
    """The single ground-truth string: the only answer, or the answers joined with ``", "``."""
    return answers[0] if len(answers) == 1 else ", ".join(answers)


def benchmark_source(source: str, name: str) -> str:
    """Where benchmark `name` lives: in a local folder (``<dir>/<name>.jsonl|.json|.parquet`` or
    ``<dir>/<name>/``), else on the hub as ``<source>/<name>`` (`source` is an organisation)."""
    folder = Path(source).expanduser()
    if folder.is_dir():
        for suffix in FILE_SUFFIXES:
            if (folder / f"{name}{suffix}").is_file():
                return str(folder / f"{name}{suffix}")
        if (folder / name).is_dir():
            return str(folder / name)
        raise UserError(f"{source}: no {name}.jsonl, {name}.json, {name}.parquet or {name}/ in this folder")
    return f"{source.rstrip('/')}/{name}"


def prepare_benchmark(
    output_dir: Path, name: str, source: str, *, skip_invalid: bool, check_answers: bool
) -> dict[str, Any]:
    """Write the verl validation file and the lm-eval JSONL of one benchmark; return its report entry."""
    validated = load_valid(
        source, BENCHMARK_FIELDS, split="test", skip_invalid=skip_invalid, check_answers=check_answers
    )
    items = [(row, rec["problem"], rec["answer"]) for row, rec in validated.rows]
    data_source = data_source_name(name)
    rows = [
        verl_row(
            data_source,
            plain_prompt(problem),
            ground_truth(answers),
            {"split": "test", "index": row, "question": problem},
        )
        for row, problem, answers in items
    ]
    eval_rows = [
        {"id": row, "problem": problem, "answer": ground_truth(answers), "answers": answers}
        for row, problem, answers in items
    ]
    written = [*write_dataset(rows, output_dir, data_source, PLAIN_SCHEMA)]
    written.append(write_jsonl(eval_rows, output_dir / "eval" / f"{name}.jsonl"))
    for path in written:
        print(f"wrote {path} ({len(rows)} problems)")
    return {"source": source, "rows_written": len(rows), "skipped": validated.report()}


@dataclass(frozen=True)
class Subproblem:
    """One link of a subproblem chain."""

    sequence: int
    subproblem_id: str
    question: str
    answer: str
    augmented_problem: str


@dataclass
class FineGrainedProblem:
    """One `sparkle_preview` problem with its annotations and its ordered chain of subproblems."""

    problem_id: str
    problem: str
    answer: list[str]
    planning: str
    knowledge: str
    reasoning: str | None = None
    difficulty_level: str | None = None
    domains: list[str] = field(default_factory=list)
    source: str | None = None
    general_id: int | None = None
    subproblems: list[Subproblem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FineGrainedProblem:
        """The inverse of `as_dict` (a line of ``eval/sparkle_preview.jsonl``)."""
        fields = {k: v for k, v in data.items() if k != "subproblems"}
        return cls(**fields, subproblems=[Subproblem(**s) for s in data.get("subproblems") or []])

    @property
    def key(self) -> str:
        """The problem's unique key: ``<source>/<problem ID>`` (ids repeat across sources in config ``all``)."""
        return f"{self.source}/{self.problem_id}" if self.source else self.problem_id

    def hub_rows(self) -> list[dict[str, Any]]:
        """The problem back in the hub's one-row-per-subproblem schema (§10.2)."""
        shared = {
            "problem ID": self.problem_id,
            "problem": self.problem,
            "reasoning": self.reasoning,
            "answer": self.answer,
            "difficulty_level": self.difficulty_level,
            "domains": self.domains,
            "planning": self.planning,
            "knowledge": self.knowledge,
        }
        extra = {"source": self.source, "general_id": self.general_id}
        return [
            {
                **shared,
                "subproblem_id": s.subproblem_id,
                "subproblem_question": s.question,
                "subproblem_answer": s.answer,
                "augmented_problem": s.augmented_problem,
                "subproblem_sequence": s.sequence,
                "total_subproblems": len(self.subproblems),
                **{k: v for k, v in extra.items() if v is not None},
            }
            for s in self.subproblems
        ]


_PROBLEM_FIELDS = ("problem", "answer", "planning", "knowledge", "reasoning", "difficulty_level", "domains")
_REQUIRED_TEXT = (
    "problem ID",
    "problem",
    "planning",
    "knowledge",
    "subproblem_id",
    "subproblem_question",
    "subproblem_answer",
    "augmented_problem",
)


def _row_issues(row: int, rec: dict[str, Any]) -> list[Issue]:
    issues = []
    for name in _REQUIRED_TEXT:
        value = rec.get(name)
        if value is None:
            issues.append(Issue(row, name, "missing", "required field is missing or null"))
        elif not isinstance(value, str | int) or isinstance(value, bool):
            issues.append(Issue(row, name, "type", f"expected a string, got {type(value).__name__}"))
        elif not str(value).strip():
            issues.append(Issue(row, name, "empty", "empty or whitespace-only text"))
    for name in ("subproblem_sequence", "total_subproblems"):
        value = rec.get(name)
        if value is None:
            issues.append(Issue(row, name, "missing", "required field is missing or null"))
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            issues.append(Issue(row, name, "type", f"expected a non-negative integer, got {value!r:.40}"))
    answer = rec.get("answer")
    if answer is None:
        issues.append(Issue(row, "answer", "missing", "required field is missing or null"))
    elif not (isinstance(answer, str) or (isinstance(answer, list) and all(isinstance(a, str) for a in answer))):
        issues.append(Issue(row, "answer", "type", "expected a string or a list of strings"))
    return issues


def group_fine_grained(records: Records, *, skip_invalid: bool = False) -> tuple[list[FineGrainedProblem], list[Issue]]:
    """Group `sparkle_preview` rows (one per subproblem) into problems with ordered subproblem chains.

    Raises `UserError` on a bad row or an inconsistent problem (first row per problem class, like
    `validate.raise_for_issues`) unless `skip_invalid`, in which case the whole problem is left out
    and its issues are returned.
    """
    issues: list[Issue] = []
    groups: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for row, rec in enumerate(records.rows):
        row_issues = _row_issues(row, rec)
        key = (str(rec.get("source") or ""), str(rec.get("problem ID", "")))
        groups.setdefault(key, []).append((row, rec))
        issues.extend(row_issues)
    bad_rows = {issue.row for issue in issues}

    problems = []
    for (_, problem_id), members in groups.items():
        group_issues = [] if not bad_rows.intersection(r for r, _ in members) else None
        if group_issues is None:
            continue
        first_row, first = members[0]
        for row, rec in members[1:]:
            for name in _PROBLEM_FIELDS:
                if rec.get(name) != first.get(name):
                    group_issues.append(
                        Issue(
                            row,
                            name,
                            "inconsistent",
                            f"differs from row {first_row} of problem {problem_id!r}",
                        )
                    )
        ordered = sorted(members, key=lambda m: m[1]["subproblem_sequence"])
        sequences = [rec["subproblem_sequence"] for _, rec in ordered]
        start = sequences[0]
        if sequences != list(range(start, start + len(sequences))) or start not in (0, 1):
            group_issues.append(
                Issue(
                    first_row,
                    "subproblem_sequence",
                    "inconsistent",
                    f"chain of {problem_id!r} is {sequences}",
                )
            )
        totals = sorted({rec["total_subproblems"] for _, rec in members})
        if totals != [len(members)]:
            group_issues.append(
                Issue(
                    first_row,
                    "total_subproblems",
                    "inconsistent",
                    f"problem {problem_id!r} has {len(members)} rows but total_subproblems "
                    f"{' and '.join(map(str, totals))}",
                )
            )
        if group_issues:
            issues.extend(group_issues)
            continue
        answer = first["answer"]
        problems.append(
            FineGrainedProblem(
                problem_id=str(problem_id),
                problem=first["problem"],
                answer=answer if isinstance(answer, list) else [answer],
                planning=first["planning"],
                knowledge=first["knowledge"],
                reasoning=first.get("reasoning"),
                difficulty_level=None if first.get("difficulty_level") is None else str(first["difficulty_level"]),
                domains=list(first.get("domains") or []),
                source=first.get("source"),
                general_id=first.get("general_id"),
                subproblems=[
                    Subproblem(
                        rec["subproblem_sequence"],
                        str(rec["subproblem_id"]),
                        rec["subproblem_question"],
                        str(rec["subproblem_answer"]),
                        rec["augmented_problem"],
                    )
                    for _, rec in ordered
                ],
            )
        )
    issues.sort(key=lambda issue: (issue.row, issue.field))
    if issues and not skip_invalid:
        raise_for_issues(Validated(records.label, [], issues))
    return problems, issues


def load_fine_grained(
    source: str = FINE_GRAINED_SOURCE, config: str | None = "all", *, skip_invalid: bool = False
) -> list[FineGrainedProblem]:
    """Load `sparkle_preview` (split ``test``) from the hub or a local file/folder; group it per problem."""
    records = load_records(source, split="test", config=None if Path(source).exists() else config)
    problems, _ = group_fine_grained(records, skip_invalid=skip_invalid)
    return problems


def prepare_benchmarks(
    output_dir: str | Path,
    *,
    source: str = DEFAULT_ORG,
    names: tuple[str, ...] = BENCHMARKS,
    fine_grained_source: str | None = FINE_GRAINED_SOURCE,
    fine_grained_config: str | None = "all",
    skip_invalid: bool = False,
    check_answers: bool = True,
) -> dict[str, Any]:
    """Write every requested benchmark, the grouped fine-grained set and a report; return the report."""
    output_dir = Path(output_dir)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        raise UserError(f"unknown benchmark(s) {', '.join(unknown)} (known: {', '.join(BENCHMARKS)})")
    report: dict[str, Any] = {"command": "benchmarks", "benchmarks": {}}
    for name in names:
        report["benchmarks"][name] = prepare_benchmark(
            output_dir,
            name,
            benchmark_source(source, name),
            skip_invalid=skip_invalid,
            check_answers=check_answers,
        )
    if fine_grained_source is not None:
        local = Path(fine_grained_source).exists()
        records = load_records(fine_grained_source, split="test", config=None if local else fine_grained_config)
        problems, issues = group_fine_grained(records, skip_invalid=skip_invalid)
        path = write_jsonl([p.as_dict() for p in problems], output_dir / "eval" / "sparkle_preview.jsonl")
        n_sub = sum(len(p.subproblems) for p in problems)
        print(f"wrote {path} ({len(problems)} problems, {n_sub} subproblems)")
        report["fine_grained"] = {
            "source": fine_grained_source,
            "problems_written": len(problems),
            "subproblems_written": n_sub,
            "skipped": issues_report(issues, n_rows=len(records.rows)),
        }
    report_path = write_json(report, output_dir / "eval" / "benchmarks.report.json")
    print(f"wrote {report_path}")
    return report
