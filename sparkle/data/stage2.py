"""Stage 2: hard problems augmented with partial-solution hints ("partial step scaffolding").

Source: `scripts/data/prepare_stage_two_data_aug.py` of the original (docs/original-system.md §4.3).
For each valid source row `idx` of the hard set (`problem`, `solution`, `CoT`, `answer`):

1. **Level 0**: the plain prompt, no hint.
2. The reference trace is `CoT` if non-empty, else `solution` (``--hint-source solution`` swaps the
   order). Without either, the problem gets level 0 only.
3. **Hints** (`--hint-style`):
   - ``sparkle`` (the original): ``chunks = split_steps(trace, levels, first_half)`` (`sparkle.data.split`,
     `levels` = the original's `target_steps`, 4); level ``L = 1..len(chunks)`` holds the first L chunks
     joined with ``"\\n"`` — cumulative. With ``--aug-version first_half`` there are at most 2 levels,
     and (measured on the original) in the paragraph and numbered branches level 2 already contains the
     whole trace. Chunks that are empty after stripping are dropped (the original kept them, which made
     a hint-less "hint" level); the report counts them.
   - ``fraction`` (QuestA-style, field-notes §3): one level per fraction p in `--fractions`, ascending,
     holding the first ``round(p * len(trace))`` characters of the trace, cut back to a whitespace so no
     word or LaTeX command is split; prefixes under 10 characters are skipped as QuestA does.
4. Level ``L >= 1`` uses the augmented prompt: the hint after ``Assistant: <think>\\n`` inside the user
   message (`prompts.augmented_prompt`).
5. `extra_info` carries ``thinking_level``, ``total_thinking_levels`` (hint levels of the problem),
   ``augmented`` (level >= 1), ``hint_style``, ``hint_fraction`` and ``trimmed``; `index` is
   ``"{idx}_{level}"`` as in the original. The spk_h_aug reward reads these.
6. **Token-aware** (with `--tokenizer`): each chat-templated prompt is measured as verl measures it
   (`sparkle.data.tokens`: one tokenization per problem, the other levels counted from its offsets and
   checked exactly near the limit); a row over `--max-prompt-length` is trimmed to the longest
   step-boundary prefix that fits — kept only if it still adds to the previous kept level's hint, else
   counted as ``dropped_duplicate`` — or, with ``--overlong drop``, dropped (``dropped_overlong``, as is
   a level-0 prompt that is too long). Every trim and drop is counted per level in the printed and
   saved report and listed under ``overlong_rows`` (the original lost these rows silently in verl).
7. All rows are shuffled once with `numpy.random.default_rng(seed).permutation` — the permutation
   ``datasets.Dataset.shuffle(seed=...)`` applies, so seed 10000 gives the original's order.

Output: ``sparkle_hardmath_aug_{all|first_half}_train.parquet`` (+ ``.jsonl``, ``.report.json``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from sparkle.data.prompts import augmented_prompt, plain_prompt
from sparkle.data.schema import (
    LEVELED_SCHEMA,
    data_source_name,
    leveled_extra_info,
    verl_row,
    write_dataset,
    write_json,
)
from sparkle.data.split import BRANCHES, split_steps
from sparkle.data.tokens import HintTokens, PromptMeasurer, trim_hint
from sparkle.data.validate import FieldSpec, Validated, load_valid
from sparkle.errors import UserError

DEFAULT_SOURCE = "sparkle-reasoning/hardmath"
DEFAULT_SEED = 10000
DEFAULT_FRACTIONS = (0.25, 0.5)
MIN_FRACTION_HINT_CHARS = 10
HINT_STYLES = ("sparkle", "fraction")
AUG_VERSIONS = ("all", "first_half")

HARD_FIELDS = (
    FieldSpec("problem"),
    FieldSpec("answer", kind="answer"),
    FieldSpec("CoT", required=False),
    FieldSpec("solution", required=False),
)


@dataclass(frozen=True)
class HintConfig:
    """How hints are made: `style` sparkle (`aug_version`, `levels`) or fraction (`fractions`)."""

    style: str = "sparkle"
    aug_version: str = "all"
    levels: int = 4
    fractions: tuple[float, ...] = DEFAULT_FRACTIONS
    hint_source: str = "CoT"

    def __post_init__(self) -> None:
        if self.style not in HINT_STYLES:
            raise ValueError(f"hint style must be one of {HINT_STYLES}, got {self.style!r}")
        if self.aug_version not in AUG_VERSIONS:
            raise ValueError(f"aug_version must be one of {AUG_VERSIONS}, got {self.aug_version!r}")
        if self.style == "sparkle" and (self.levels // 2 if self.first_half else self.levels) < 1:
            raise ValueError(f"levels={self.levels} gives no hint level with aug_version={self.aug_version}")
        if self.style == "fraction" and (not self.fractions or not all(0 < f <= 1 for f in self.fractions)):
            raise ValueError(f"fractions must be in (0, 1], got {self.fractions}")

    @property
    def first_half(self) -> bool:
        return self.aug_version == "first_half"

    def output_stem(self, data_source: str) -> str:
        """The original's name for the defaults; other settings get their own name."""
        if self.style == "fraction":
            percents = "_".join(f"{round(f * 100):d}" for f in sorted(set(self.fractions)))
            return f"{data_source}_aug_fraction_{percents}_train"
        levels = "" if self.levels == 4 else f"_k{self.levels}"
        return f"{data_source}_aug_{self.aug_version}{levels}_train"


