"""Re-record `data/recorded/`: a real `sparkle analyze` run on the embedded sample, trimmed.

Not a test. Run from the repository root when the task or sample format changes:

    python tests/analysis/record_analysis_run.py

Two tiny models on CPU: ``random`` (the untrained tiny Qwen2, always wrong) and ``answering`` (the same
model fine-tuned by `eval_helpers.train_answering_model` on every analysis prompt of the sample to
answer from `ANALYSIS_MIX`, whatever the prompt). Its sampled answers then hit some golds (48, 8, 6, 4,
23, 14) and miss the others, so accuracies, deltas, step accuracies and the chain success of the AMC23
problem (8 then 48) take values other than 0 and 1. `sparkle analyze --samples 8 --max-gen-toks 24`
runs all four conditions; the recorded files keep each pair's ``results.json`` (results, n-samples,
the sparkle block) and ``samples.jsonl`` rows without the prompts, lm-eval's hashes and the unfiltered copy of the
responses, plus the benchmark file.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RECORDED = HERE / "data" / "recorded"
ANALYSIS_MIX: tuple[tuple[str | None, int], ...] = (
    ("48", 3),
    ("8", 3),
    ("6", 1),
    ("4", 1),
    ("23", 1),
    ("14", 1),
    (None, 1),
)
DROPPED_SAMPLE_KEYS = ("arguments", "resps", "doc_hash", "prompt_hash", "target_hash")
KEPT_RESULT_KEYS = ("results", "n-samples", "sparkle")


def analysis_prompts() -> list[str]:
    from sparkle.analysis.tasks import (
        doc_to_text_knowledge,
        doc_to_text_plan,
        doc_to_text_subproblem,
        problem_doc,
        subproblem_docs_of,
    )
    from sparkle.data.benchmarks import load_fine_grained
    from sparkle.eval.tasks import doc_to_text

    problems = load_fine_grained(str(REPO / "data" / "samples" / "sparkle_preview.jsonl"))
    docs = [problem_doc(p) for p in problems]
    prompts = [f(d) for d in docs for f in (doc_to_text, doc_to_text_plan, doc_to_text_knowledge)]
    return prompts + [doc_to_text_subproblem(d) for p in problems for d in subproblem_docs_of(p)]


def trim(run: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(run / "benchmark", target / "benchmark")
    for results in run.glob("*/*/results.json"):
        pair = target / results.parent.relative_to(run)
        pair.mkdir(parents=True)
        data = json.loads(results.read_text(encoding="utf-8"))
        kept = {key: data[key] for key in KEPT_RESULT_KEYS}
        (pair / "results.json").write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        lines = []
        for line in (results.parent / "samples.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            lines.append(json.dumps({k: v for k, v in row.items() if k not in DROPPED_SAMPLE_KEYS}, ensure_ascii=False))
        (pair / "samples.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    sys.path.insert(0, str(REPO / "tests" / "eval"))
    from eval_helpers import train_answering_model

    from sparkle.cli import main as sparkle_main
    from sparkle.tiny_model import build_tiny_model

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        random_model = build_tiny_model(work / "random")
        answering = train_answering_model(
            random_model, work / "answering", prompts=analysis_prompts(), answer_mix=ANALYSIS_MIX
        )
        status = sparkle_main(
            [
                "analyze", "--models", str(answering), str(random_model), "--names", "answering", "random",
                "--benchmark", str(REPO / "data" / "samples" / "sparkle_preview.jsonl"), "--backend", "hf",
                "--samples", "8", "--max-gen-toks", "24", "--output", str(work / "run"),
            ]
        )  # fmt: skip
        if status != 0:
            return status
        trim(work / "run", RECORDED)
    print(f"recorded into {RECORDED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
