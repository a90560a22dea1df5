"""`sparkle eval`: task and model resolution, the skip-finished rule, the prompt budget, and real runs."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from eval_helpers import REPO, mean, read_jsonl, recompute_doc

from sparkle.errors import UserError
from sparkle.eval.metrics import metric_names
from sparkle.eval.runner import (
    RESULTS_FILE,
    SAMPLES_FILE,
    EvalSettings,
    ModelSpec,
    TaskSource,
    check_prompt_budget,
    is_finished,
    load_task,
    model_specs,
    pair_dir,
    pair_key,
    resolve_tasks,
    task_config,
)
from sparkle.eval.tasks import HUB_TASKS, LOCAL_TASKS


def run_cli(*args: str | Path) -> int:
    from sparkle.cli import main

    return main([str(a) for a in args])


def test_resolve_tasks():
    assert resolve_tasks(["all"]) == HUB_TASKS
    assert resolve_tasks(["all_local"]) == LOCAL_TASKS
    assert resolve_tasks(["math500,aime2024", "math500", "gsm8k_spk_local"]) == (
        "math500",
        "aime2024",
        "gsm8k_spk_local",
    )
    with pytest.raises(UserError, match="unknown task 'gsm8k'"):
        resolve_tasks(["gsm8k"])
    with pytest.raises(UserError, match="no tasks"):
        resolve_tasks([","])


def test_model_names_and_paths(tmp_path):
    (tmp_path / "a" / "ckpt").mkdir(parents=True)
    (tmp_path / "b" / "ckpt").mkdir(parents=True)
    specs = model_specs([str(tmp_path / "a" / "ckpt"), "Qwen/Qwen2.5-Math-7B"])
    assert specs == [
        ModelSpec("ckpt", str(tmp_path / "a" / "ckpt")),
        ModelSpec("Qwen2.5-Math-7B", "Qwen/Qwen2.5-Math-7B"),
    ]
    with pytest.raises(UserError, match="both named 'ckpt'"):
        model_specs([str(tmp_path / "a" / "ckpt"), str(tmp_path / "b" / "ckpt")])
    named = model_specs([str(tmp_path / "a" / "ckpt"), str(tmp_path / "b" / "ckpt")], ["s1", "s2"])
    assert [s.name for s in named] == ["s1", "s2"]
    with pytest.raises(UserError, match="2 models"):
        model_specs(["x", "y"], ["only-one"])
    with pytest.raises(UserError, match="not a model directory"):
        model_specs([str(tmp_path / "missing")])
    with pytest.raises(UserError, match="a hub id is OWNER/NAME"):
        model_specs(["checkpoints/stage1/hf_step_10"])  # relative, missing, and too deep for a hub id


def test_an_unloadable_model_is_a_one_line_error(tmp_path):
    from sparkle.eval.runner import Engine, load_lm

    (tmp_path / "empty").mkdir()
    engine = Engine(backend="hf", dtype="float32", device="cpu", batch_size="1")
    with pytest.raises(UserError, match=r"cannot load model .*empty"):
        load_lm(model_specs([str(tmp_path / "empty")])[0], engine, seed=1)


def _write_results(directory: Path, settings: dict | None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    data = {"results": {}} if settings is None else {"results": {}, "sparkle": {"settings": settings}}
    (directory / RESULTS_FILE).write_text(json.dumps(data), encoding="utf-8")


def test_a_pair_is_finished_only_with_the_same_settings(tmp_path):
    model = ModelSpec("m", "/models/m")
    settings = EvalSettings(samples=8, limit=None)
    key = pair_key(model, "math500", settings)
    directory = pair_dir(tmp_path, model, "math500")
    assert directory == tmp_path / "m" / "math500"
    assert not is_finished(directory, key)  # nothing there
    (directory).mkdir(parents=True)
    (directory / SAMPLES_FILE).write_text("{}\n", encoding="utf-8")
    assert not is_finished(directory, key)  # samples without results.json: interrupted, redo
    _write_results(directory, key)
    assert is_finished(directory, key)
    assert not is_finished(directory, key, rerun=True)
    other = pair_key(model, "math500", EvalSettings(samples=4, limit=10))
    with pytest.raises(UserError, match=r"samples 8 \(now 4\), limit None \(now 10\)"):
        is_finished(directory, other)
    assert not is_finished(directory, other, rerun=True)
    moved = pair_key(ModelSpec("m", "/elsewhere/m"), "math500", settings)
    with pytest.raises(UserError, match="model '/models/m'"):
        is_finished(directory, moved)
    _write_results(directory, None)  # an lm-eval results file not written by sparkle eval
    with pytest.raises(UserError, match="not written by `sparkle eval`"):
        is_finished(directory, key)
    (directory / RESULTS_FILE).write_text("{trunc", encoding="utf-8")
    assert not is_finished(directory, key)


def test_task_config_sets_repeats_and_metrics_for_the_sample_count(prepared_benchmarks):
    source = TaskSource(benchmarks_dir=prepared_benchmarks / "eval")
    manager = source.task_manager()
    config = task_config(manager, "amc2023_local", 4)
    assert config["repeats"] == 4
    assert [m["metric"] for m in config["metric_list"]] == list(metric_names(4))
    task = load_task(manager, "amc2023_local", 4)
    assert task.config.repeats == 4
    assert sorted(task.aggregation()) == sorted(metric_names(4))


def test_prompt_budget_against_the_model_context(tiny_model_dir, prepared_benchmarks):
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=str(tiny_model_dir), device="cpu", dtype="float32", batch_size=1)
    assert lm.max_length == 4096
    task = load_task(TaskSource(benchmarks_dir=prepared_benchmarks / "eval").task_manager(), "math500_local", 8)
    longest = check_prompt_budget(lm, task, None, 3000)
    assert 200 < longest < 1096
    assert check_prompt_budget(lm, task, 1, 4096 - longest) <= longest
    with pytest.raises(UserError, match=r"3 of 3 prompts are longer than the 96 tokens .* max_gen_toks=4000"):
        check_prompt_budget(lm, task, None, 4000)


def test_cli_help_and_input_errors(capsys, tmp_path, tiny_model_dir, monkeypatch):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("eval", "--help")
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for word in ("--models", "--tasks", "--backend", "--samples", "--limit", "--output", "skipped", "results.md"):
        assert word in text, word
    base = ["eval", "--models", tiny_model_dir, "--output", tmp_path / "out"]
    assert run_cli(*base, "--tasks", "nope") == 2
    assert "unknown task 'nope'" in capsys.readouterr().err
    if importlib.util.find_spec("vllm") is None:
        assert run_cli(*base, "--tasks", "all", "--backend", "vllm") == 2
        assert "vLLM is not installed" in capsys.readouterr().err
    assert run_cli(*base, "--tasks", "all", "--backend", "hf", "--tensor-parallel-size", "2") == 2
    assert "need --backend vllm" in capsys.readouterr().err
    monkeypatch.delenv("SPARKLE_BENCHMARKS_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run_cli(*base, "--tasks", "aime2024_local", "--backend", "hf") == 2
    assert "no aime2024.jsonl in" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_sparkle_eval_runs_skips_and_reports(
    answering_model_dir, tiny_model_dir, prepared_benchmarks, tmp_path, capsys
):
    output = tmp_path / "eval"
    tasks = ["amc2023_local", "math500_local"]
    args = [
        "eval", "--models", answering_model_dir, tiny_model_dir, "--names", "answering", "random",
        "--tasks", ",".join(tasks), "--backend", "hf", "--samples", "4", "--limit", "2", "--max-gen-toks", "24",
        "--benchmarks-dir", prepared_benchmarks / "eval", "--output", output,
    ]  # fmt: skip
    assert run_cli(*args) == 0
    out = capsys.readouterr().out
    assert "evaluated 4 pair(s), skipped 0" in out

    headline = {}
    for model in ("answering", "random"):
        for task in tasks:
            results = json.loads((output / model / task / RESULTS_FILE).read_text(encoding="utf-8"))
            rows = read_jsonl(output / model / task / SAMPLES_FILE)
            assert [r["doc_id"] for r in rows] == [0, 1]
            assert results["sparkle"]["settings"]["samples"] == 4
            assert results["configs"][task]["repeats"] == 4
            assert results["configs"][task]["generation_kwargs"]["top_k"] == 0
            per_doc = [recompute_doc(r["filtered_resps"][0], r["target"]) for r in rows]
            for name in metric_names(4):
                value = results["results"][task][f"{name},all_samples"]
                assert value == pytest.approx(mean([d[name] for d in per_doc]), abs=1e-12), (model, task, name)
            headline[(model, task)] = results["results"][task]["avg@4,all_samples"]
    assert headline[("answering", "amc2023_local")] > 0  # gold 4 is among the trained answers

    table = (output / "results.md").read_text(encoding="utf-8")
    row = next(line for line in table.splitlines() if line.startswith("| answering |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    values = [headline[("answering", t)] for t in tasks]
    assert cells == ["answering", *(f"{100 * v:.2f}" for v in values), f"{100 * mean(values):.2f}"]
    assert "| Model | AMC23 (local) | MATH500 (local) | Avg. |" in table
    assert len((output / "results.csv").read_text(encoding="utf-8").splitlines()) == 1 + 4 * len(metric_names(4))
    assert (output / "results.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # run again: every pair is skipped and its files are untouched
    stamps = {p: p.stat().st_mtime_ns for p in output.glob("*/*/*")}
    assert run_cli(*args) == 0
    out = capsys.readouterr().out
    assert "evaluated 0 pair(s), skipped 4" in out
    assert out.count("finished before, skipped") == 4
    assert {p: p.stat().st_mtime_ns for p in output.glob("*/*/*")} == stamps

    # other settings in the same directory: refused, then replaced with --rerun
    changed = [a if a != "2" else "1" for a in args]  # --limit 1
    assert run_cli(*changed) == 2
    assert "limit 2 (now 1)" in capsys.readouterr().err
    assert run_cli(*changed, "--rerun") == 0
    assert len(read_jsonl(output / "random" / "math500_local" / SAMPLES_FILE)) == 1


def test_hub_tasks_offline_fail_with_one_line(tiny_model_dir, tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1"}
    command = [sys.executable, "-m", "sparkle", "eval", "--models", str(tiny_model_dir), "--tasks", "aime2024"]
    done = subprocess.run(
        [*command, "--backend", "hf", "--output", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("sparkle eval: error: aime2024: cannot load its data")
    assert "*_local" in last


@pytest.mark.slow
def test_eval_all_vllm_script_keeps_the_original_interface(
    answering_model_dir, tiny_model_dir, prepared_benchmarks, tmp_path
):
    script = REPO / "scripts" / "eval" / "eval_all_vllm.sh"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    missing = subprocess.run(
        [script], env={**env, "PATH_TO_STAGE_ONE_MODEL": str(tmp_path / "nope"), "PATH_TO_STAGE_TWO_MODEL": "x"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert missing.returncode == 2 and "model directory not found" in missing.stderr
    unset = subprocess.run([script], env=env, capture_output=True, text=True)
    assert unset.returncode != 0 and "PATH_TO_STAGE_ONE_MODEL" in unset.stderr

    env.update(
        PATH_TO_STAGE_ONE_MODEL=str(answering_model_dir),
        PATH_TO_STAGE_TWO_MODEL=str(tiny_model_dir),
        OUTPUT_DIR=str(tmp_path / "outputs"),
        TENSOR_PARALLEL_SIZE="1",
    )
    overrides = ["--backend", "hf", "--tasks", "gsm8k_spk_local", "--samples", "2", "--limit", "1"]
    overrides += ["--max-gen-toks", "8", "--benchmarks-dir", str(prepared_benchmarks / "eval")]
    done = subprocess.run([script, *overrides], env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("stage1", "stage2"):
        assert (tmp_path / "outputs" / name / "gsm8k_spk_local" / RESULTS_FILE).is_file()
    assert "| stage1 |" in (tmp_path / "outputs" / "results.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_model_in_a_fresh_process_writes_its_pairs_and_reports_errors(tiny_model_dir, prepared_benchmarks, tmp_path):
    """The vLLM path's process isolation, exercised with the hf backend (no GPU here)."""
    from sparkle.eval.runner import Engine, run_eval

    model = model_specs([str(tiny_model_dir)])[0]
    source = TaskSource(benchmarks_dir=prepared_benchmarks / "eval")
    engine = Engine(backend="hf", dtype="float32", device="cpu", batch_size="4")
    settings = EvalSettings(samples=2, limit=1, max_gen_toks=8)
    status = run_eval([model], ["aime2024_local"], tmp_path, settings, engine, source, isolate=True)
    assert status == {(model.name, "aime2024_local"): "done"}
    assert len(read_jsonl(pair_dir(tmp_path, model, "aime2024_local") / SAMPLES_FILE)) == 1
    too_long = EvalSettings(samples=2, limit=1, max_gen_toks=4090)
    with pytest.raises(UserError, match="prompts are longer than the 6 tokens"):
        run_eval([model], ["amc2023_local"], tmp_path, too_long, engine, source, isolate=True)
    assert not (pair_dir(tmp_path, model, "amc2023_local") / RESULTS_FILE).exists()