@dataclass(frozen=True)
class Hint:
    """One hint level of a problem: `level` >= 1, the cumulative `text`, and the `fraction` if any."""

    level: int
    text: str
    fraction: float | None = None


@dataclass
class ProblemHints:
    """The hints of one problem plus what the report counts about them."""

    hints: list[Hint]
    branch: str | None = None
    empty_chunks: int = 0


def reference_trace(record: dict[str, Any], hint_source: str = "CoT") -> str | None:
    """`CoT` if non-empty, else `solution` (the reverse for ``hint_source="solution"``); else None."""
    order = ("CoT", "solution") if hint_source == "CoT" else ("solution", "CoT")
    for key in order:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def sparkle_hints(trace: str, levels: int = 4, first_half: bool = False) -> ProblemHints:
    """The original's cumulative hints: level L = the first L non-empty chunks joined with a newline."""
    result = split_steps(trace, levels, first_half)
    chunks = [chunk for chunk in result.chunks if chunk.strip()]
    hints = [Hint(i + 1, "\n".join(chunks[: i + 1])) for i in range(len(chunks))]
    return ProblemHints(hints, result.branch, len(result.chunks) - len(chunks))


def fraction_prefix(trace: str, fraction: float) -> str:
    """The first ``round(fraction * len(trace))`` characters, cut back to whitespace, right-stripped."""
    n_chars = round(fraction * len(trace))
    prefix = trace[:n_chars]
    if n_chars < len(trace) and not trace[n_chars].isspace() and not prefix[-1:].isspace():
        cut = max(prefix.rfind(" "), prefix.rfind("\n"), prefix.rfind("\t"))
        prefix = prefix[:cut] if cut > 0 else prefix
    return prefix.rstrip()


def fraction_hints(trace: str, fractions: tuple[float, ...]) -> ProblemHints:
    """QuestA-style hints: one level per fraction (ascending); short or repeated prefixes are skipped."""
    hints: list[Hint] = []
    for fraction in sorted(set(fractions)):
        text = fraction_prefix(trace, fraction)
        if len(text) < MIN_FRACTION_HINT_CHARS or (hints and text == hints[-1].text):
            continue
        hints.append(Hint(len(hints) + 1, text, fraction))
    return ProblemHints(hints)


def problem_hints(record: dict[str, Any], config: HintConfig) -> ProblemHints | None:
    """The hint levels of one validated record; None when it has no reference trace."""
    trace = reference_trace(record, config.hint_source)
    if trace is None:
        return None
    if config.style == "sparkle":
        return sparkle_hints(trace, config.levels, config.first_half)
    return fraction_hints(trace, config.fractions)


@dataclass
class LevelStats:
    """Per-level counts of the report."""

    built: int = 0
    kept: int = 0
    trimmed: int = 0
    dropped_overlong: int = 0
    dropped_duplicate: int = 0
    tokens: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "built": self.built,
            "kept": self.kept,
            "trimmed": self.trimmed,
            "dropped_overlong": self.dropped_overlong,
            "dropped_duplicate": self.dropped_duplicate,
        }
        if self.tokens:
            out["max_tokens"] = max(self.tokens)
            out["mean_tokens"] = round(statistics.fmean(self.tokens), 1)
        return out


