"""Bad-input checks for every dataset the pipeline reads.

Each row is checked against field specs; the problem classes are

- ``missing``: a required field is absent or null;
- ``empty``: a required text field is empty or whitespace;
- ``type``: a field has the wrong type (e.g. a list where a string belongs);
- ``duplicate``: the problem text (whitespace-normalised) already appeared in an earlier row;
- ``unreadable_answer``: the reward's parser cannot read the gold answer, i.e.
  ``sparkle.reward.is_equivalent("\\boxed{" + answer + "}", answer)`` is not True;
- ``inconsistent``: rows that must agree do not (the fine-grained benchmark's subproblem rows).

Without ``--skip-invalid`` any issue stops the command with one line naming the file, and for each
problem class its first row index and field (plus how many more rows have it). With it, the bad rows
are dropped, counted and listed in the command's report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from sparkle.data.sources import Records
from sparkle.errors import UserError

ISSUE_KINDS = ("missing", "empty", "type", "duplicate", "unreadable_answer", "inconsistent")


@dataclass(frozen=True)
class FieldSpec:
    """One field of a record: its canonical `name`, accepted `aliases`, whether it is `required`, its `kind`.

    Kinds: ``text`` (a string), ``answer`` (a string; the gold answer) and ``answers`` (a string, a
    number or a list of them, normalised to a list of strings; used by the evaluation sets).
    `normalise`, if given, maps a well-typed value to the value the pipeline uses (and checks).
    """

    name: str
    required: bool = True
    kind: str = "text"
    aliases: tuple[str, ...] = ()
    normalise: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Issue:
    """One bad row: source `row` index, the `field`, the problem class (`kind`) and a human `detail`."""

    row: int
    field: str
    kind: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "problem": self.kind, "detail": self.detail}


@dataclass
class Validated:
    """The good rows as ``(source row index, normalised record)`` pairs and the issues found."""

    label: str
    rows: list[tuple[int, dict[str, Any]]]
    issues: list[Issue] = field(default_factory=list)

    def report(self) -> dict[str, Any]:
        """The `skipped` section of a command report: counts per class and every skipped row."""
        return issues_report(self.issues, n_rows=len(self.rows) + len({i.row for i in self.issues}))


def problem_key(text: str) -> str:
    """The duplicate-detection key of a problem: its whitespace-normalised text."""
    return " ".join(text.split())


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_field(record: dict[str, Any], spec: FieldSpec, row: int) -> tuple[Any, Issue | None]:
    name = next((key for key in (spec.name, *spec.aliases) if key in record), None)
    value = record.get(name) if name is not None else None
    shown = name or spec.name
    if value is None:
        if not spec.required:
            return None, None
        names = " or ".join(repr(n) for n in (spec.name, *spec.aliases))
        what = "is missing" if name is None else "is null"
        return None, Issue(row, shown, "missing", f"required field {names} {what}")
    if spec.kind == "answers":
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) or _is_number(v) for v in items):
            return None, Issue(row, shown, "type", f"expected a string or a list of strings, got {value!r:.60}")
        value = [str(v).strip() for v in items]
        if spec.normalise is not None:
            value = spec.normalise(value)
        if any(not v for v in value):
            return None, Issue(row, shown, "empty", "empty answer")
        return value, None
    if not isinstance(value, str):
        return None, Issue(row, shown, "type", f"expected a string, got {type(value).__name__}")
    if not value.strip():
        if spec.required:
            return None, Issue(row, shown, "empty", "empty or whitespace-only text")
        return None, None
    return (spec.normalise(value) if spec.normalise is not None else value), None


def answer_checker() -> Callable[[str], bool]:
    """The gold-answer readability test, backed by `sparkle.reward.is_equivalent` (imported lazily)."""
    try:
        from sparkle.reward import is_equivalent
    except ImportError as err:
        raise UserError(
            f"checking gold answers needs sparkle.reward.is_equivalent ({err}); "
            "pass --no-answer-check to skip the check"
        ) from err

    def readable(answer: str) -> bool:
        try:
            return is_equivalent("\\boxed{" + answer + "}", answer) is True
        except Exception:  # a grader crash means the parser could not read it
            return False

    return readable


def unreadable_answers(answers: Iterable[str], readable: Callable[[str], bool] | None = None) -> set[str]:
    """The distinct answers among `answers` that the reward's parser cannot read (each checked once)."""
    readable = readable or answer_checker()
    distinct = sorted(set(answers))
    bar = tqdm(distinct, desc="checking gold answers", unit="answer", disable=None, leave=False)
    return {answer for answer in bar if not readable(answer)}


