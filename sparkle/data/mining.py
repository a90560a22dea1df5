"""Mine hard problems with a model, and probe how much GRPO learning signal a set gives.

**mine-hard** (how a user builds their own `hardmath` from a stage-1 model; the original's protocol
is unpublished beyond "RFT-like: problems the phase-one model did not learn", docs §4.3): sample the
model `n` times on each problem (`sparkle.data.sampler`), score every response with
``sparkle.reward.compute_score(..., mode="spk_h")`` and take its ``acc`` as correctness; the pass rate
is ``correct / n``. Problems with pass rate <= `max_pass_rate` are written in the hard-set schema
(``problem``, ``answer``, ``solution``, ``CoT`` — usable as ``sparkle data stage2 --source``) with
their measured ``pass_rate``, ``num_correct``, ``num_samples`` and ``source_row``; every problem's
pass rate also goes to ``<name>.pass_rates.jsonl``.

**Learning-signal probe** (``--levels``): on an augmented stage-2 set, the same sampling and
scoring (mode ``spk_h_aug``) per hint level (`extra_info.thinking_level`), reporting the pass rate and
the share of prompt groups whose `n` rewards are all equal — groups for which GRPO's group-normalised
advantage is zero, i.e. no learning signal.

Input: verl rows (`prompt`, `reward_model`, `extra_info`, e.g. ``sparkle_dsr40k.parquet``) or raw
rows (``problem``, ``answer``, optional ``solution``/``CoT``), from any `sparkle.data.sources` source.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from tqdm import tqdm

from sparkle.data.prompts import INSTRUCTION, chat_messages, plain_prompt
from sparkle.data.sampler import Sampler, SamplingSettings, make_sampler
from sparkle.data.schema import data_source_name, write_json, write_jsonl, write_parquet
from sparkle.data.sources import Records, load_records
from sparkle.data.validate import (
    FieldSpec,
    Issue,
    Validated,
    raise_for_issues,
    unreadable_answers,
    validate_records,
)
from sparkle.errors import UserError

RAW_FIELDS = (
    FieldSpec("problem"),
    FieldSpec("answer", kind="answer"),
    FieldSpec("solution", required=False),
    FieldSpec("CoT", required=False),
)

MINED_SCHEMA = pa.schema(
    [
        ("problem", pa.string()),
        ("answer", pa.string()),
        ("solution", pa.string()),
        ("CoT", pa.string()),
        ("pass_rate", pa.float64()),
        ("num_correct", pa.int64()),
        ("num_samples", pa.int64()),
        ("source_row", pa.int64()),
    ]
)


@dataclass
class Item:
    """One prompt to sample: its source `row`, chat `conversation`, raw `problem`, gold `answer`."""

    row: int
    conversation: list[dict[str, str]]
    problem: str
    answer: str
    data_source: str
    extra_info: dict[str, Any] | None = None
    carry: dict[str, Any] = field(default_factory=dict)

    @property
    def level(self) -> int:
        return int((self.extra_info or {}).get("thinking_level") or 0)


def _problem_from_prompt(content: str) -> str:
    head = f"{INSTRUCTION}\n\nUser: "
    for tail in (" Assistant:",):
        if content.startswith(head) and content.endswith(tail):
            return content[len(head) : -len(tail)]
    return content


def _verl_items(records: Records) -> tuple[list[Item], list[Issue]]:
    items, issues = [], []
    for row, rec in enumerate(records.rows):
        prompt, reward = rec.get("prompt"), rec.get("reward_model")
        ok_prompt = (
            isinstance(prompt, list)
            and prompt
            and all(isinstance(m, dict) and isinstance(m.get("content"), str) for m in prompt)
        )
        if not ok_prompt:
            issues.append(Issue(row, "prompt", "type", "expected a non-empty list of {role, content} messages"))
            continue
        truth = reward.get("ground_truth") if isinstance(reward, dict) else None
        if not isinstance(truth, str) or not truth.strip():
            kind = "missing" if truth is None else ("type" if not isinstance(truth, str) else "empty")
            issues.append(Issue(row, "reward_model.ground_truth", kind, "needs a non-empty string"))
            continue
        extra = rec.get("extra_info") if isinstance(rec.get("extra_info"), dict) else None
        question = (extra or {}).get("question")
        problem = question if isinstance(question, str) else _problem_from_prompt(prompt[-1]["content"])
        messages = [{"role": str(m.get("role", "user")), "content": m["content"]} for m in prompt]
        data_source = rec.get("data_source") if isinstance(rec.get("data_source"), str) else "sparkle"
        items.append(Item(row, messages, problem, truth, data_source, extra))
    return items, issues


def read_items(
    source: str,
    *,
    name: str = "dsr40k",
    skip_invalid: bool = False,
    check_answers: bool = True,
) -> tuple[list[Item], Validated]:
    """Load verl or raw rows from `source` and turn the valid ones into `Item`s (see module docstring)."""
    records = load_records(source)
    if not records.rows:
        raise UserError(f"{records.label}: no rows")
    if "prompt" in records.rows[0] and "reward_model" in records.rows[0]:
        items, issues = _verl_items(records)
        if check_answers and items:
            bad = unreadable_answers(item.answer for item in items)
            for item in items:
                if item.answer in bad:
                    detail = f"the reward's parser cannot read {item.answer!r}"
                    issues.append(Issue(item.row, "reward_model.ground_truth", "unreadable_answer", detail))
            items = [item for item in items if item.answer not in bad]
        validated = Validated(records.label, [(item.row, {}) for item in items], sorted(issues, key=lambda i: i.row))
    else:
        validated = validate_records(records, RAW_FIELDS, check_answers=check_answers)
        data_source = data_source_name(name)
        items = [
            Item(
                row,
                chat_messages(plain_prompt(rec["problem"])),
                rec["problem"],
                rec["answer"],
                data_source,
                None,
                {"solution": rec["solution"], "CoT": rec["CoT"]},
            )
            for row, rec in validated.rows
        ]
    if not skip_invalid:
        raise_for_issues(validated)
    if not items:
        raise UserError(f"{records.label}: no valid rows")
    return items, validated


@dataclass
class Scored:
    """The `n` rewards of one item: correctness (`acc`) and scores."""

    acc: list[float]
    scores: list[float]

    @property
    def pass_rate(self) -> float:
        return sum(self.acc) / len(self.acc)

    @property
    def all_equal(self) -> bool:
        return len(set(self.scores)) <= 1


def score_items(items: Sequence[Item], responses: Sequence[Sequence[str]], mode: str) -> list[Scored]:
    """Score every response with `sparkle.reward.compute_score` in `mode`."""
    from sparkle.reward import compute_score

    scored = []
    for item, outs in tqdm(list(zip(items, responses, strict=True)), desc="scoring", disable=None, leave=False):
        results = [
            compute_score(
                data_source=item.data_source,
                solution_str=text,
                ground_truth=item.answer,
                extra_info=item.extra_info,
                mode=mode,
            )
            for text in outs
        ]
        scored.append(Scored([float(r["acc"]) for r in results], [float(r["score"]) for r in results]))
    return scored


def sample_and_score(items: Sequence[Item], sampler: Sampler, mode: str) -> list[Scored]:
    """Sample every item's conversation and score the responses."""
    responses = sampler.generate([item.conversation for item in items])
    return score_items(items, responses, mode)


