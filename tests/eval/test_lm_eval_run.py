"""The real lm-eval command line on CPU: the *_local tasks, a tiny model, logged samples re-scored by hand."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from eval_helpers import REPO, mean, read_jsonl, recompute_doc

from sparkle.data.prompts import plain_prompt
from sparkle.eval.metrics import metric_names
from sparkle.eval.tasks import ENV_VAR, LOCAL_TASKS

LIMIT = 2


@pytest.fixture(scope="module")
def lm_eval_run(answering_model_dir: Path, prepared_benchmarks: Path, tmp_path_factory: pytest.TempPathFactory):
    """`lm_eval ... --tasks sparkle_local --log_samples`, run from a scratch directory with a relative
    SPARKLE_BENCHMARKS_DIR; returns (results dict, {task: logged samples})."""
    work = tmp_path_factory.mktemp("lm_eval_run")
    shutil.copytree(prepared_benchmarks / "eval", work / "bench" / "eval")
    env = {
        **os.environ,
        ENV_VAR: "bench/eval",
        "HF_HUB_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "TOKENIZERS_PARALLELISM": "false",
    }
    command = [
        sys.executable, "-m", "lm_eval",
        "--model", "hf",
        "--model_args", f"pretrained={answering_model_dir},dtype=float32",
        "--device", "cpu",
        "--batch_size", "16",
        "--include_path", str(REPO / "eval" / "tasks"),
        "--tasks", "sparkle_local",
        "--limit", str(LIMIT),
        "--gen_kwargs", "max_gen_toks=24",
        "--apply_chat_template",
        "--log_samples",
        "--output_path", "out",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    (results_file,) = (work / "out").glob("*/results_*.json")
    samples = {}
    for task in LOCAL_TASKS:
        (path,) = results_file.parent.glob(f"samples_{task}_*.jsonl")
        samples[task] = read_jsonl(path)
    return json.loads(results_file.read_text(encoding="utf-8")), samples


@pytest.mark.slow
def test_aggregates_equal_metrics_recomputed_from_the_logged_samples(lm_eval_run):
    results, samples = lm_eval_run
    all_correct = []
    partly_right = 0
    for task in LOCAL_TASKS:
        rows = samples[task]
        assert len(rows) == LIMIT
        per_doc = []
        for row in rows:
            (responses,) = row["filtered_resps"]
            assert len(responses) == 8 and row["resps"] == row["filtered_resps"]  # keep-all: every repeat scored
            recomputed = recompute_doc(responses, row["target"])
            for name, value in recomputed.items():
                assert row[name] == pytest.approx(value, abs=1e-12), (task, row["doc_id"], name)
            per_doc.append(recomputed)
            avg = recomputed["avg@8"]
            all_correct.append(avg)
            partly_right += 0 < avg < 1
        aggregates = results["results"][task]
        for name in metric_names(8):
            assert aggregates[f"{name},all_samples"] == pytest.approx(mean([d[name] for d in per_doc]), abs=1e-12)
    # the check above is only worth something if the model is sometimes right and sometimes wrong
    assert 0 < mean(all_correct) < 1
    assert partly_right >= 1


@pytest.mark.slow
def test_prompt_is_the_training_prompt_in_one_user_message(lm_eval_run, answering_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(answering_model_dir)
    _, samples = lm_eval_run
    for task in LOCAL_TASKS:
        for row in samples[task]:
            arguments = row["arguments"]["gen_args_0"]
            expected = tokenizer.apply_chat_template(
                [{"role": "user", "content": plain_prompt(row["doc"]["problem"])}],
                tokenize=False,
                add_generation_prompt=True,
            )
            assert arguments["arg_0"] == expected
            assert arguments["arg_1"] == {
                "until": [],
                "do_sample": True,
                "temperature": 0.6,
                "top_p": 1.0,
                "max_gen_toks": 24,
            }