def validate_records(
    records: Records,
    specs: Sequence[FieldSpec],
    *,
    duplicate_field: str | None = "problem",
    answer_field: str | None = "answer",
    check_answers: bool = True,
    readable: Callable[[str], bool] | None = None,
) -> Validated:
    """Check every row of `records` against `specs`; return the good rows (normalised) and the issues."""
    good: list[tuple[int, dict[str, Any]]] = []
    issues: list[Issue] = []
    for row, record in enumerate(records.rows):
        normalised: dict[str, Any] = {}
        row_issues = []
        for spec in specs:
            value, issue = _check_field(record, spec, row)
            if issue is not None:
                row_issues.append(issue)
            normalised[spec.name] = value
        if row_issues:
            issues.extend(row_issues)
            continue
        good.append((row, normalised))

    if duplicate_field is not None:
        seen: dict[str, int] = {}
        kept = []
        for row, rec in good:
            key = problem_key(rec[duplicate_field])
            if key in seen:
                issues.append(Issue(row, duplicate_field, "duplicate", f"same problem as row {seen[key]}"))
            else:
                seen[key] = row
                kept.append((row, rec))
        good = kept

    if check_answers and answer_field is not None and good:

        def answers_of(rec: dict[str, Any]) -> list[str]:
            value = rec[answer_field]
            return value if isinstance(value, list) else [value]

        bad = unreadable_answers((a for _, rec in good for a in answers_of(rec)), readable)
        if bad:
            kept = []
            for row, rec in good:
                unread = [a for a in answers_of(rec) if a in bad]
                if unread:
                    detail = f"the reward's parser cannot read {unread[0]!r}"
                    issues.append(Issue(row, answer_field, "unreadable_answer", detail))
                else:
                    kept.append((row, rec))
            good = kept

    issues.sort(key=lambda issue: (issue.row, issue.field))
    return Validated(records.label, good, issues)


def issues_report(issues: Sequence[Issue], n_rows: int) -> dict[str, Any]:
    """A JSON-ready summary: rows read, rows skipped, counts per problem class and every issue."""
    by_kind = Counter(issue.kind for issue in issues)
    return {
        "rows_read": n_rows,
        "rows_skipped": len({issue.row for issue in issues}),
        "by_problem": {kind: by_kind[kind] for kind in ISSUE_KINDS if by_kind[kind]},
        "rows": [issue.as_dict() for issue in issues],
    }


def summarize_issues(issues: Sequence[Issue]) -> str:
    """Per problem class, the first bad row and field and how many more issues of that class there are."""
    parts = []
    for kind in ISSUE_KINDS:
        of_kind = [issue for issue in issues if issue.kind == kind]
        if not of_kind:
            continue
        first = of_kind[0]
        more = f" (+{len(of_kind) - 1} more {kind} issue(s))" if len(of_kind) > 1 else ""
        parts.append(f"row {first.row}, field {first.field!r}: {kind}: {first.detail}{more}")
    return "; ".join(parts)


def raise_for_issues(validated: Validated) -> None:
    """Raise one `UserError` describing, per problem class, the first bad row and how many more there are."""
    if not validated.issues:
        return
    n_bad = len({issue.row for issue in validated.issues})
    raise UserError(
        f"{validated.label}: {n_bad} invalid row(s): " + summarize_issues(validated.issues) + " — fix the input, "
        "or pass --skip-invalid to drop these rows and list them in the report"
    )


def load_valid(
    source: str,
    specs: Sequence[FieldSpec],
    *,
    split: str = "train",
    config: str | None = None,
    skip_invalid: bool = False,
    check_answers: bool = True,
    duplicate_field: str | None = "problem",
    answer_field: str | None = "answer",
) -> Validated:
    """Load `source` (see `sparkle.data.sources`) and validate it; stop on bad rows unless `skip_invalid`."""
    from sparkle.data.sources import load_records

    records = load_records(source, split=split, config=config)
    for note in records.notes:
        print(f"note: {note}")
    if not records.rows:
        raise UserError(f"{records.label}: no rows")
    validated = validate_records(
        records,
        specs,
        duplicate_field=duplicate_field,
        answer_field=answer_field,
        check_answers=check_answers,
    )
    if not skip_invalid:
        raise_for_issues(validated)
    elif validated.issues:
        n_skipped = validated.report()["rows_skipped"]
        print(f"{records.label}: skipped {n_skipped} invalid row(s) (listed in the report)")
    if not validated.rows:
        raise UserError(f"{records.label}: no valid rows left")
    return validated