def mine_hard(
    source: str,
    output_dir: str | Path,
    *,
    model: str | None = None,
    settings: SamplingSettings | None = None,
    max_pass_rate: float = 0.0,
    backend: str = "auto",
    limit: int | None = None,
    mode: str = "spk_h",
    name: str = "mined_hard",
    source_name: str = "dsr40k",
    skip_invalid: bool = False,
    check_answers: bool = True,
    sampler: Sampler | None = None,
) -> dict[str, Any]:
    """Write the problems whose pass rate is at most `max_pass_rate`, every pass rate, and a report."""
    settings = settings or SamplingSettings()
    if not 0 <= max_pass_rate <= 1:
        raise UserError(f"--max-pass-rate must be in [0, 1], got {max_pass_rate}")
    items, validated = read_items(source, name=source_name, skip_invalid=skip_invalid, check_answers=check_answers)
    items = items[:limit] if limit else items
    if sampler is None:
        if model is None:
            raise UserError("--model is required")
        sampler = make_sampler(model, settings, backend)
    scored = sample_and_score(items, sampler, mode)

    pass_rows, mined = [], []
    for item, result in zip(items, scored, strict=True):
        n_correct = round(sum(result.acc))
        entry = {
            "source_row": item.row,
            "problem": item.problem,
            "answer": item.answer,
            "num_correct": n_correct,
            "num_samples": len(result.acc),
            "pass_rate": result.pass_rate,
        }
        pass_rows.append(entry)
        if result.pass_rate <= max_pass_rate:
            mined.append(
                {
                    "problem": item.problem,
                    "answer": item.answer,
                    "solution": item.carry.get("solution"),
                    "CoT": item.carry.get("CoT"),
                    "pass_rate": result.pass_rate,
                    "num_correct": n_correct,
                    "num_samples": len(result.acc),
                    "source_row": item.row,
                }
            )
    output_dir = Path(output_dir)
    histogram = Counter(entry["num_correct"] for entry in pass_rows)
    report = {
        "command": "mine-hard",
        "source": source,
        "model": model,
        "backend": sampler.name,
        "sampling": asdict(settings),
        "mode": mode,
        "max_pass_rate": max_pass_rate,
        "problems_sampled": len(items),
        "problems_mined": len(mined),
        "mean_pass_rate": round(statistics.fmean(e["pass_rate"] for e in pass_rows), 6),
        "num_correct_histogram": {str(k): histogram[k] for k in sorted(histogram)},
        "skipped": validated.report(),
    }
    written = [
        write_parquet(mined, output_dir / f"{name}.parquet", MINED_SCHEMA),
        write_jsonl(mined, output_dir / f"{name}.jsonl"),
        write_jsonl(pass_rows, output_dir / f"{name}.pass_rates.jsonl"),
        write_json(report, output_dir / f"{name}.report.json"),
    ]
    print(
        f"{len(mined)} of {len(items)} problems have pass rate <= {max_pass_rate} "
        f"({settings.n} samples each; mean pass rate {report['mean_pass_rate']:.3f})"
    )
    for path in written:
        print(f"wrote {path}")
    return report


