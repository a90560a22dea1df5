"""The lm-eval side of Sparkle's benchmarks: prompt, gold answer, scoring, local data, keep-all filter.

`eval/tasks/sparkle/*.yaml` point at these functions through `eval/tasks/sparkle/utils.py` (so a
plain ``lm_eval --include_path eval/tasks`` user needs Sparkle installed, for the one verifier).

- `doc_to_text`: the training prompt, `sparkle.data.prompts.plain_prompt` (original-system.md §3.2);
  run lm-eval with ``--apply_chat_template`` so it becomes one user message in the chat template, as
  in training (§3.3).
- `doc_to_target` / `gold`: the gold answer as `sparkle data benchmarks` writes it (``answer``, else
  ``final_answer``; a list becomes the answers joined by ", "; one pair of enclosing ``$`` removed),
  so hub rows and local files are graded against the same string as verl's validation rows.
- `process_results`: every sample is scored by `sparkle.reward.score_response` (correctness and the
  extracted answer; the training format checks do not count), then `sparkle.eval.metrics`.
- `load_local`: the ``*_local`` tasks' `custom_dataset`: ``<dir>/<benchmark>.jsonl`` where ``dir`` is
  the ``benchmarks_dir`` metadata (``--metadata '{"benchmarks_dir": ...}'``) or the
  ``SPARKLE_BENCHMARKS_DIR`` environment variable: the ``eval/`` folder written by ``sparkle data
  benchmarks`` (its parent works too). A relative path resolves against the working directory.
- `KeepAllFilter`: hands all repeats of a request to `process_results` (lm-eval's default filter
  keeps the first only, so ``repeats: 8`` alone still scores one sample).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lm_eval.api.filter import Filter

from sparkle.data.benchmarks import ground_truth, strip_dollars
from sparkle.data.prompts import plain_prompt
from sparkle.eval.metrics import problem_metrics

ENV_VAR = "SPARKLE_BENCHMARKS_DIR"
METADATA_KEY = "benchmarks_dir"
LOCAL_SUFFIX = "_local"


@dataclass(frozen=True)
class Benchmark:
    """One benchmark: its lm-eval task name, its file/hub name and its column label in the results table."""

    task: str
    name: str
    label: str

    @property
    def hub_id(self) -> str:
        return f"sparkle-reasoning/{self.name}"


BENCHMARKS = (
    Benchmark("aime2024", "aime2024", "AIME24"),
    Benchmark("amc2023", "amc2023", "AMC23"),
    Benchmark("math500", "math500", "MATH500"),
    Benchmark("gsm8k_spk", "gsm8k", "GSM8K"),
    Benchmark("olympiad_bench", "olympiad_bench", "OlympiadBench"),
)
"""In the column order of the original's results table (original-system.md §9.5)."""

HUB_TASKS = tuple(b.task for b in BENCHMARKS)
LOCAL_TASKS = tuple(b.task + LOCAL_SUFFIX for b in BENCHMARKS)


def benchmark_of(task: str) -> Benchmark:
    """The benchmark behind a task name (hub or ``*_local``); KeyError for a task that is not ours."""
    base = task.removesuffix(LOCAL_SUFFIX)
    for bench in BENCHMARKS:
        if bench.task == base:
            return bench
    raise KeyError(task)


def problem_text(doc: dict[str, Any]) -> str:
    """The problem statement of a row (``problem``, else ``question``)."""
    text = doc.get("problem")
    if text is None:
        text = doc.get("question")
    if not isinstance(text, str):
        raise ValueError(f"row has no 'problem' or 'question' text: {sorted(doc)}")
    return text


def gold(doc: dict[str, Any]) -> str:
    """The single gold answer string of a row, normalised as `sparkle.data.benchmarks` does."""
    value = doc.get("answer")
    if value is None:
        value = doc.get("final_answer")
    if value is None:
        raise ValueError(f"row has no 'answer' or 'final_answer': {sorted(doc)}")
    items = value if isinstance(value, list) else [value]
    return ground_truth([strip_dollars(str(item).strip()) for item in items])


def doc_to_text(doc: dict[str, Any]) -> str:
    """The task prompt: the plain training prompt of the row's problem."""
    return plain_prompt(problem_text(doc))


def doc_to_target(doc: dict[str, Any]) -> str:
    return gold(doc)


def responses_of(results: list[Any]) -> list[str]:
    """The sampled responses of one request: a list after the keep-all filter, one string otherwise."""
    if len(results) == 1 and isinstance(results[0], list | tuple):
        return [str(r) for r in results[0]]
    return [str(r) for r in results]


def score_samples(responses: Iterable[str], answer: str) -> tuple[list[bool], list[str | None]]:
    """Correctness and extracted answer of each response, by the one verifier (`sparkle.reward`)."""
    from sparkle.reward import score_response

    scored = [score_response(r, answer) for r in responses]
    return [s.correct for s in scored], [s.pred for s in scored]


def process_results(doc: dict[str, Any], results: list[Any]) -> dict[str, float]:
    """lm-eval hook: avg@n, pass@k and maj@k of one problem (lm-eval averages them over problems)."""
    accs, preds = score_samples(responses_of(results), gold(doc))
    return problem_metrics(accs, preds)


class KeepAllFilter(Filter):
    """Keep every sampled response of each request, in sampling order."""

    def apply(self, resps: Iterable[Any], docs: list[dict[str, Any]]) -> Iterable[Any]:
        return [list(r) for r in resps]


def benchmarks_dir(metadata: dict[str, Any]) -> Path:
    """The folder of the local benchmark files: the metadata value, else the environment variable."""
    value = metadata.get(METADATA_KEY) or os.environ.get(ENV_VAR)
    if not value:
        raise ValueError(
            f"the *_local tasks read the files written by `sparkle data benchmarks`: set {ENV_VAR} to their "
            f'folder (e.g. data/eval) or pass --metadata \'{{"{METADATA_KEY}": "data/eval"}}\''
        )
    return Path(value).expanduser().resolve()


def local_file(folder: Path, name: str) -> Path:
    """``<folder>/<name>.jsonl``, or ``<folder>/eval/<name>.jsonl`` when given the data folder."""
    for path in (folder / f"{name}.jsonl", folder / "eval" / f"{name}.jsonl"):
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"no {name}.jsonl in {folder} (or {folder / 'eval'}); write it with "
        f"`sparkle data benchmarks --output DIR` and point {ENV_VAR} at DIR/eval"
    )


def read_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{path}:{number}: not JSON ({err.msg})") from err
    if not rows:
        raise ValueError(f"{path}: no rows")
    return rows


def load_local(benchmark: str, **metadata: Any) -> Any:
    """`custom_dataset` of the ``*_local`` tasks: a `datasets.DatasetDict` with the ``test`` split."""
    import datasets

    path = local_file(benchmarks_dir(metadata), benchmark)
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(read_rows(path))})
