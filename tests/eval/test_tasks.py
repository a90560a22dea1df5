"""The lm-eval task folder, loaded by lm-eval itself: names, settings, prompt, gold answers, scoring, local data."""

from __future__ import annotations

import pytest
from eval_helpers import REPO, read_jsonl

from sparkle.data.prompts import plain_prompt
from sparkle.eval.metrics import metric_names
from sparkle.eval.tasks import (
    BENCHMARKS,
    ENV_VAR,
    HUB_TASKS,
    LOCAL_TASKS,
    KeepAllFilter,
    benchmark_of,
    gold,
    load_local,
    process_results,
)

TASKS_DIR = REPO / "eval" / "tasks"


@pytest.fixture(scope="module")
def task_manager():
    from lm_eval.tasks import TaskManager

    return TaskManager(include_path=str(TASKS_DIR), include_defaults=False)


@pytest.fixture
def local_env(prepared_benchmarks, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(prepared_benchmarks / "eval"))
    return prepared_benchmarks


def test_the_folder_defines_the_benchmark_and_analysis_tasks_and_their_tags(task_manager):
    from sparkle.analysis.conditions import CONDITIONS

    analysis = [name for c in CONDITIONS for name in (c.task, c.local_task)]
    assert sorted(task_manager.all_subtasks) == sorted((*HUB_TASKS, *LOCAL_TASKS, *analysis))
    assert HUB_TASKS == ("aime2024", "amc2023", "math500", "gsm8k_spk", "olympiad_bench")
    assert sorted(task_manager.all_tags) == ["sparkle", "sparkle_analysis", "sparkle_analysis_local", "sparkle_local"]


@pytest.mark.parametrize("task", HUB_TASKS)
def test_hub_tasks_read_the_original_datasets(task):
    from lm_eval.tasks._yaml_loader import load_yaml

    config = load_yaml(TASKS_DIR / "sparkle" / f"{task}.yaml", resolve_func=False)
    assert config["dataset_path"] == f"sparkle-reasoning/{benchmark_of(task).name}"
    assert config["dataset_name"] == "default"
    assert config["test_split"] == "test"


@pytest.mark.parametrize("task", LOCAL_TASKS)
def test_task_settings_sample_eight_times_as_the_original_and_keep_all_samples(task, task_manager, local_env):
    loaded = task_manager.load([task])["tasks"][task]
    config = loaded.config
    assert config.output_type == "generate_until"
    assert config.repeats == 8
    assert config.generation_kwargs == {
        "until": [],
        "do_sample": True,
        "temperature": 0.6,
        "top_p": 1.0,
        "max_gen_toks": 3000,
    }
    assert config.num_fewshot == 0
    assert [m["metric"] for m in config.metric_list] == list(metric_names(8))
    assert all(m["aggregation"] == "mean" and m["higher_is_better"] for m in config.metric_list)
    (ensemble,) = loaded._filters
    assert [f.func for f in ensemble.filters] == [KeepAllFilter]


@pytest.mark.parametrize("bench", BENCHMARKS, ids=lambda b: b.task)
def test_local_task_prompt_and_gold_equal_the_training_data(bench, task_manager, local_env):
    """doc_to_text is the verl prompt text of the same problem, doc_to_target its ground truth."""
    task = task_manager.load([bench.task + "_local"])["tasks"][bench.task + "_local"]
    verl_rows = read_jsonl(local_env / f"sparkle_{bench.name}.jsonl")
    docs = list(task.eval_docs)
    assert len(docs) == len(verl_rows) == 3
    for doc, row in zip(docs, verl_rows, strict=True):
        assert task.doc_to_text(doc) == row["prompt"][0]["content"] == plain_prompt(doc["problem"])
        assert task.doc_to_target(doc) == row["reward_model"]["ground_truth"]


@pytest.mark.parametrize("bench", BENCHMARKS, ids=lambda b: b.task)
def test_hub_rows_get_the_same_gold_as_the_prepared_files(bench, samples, prepared_benchmarks):
    """The raw hub layout (question/final_answer lists with $...$) is graded against the same string."""
    raw = read_jsonl(samples / "benchmarks" / f"{bench.name}.jsonl")
    prepared = read_jsonl(prepared_benchmarks / "eval" / f"{bench.name}.jsonl")
    assert [gold(r) for r in raw] == [p["answer"] for p in prepared]
    assert gold({"question": "q", "final_answer": ["$2$", "$3$"]}) == "2, 3"
    assert gold({"problem": "q", "answer": 12}) == "12"


def test_local_data_from_metadata_or_environment(prepared_benchmarks, monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(ValueError, match=ENV_VAR):
        load_local("aime2024")
    from_metadata = load_local("aime2024", benchmarks_dir=str(prepared_benchmarks), version=1.0)
    assert from_metadata["test"][0]["answer"] == "23"  # the data folder works as well as its eval/
    monkeypatch.chdir(prepared_benchmarks)
    monkeypatch.setenv(ENV_VAR, "eval")  # relative to the working directory
    assert len(load_local("gsm8k")["test"]) == 3
    monkeypatch.setenv(ENV_VAR, str(tmp_path))
    with pytest.raises(FileNotFoundError, match="sparkle data benchmarks"):
        load_local("gsm8k")
    (tmp_path / "gsm8k.jsonl").write_text('{"problem": "1+1?", "answer": "2"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"gsm8k\.jsonl:2"):
        load_local("gsm8k")


def test_process_results_scores_every_sample_with_the_reward_verifier():
    doc = {"problem": "Find all n with n^2 - 5n + 6 = 0.", "answer": "2, 3"}
    responses = [
        "<think>x</think><answer>\\boxed{2, 3}</answer>",
        "so n = \\boxed{3}",  # half the answer
        "The answer is 3 and 2",  # no box, set in any order
        "\\boxed{\\{3, 2\\}}",
    ]
    metrics = process_results(doc, [responses])
    assert set(metrics) == set(metric_names(4))
    assert metrics["avg@4"] == 0.75
    assert metrics["pass@1"] == 0.75
    assert metrics["pass@2"] == 1.0
    assert metrics["maj@1"] == 1.0
    # one response without the keep-all filter (lm-eval's take_first): scored as n = 1
    assert process_results(doc, ["\\boxed{2,3}"]) == {"avg@1": 1.0, "pass@1": 1.0, "maj@1": 1.0}


def test_keep_all_filter_keeps_every_repeat_in_order():
    resps = [("a", "b", "c"), ("d",)]
    assert KeepAllFilter().apply(iter(resps), [{}, {}]) == [["a", "b", "c"], ["d"]]


def test_task_files_parse_and_document_the_token_budget():
    text = (TASKS_DIR / "sparkle" / "_sparkle_template_yaml").read_text(encoding="utf-8")
    assert "max_gen_toks: 3000" in text
    assert "4,096 positions" in text
    for task in (*HUB_TASKS, *LOCAL_TASKS):
        assert (TASKS_DIR / "sparkle" / f"{task}.yaml").is_file()