def parse_levels(spec: str | None) -> list[int] | None:
    """``None``/``"all"`` -> every level; ``"0,2,4"`` -> those levels."""
    if spec is None or spec == "all":
        return None
    try:
        levels = sorted({int(part) for part in spec.split(",") if part.strip()})
    except ValueError as err:
        raise UserError(f"--levels expects 'all' or comma-separated integers, got {spec!r}") from err
    if not levels or min(levels) < 0:
        raise UserError(f"--levels expects non-negative levels, got {spec!r}")
    return levels


def probe_signal(
    source: str,
    output_dir: str | Path,
    *,
    model: str | None = None,
    settings: SamplingSettings | None = None,
    levels: list[int] | None = None,
    backend: str = "auto",
    limit: int | None = None,
    mode: str = "spk_h_aug",
    skip_invalid: bool = False,
    check_answers: bool = True,
    sampler: Sampler | None = None,
) -> dict[str, Any]:
    """Pass rate and share of all-equal-reward groups per hint level; `limit` caps prompts per level."""
    settings = settings or SamplingSettings()
    items, validated = read_items(source, skip_invalid=skip_invalid, check_answers=check_answers)
    by_level: dict[int, list[Item]] = {}
    for item in items:
        if levels is None or item.level in levels:
            bucket = by_level.setdefault(item.level, [])
            if not limit or len(bucket) < limit:
                bucket.append(item)
    if not by_level:
        raise UserError(f"{source}: no rows at levels {levels}")
    chosen = [item for level in sorted(by_level) for item in by_level[level]]
    if sampler is None:
        if model is None:
            raise UserError("--model is required")
        sampler = make_sampler(model, settings, backend)
    scored = sample_and_score(chosen, sampler, mode)

    per_level: dict[str, Any] = {}
    for level in sorted(by_level):
        results = [s for item, s in zip(chosen, scored, strict=True) if item.level == level]
        equal = sum(r.all_equal for r in results)
        per_level[str(level)] = {
            "prompts": len(results),
            "samples": sum(len(r.acc) for r in results),
            "pass_rate": round(statistics.fmean(r.pass_rate for r in results), 6),
            "mean_score": round(statistics.fmean(x for r in results for x in r.scores), 6),
            "groups_all_equal": equal,
            "share_all_equal": round(equal / len(results), 6),
            "groups_all_correct": sum(r.pass_rate == 1 for r in results),
            "groups_all_wrong": sum(r.pass_rate == 0 for r in results),
        }
    report = {
        "command": "mine-hard --levels",
        "source": source,
        "model": model,
        "backend": sampler.name,
        "sampling": asdict(settings),
        "mode": mode,
        "per_level": per_level,
        "skipped": validated.report(),
    }
    print(format_probe_table(per_level))
    stem = Path(source).stem if Path(source).is_file() else "probe"
    path = write_json(report, Path(output_dir) / f"{stem}.signal_probe.json")
    print(f"wrote {path}")
    return report


def format_probe_table(per_level: dict[str, dict[str, Any]]) -> str:
    """The probe report as a text table."""
    lines = ["level  prompts  pass_rate  share_all_equal  all_correct  all_wrong"]
    for level, r in per_level.items():
        lines.append(
            f"{level:>5}  {r['prompts']:>7}  {r['pass_rate']:>9.3f}  {r['share_all_equal']:>15.3f}  "
            f"{r['groups_all_correct']:>11}  {r['groups_all_wrong']:>9}"
        )
    return "\n".join(lines)