@dataclass
class _Candidate:
    problem_row: int
    problem: str
    answer: str
    level: int
    total: int
    hint: Hint | None


def _prompt_of(problem: str, hint_text: str | None) -> str:
    return plain_prompt(problem) if hint_text is None else augmented_prompt(problem, hint_text)


def augment(
    validated: Validated,
    config: HintConfig,
    data_source: str,
    *,
    measurer: PromptMeasurer | None = None,
    max_prompt_length: int = 1024,
    overlong: str = "trim",
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Build the (unshuffled) augmented rows of every valid problem and the per-level report."""
    if overlong not in ("trim", "drop"):
        raise ValueError(f"overlong must be 'trim' or 'drop', got {overlong!r}")
    candidates: list[_Candidate] = []
    problems: list[tuple[str, list[str]]] = []  # (problem, hint texts) in candidate order
    branches: Counter[str] = Counter()
    no_trace = empty_chunks = no_hint = 0
    for row, record in tqdm(validated.rows, desc="splitting traces", unit="problem", disable=None, leave=False):
        hints = problem_hints(record, config)
        if hints is None:
            no_trace += 1
            hint_list: list[Hint] = []
        else:
            hint_list = hints.hints
            empty_chunks += hints.empty_chunks
            if hints.branch:
                branches[hints.branch] += 1
            no_hint += not hint_list
        total = len(hint_list)
        problems.append((record["problem"], [h.text for h in hint_list]))
        candidates.append(_Candidate(row, record["problem"], record["answer"], 0, total, None))
        candidates.extend(_Candidate(row, record["problem"], record["answer"], h.level, total, h) for h in hint_list)

    counts: list[int] | None = None
    hint_tokens: list[HintTokens | None] = []
    count_stats = None
    if measurer is not None:
        measured, count_stats = measurer.measure_problems(problems, max_prompt_length)
        counts = [n for problem in measured for n in problem.levels]
        hint_tokens = [problem.tokens for problem in measured for _ in problem.levels]

    stats: dict[int, LevelStats] = {}
    overlong_rows: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    previous_hint_len = 0  # length of the last kept hint of the current problem
    for i, cand in enumerate(tqdm(candidates, desc="building rows", unit="row", disable=None, leave=False)):
        level_stats = stats.setdefault(cand.level, LevelStats())
        level_stats.built += 1
        if cand.level == 0:
            previous_hint_len = 0
        hint_text = cand.hint.text if cand.hint else None
        prompt, trimmed = _prompt_of(cand.problem, hint_text), False
        n_tokens = counts[i] if counts is not None else None
        if n_tokens is not None and n_tokens > max_prompt_length:
            assert measurer is not None
            record = {"index": f"{cand.problem_row}_{cand.level}", "level": cand.level, "tokens": n_tokens}
            new_hint, reason = None, "overlong"
            if overlong == "trim" and hint_text is not None:
                measured: dict[str, int] = {}

                def fits(text: str, problem: str = cand.problem, seen: dict[str, int] = measured) -> bool:
                    seen[text] = measurer.count_one(augmented_prompt(problem, text))
                    return seen[text] <= max_prompt_length

                tokens = hint_tokens[i]
                search = {"estimate": (lambda t, k=tokens: k.estimate(len(t))), "limit": max_prompt_length}
                new_hint = trim_hint(
                    hint_text, fits, longer_than=previous_hint_len, **(search if tokens is not None else {})
                )
                if new_hint is None and previous_hint_len:
                    # the previous kept level's hint is itself a step-boundary prefix that fits, so
                    # something fits, but nothing that adds to that level
                    reason = "duplicate"
            if new_hint is None:
                if reason == "duplicate":
                    level_stats.dropped_duplicate += 1
                else:
                    level_stats.dropped_overlong += 1
                overlong_rows.append({**record, "action": f"dropped_{reason}"})
                continue
            hint_text, trimmed = new_hint, True
            prompt = augmented_prompt(cand.problem, hint_text)
            n_tokens = measured[hint_text]
            level_stats.trimmed += 1
            overlong_rows.append({**record, "action": "trimmed", "tokens_after": n_tokens})
        level_stats.kept += 1
        if n_tokens is not None:
            level_stats.tokens.append(n_tokens)
        if hint_text is not None:
            previous_hint_len = len(hint_text)
        extra_info = leveled_extra_info(
            cand.problem_row,
            cand.problem,
            cand.level,
            cand.total,
            hint_style=config.style if cand.level > 0 else None,
            hint_fraction=cand.hint.fraction if cand.hint else None,
            trimmed=trimmed,
        )
        rows.append(verl_row(data_source, prompt, cand.answer, extra_info))

    report = {
        "problems": {
            "valid": len(validated.rows),
            "without_trace": no_trace,
            "without_hint_levels": no_hint,
            "empty_chunks_dropped": empty_chunks,
        },
        "split_branches": {b: branches[b] for b in BRANCHES if branches[b]},
        "token_check": (
            {"max_prompt_length": max_prompt_length, "overlong": overlong, "counting": asdict(count_stats)}
            if count_stats is not None
            else None
        ),
        "levels": {str(level): stats[level].as_dict() for level in sorted(stats)},
        "overlong_rows": overlong_rows,
    }
    return rows, report


def shuffled(rows: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """`rows` in the order `datasets.Dataset.shuffle(seed=seed)` gives (numpy default_rng permutation)."""
    order = np.random.default_rng(seed).permutation(len(rows))
    return [rows[i] for i in order]


def format_level_table(levels: dict[str, dict[str, Any]]) -> str:
    """The per-level report as a text table (token columns only when prompts were measured)."""
    columns = ["built", "kept", "trimmed", "dropped_overlong", "dropped_duplicate"]
    if any("max_tokens" in row for row in levels.values()):
        columns += ["max_tokens", "mean_tokens"]
    lines = ["level  " + "  ".join(columns)]
    for level, row in levels.items():
        cells = "  ".join(f"{row.get(c, '-')!s:>{len(c)}}" for c in columns)
        lines.append(f"{level:>5}  {cells}")
    return "\n".join(lines)


def prepare_stage2(
    output_dir: str | Path,
    *,
    source: str = DEFAULT_SOURCE,
    name: str = "hardmath",
    config: HintConfig | None = None,
    tokenizer: Any = None,
    max_prompt_length: int = 1024,
    overlong: str = "trim",
    seed: int = DEFAULT_SEED,
    skip_invalid: bool = False,
    check_answers: bool = True,
) -> dict[str, Any]:
    """Build, shuffle and write the augmented stage-2 set and its report; return the report."""
    config = config or HintConfig()
    validated = load_valid(source, HARD_FIELDS, skip_invalid=skip_invalid, check_answers=check_answers)
    print(f"train data size: {len(validated.rows)}")
    data_source = data_source_name(name)
    measurer = PromptMeasurer(tokenizer) if tokenizer is not None else None
    rows, report = augment(
        validated,
        config,
        data_source,
        measurer=measurer,
        max_prompt_length=max_prompt_length,
        overlong=overlong,
    )
    print(format_level_table(report["levels"]))
    if not rows:
        raise UserError(
            f"{validated.label}: every row was dropped: the prompts are longer than --max-prompt-length "
            f"{max_prompt_length} tokens"
        )
    rows = shuffled(rows, seed)
    print(f"augmented data size: {len(rows)}")
    stem = config.output_stem(data_source)
    full_report = {
        "command": "stage2",
        "source": source,
        "hint_style": config.style,
        "aug_version": config.aug_version if config.style == "sparkle" else None,
        "levels": config.levels if config.style == "sparkle" else None,
        "fractions": sorted(set(config.fractions)) if config.style == "fraction" else None,
        "seed": seed,
        "rows_written": len(rows),
        **{("per_level" if k == "levels" else k): v for k, v in report.items()},
        "skipped": validated.report(),
    }
    if measurer is None:
        print(
            "note: no --tokenizer given, so prompt lengths were not checked; verl silently drops prompts "
            "longer than data.max_prompt_length"
        )
    written = write_dataset(rows, output_dir, stem, LEVELED_SCHEMA)
    report_path = write_json(full_report, Path(output_dir) / f"{stem}.report.json")
    for path in [*written, report_path]:
        print(f"wrote {path}")
    return full_report
