"""`sparkle analyze` end to end on CPU: a tiny model, the embedded sample, real lm-eval and transformers.

Checks the prompts the model actually received (lm-eval's logged arguments) against the documented
templates, the chain's order and context, the outputs, resuming and the settings check, and that plain
`lm_eval --include_path eval/tasks` runs the same tasks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from analysis_helpers import (
    PREVIEW,
    chat,
    doc_prompt,
    mean,
    preview_rows,
    problem_rows,
    read_jsonl,
    recompute_chains,
    recompute_problem_scores,
)

REPO = Path(__file__).resolve().parents[2]
CONDITIONS = ("vanilla", "plan", "knowledge", "subproblems")


def run_cli(*args: str | Path) -> int:
    from sparkle.cli import main

    return main([str(a) for a in args])


def pair(output: Path, condition: str) -> Path:
    return output / "tiny" / f"sparkle_preview_{condition}_local"


@pytest.fixture(scope="module")
def analyzed(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    output = tmp_path_factory.mktemp("analyze_cli") / "out"
    args = [
        "analyze", "--models", tiny_model_dir, "--names", "tiny", "--benchmark", PREVIEW, "--backend", "hf",
        "--samples", "2", "--max-gen-toks", "8", "--output", output,
    ]  # fmt: skip
    assert run_cli(*args) == 0
    return output, args


def test_help_explains_the_command(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("analyze", "--help")
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for phrase in (
        "--models", "--benchmark", "--conditions", "--samples", "--limit", "--skip-invalid", "--rerun", "--backend",
        "--output", "vanilla", "plan", "knowledge", "subproblems", "augmented_problem", "subproblem_answer",
        "Chain metric", "j-th sample of every subproblem", "analysis.md", "analysis.json", "analysis.csv",
        "conditions.png", "difficulty_deltas.png", "skipped", "SHA-256",
    ):  # fmt: skip
        assert phrase in text, phrase


@pytest.mark.slow
def test_every_condition_sent_the_documented_prompt(analyzed, tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    output, _ = analyzed
    problems = problem_rows()
    for condition in ("vanilla", "plan", "knowledge"):
        rows = read_jsonl(pair(output, condition) / "samples.jsonl")
        assert [r["doc"]["problem_key"] for r in rows] == list(problems)
        for row in rows:
            prompt, gen_kwargs = row["arguments"][0]
            assert prompt == chat(tokenizer, doc_prompt(condition, problems[row["doc"]["problem_key"]]))
            assert gen_kwargs["temperature"] == 0.6 and gen_kwargs["max_gen_toks"] == 8
            assert len(row["filtered_resps"][0]) == 2
    by_id = {r["subproblem_id"]: r for r in preview_rows()}
    for row in read_jsonl(pair(output, "subproblems") / "samples.jsonl"):
        expected = doc_prompt("subproblems", by_id[row["doc"]["subproblem_id"]])
        assert row["arguments"][0][0] == chat(tokenizer, expected)


@pytest.mark.slow
def test_the_chain_is_asked_in_order_with_the_earlier_answers_in_order(analyzed):
    output, _ = analyzed
    rows = read_jsonl(pair(output, "subproblems") / "samples.jsonl")
    chains: dict[str, list[dict]] = {}
    for row in rows:
        chains.setdefault(row["doc"]["problem_key"], []).append(row)
    assert list(chains) == list(problem_rows())
    for key, steps in chains.items():
        references = [s["doc"]["subproblem_answer"] for s in steps]
        assert [s["doc"]["subproblem_sequence"] for s in steps] == list(range(1, len(steps) + 1)), key
        for i, step in enumerate(steps):
            prompt = step["arguments"][0][0]
            question = step["doc"]["subproblem_question"]
            assert prompt.endswith(f"Current subproblem: {question} Assistant:<|im_end|>\n<|im_start|>assistant\n")
            # every earlier subproblem's reference answer, in chain order, before the current question
            positions = [prompt.index(f"A{j + 1}: {references[j]}") for j in range(i)]
            assert positions == sorted(positions)
            assert all(p < prompt.index("Current subproblem:") for p in positions)
            assert f"A{i + 1}:" not in prompt  # nothing of the current or later steps
            assert step["chain_success"]["sequence"] == i + 1 and step["chain_success"]["total"] == len(steps)


@pytest.mark.slow
def test_outputs_agree_with_a_recomputation_from_the_logged_samples(analyzed):
    output, _ = analyzed
    document = json.loads((output / "analysis.json").read_text(encoding="utf-8"))
    assert [p["status"] for p in document["pairs"]] == ["done"] * 4
    assert document["benchmark"]["problems"] == 5 and document["benchmark"]["subproblems"] == 13
    scores = {c: recompute_problem_scores(read_jsonl(pair(output, c) / "samples.jsonl")) for c in CONDITIONS[:3]}
    scores["subproblems"], _ = recompute_chains(read_jsonl(pair(output, "subproblems") / "samples.jsonl"))
    for record in document["problems"]:
        for condition in CONDITIONS:
            assert record["scores"]["tiny"][condition] == scores[condition][record["problem"]]
    cells = {(c["condition"], c["axis"], c["group"], c["metric"]): c["value"] for c in document["cells"]}
    for condition in CONDITIONS:
        assert cells[(condition, "benchmark", "All", "accuracy")] == pytest.approx(
            mean(list(scores[condition].values()))
        )
    for name in (
        "analysis.md",
        "analysis.csv",
        "conditions.png",
        "difficulty_deltas.png",
        "benchmark/sparkle_preview.jsonl",
    ):
        assert (output / name).stat().st_size > 0, name
    assert "| tiny | " in (output / "analysis.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_plain_lm_eval_runs_the_analysis_tasks(analyzed, tiny_model_dir, tmp_path):
    output, _ = analyzed
    env = {**os.environ, "SPARKLE_BENCHMARKS_DIR": str(output / "benchmark"), "HF_HUB_OFFLINE": "1"}
    command = [
        sys.executable, "-m", "lm_eval", "--model", "hf", "--model_args", f"pretrained={tiny_model_dir},dtype=float32",
        "--device", "cpu", "--batch_size", "16", "--include_path", str(REPO / "eval" / "tasks"),
        "--tasks", "sparkle_analysis_local", "--limit", "3", "--gen_kwargs", "max_gen_toks=4",
        "--apply_chat_template", "--output_path", "out",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    (results_file,) = (tmp_path / "out").glob("*/results_*.json")
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    assert set(results) == {f"sparkle_preview_{c}_local" for c in CONDITIONS}
    subproblems = results["sparkle_preview_subproblems_local"]
    assert subproblems["chain_success,all_samples"] == 0.0  # the first 3 rows are aime24-1's whole chain
    assert subproblems["avg@8,all_samples"] == 0.0


@pytest.mark.slow
def test_resume_skips_finished_pairs_and_refuses_other_settings(analyzed, capsys):
    """Runs last in this module: it replaces the module's output with a --limit 2 run."""
    output, args = analyzed
    capsys.readouterr()
    stamps = {p: p.stat().st_mtime_ns for p in (output / "tiny").glob("*/*")}
    assert run_cli(*args) == 0
    assert "ran 0 model x condition pair(s), skipped 4 finished before" in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in (output / "tiny").glob("*/*")} == stamps

    assert run_cli(*[a if a != "2" else "3" for a in args]) == 2  # --samples 3
    assert "samples 2 (now 3)" in capsys.readouterr().err
    assert run_cli(*args, "--limit", "2") == 2  # other data: the benchmark digest differs
    assert "benchmark_sha256" in capsys.readouterr().err
    assert run_cli(*args, "--limit", "2", "--rerun", "--conditions", "vanilla", "subproblems") == 0
    assert len(read_jsonl(pair(output, "vanilla") / "samples.jsonl")) == 2
    assert len(read_jsonl(pair(output, "subproblems") / "samples.jsonl")) == 5  # 3 + 2 subproblems
    document = json.loads((output / "analysis.json").read_text(encoding="utf-8"))
    assert document["conditions"] == ["vanilla", "subproblems"] and document["benchmark"]["problems"] == 2
