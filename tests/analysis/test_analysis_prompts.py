"""Every analysis condition's lm-eval task builds the prompt of original-system.md §10.4 from the sample rows.

The expected texts come from `analysis_helpers` (typed from the documentation); the docs and prompts come
from lm-eval's own task objects, loaded from eval/tasks like `lm_eval --include_path` does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from analysis_helpers import PREVIEW, doc_prompt, preview_rows, problem_rows

from sparkle.analysis.benchmark import prepare_benchmark
from sparkle.analysis.conditions import CONDITIONS

REPO = Path(__file__).resolve().parents[2]
TASKS_DIR = REPO / "eval" / "tasks"


def task_manager(benchmarks_dir: Path | None = None):
    from lm_eval.tasks import TaskManager

    metadata = {} if benchmarks_dir is None else {"benchmarks_dir": str(benchmarks_dir)}
    return TaskManager(include_path=str(TASKS_DIR), include_defaults=False, metadata=metadata)


@pytest.fixture(scope="module")
def local_tasks(tmp_path_factory: pytest.TempPathFactory) -> dict:
    prepared = prepare_benchmark(str(PREVIEW), tmp_path_factory.mktemp("analysis_prompts"))
    manager = task_manager(prepared.path.parent)
    return manager.load([c.local_task for c in CONDITIONS])["tasks"]


def test_the_folder_lists_the_analysis_tasks_and_tags():
    manager = task_manager()
    for condition in CONDITIONS:
        assert condition.task in manager.all_tasks
        assert condition.local_task in manager.all_tasks
    assert {"sparkle_analysis", "sparkle_analysis_local"} <= set(manager.all_tags)


def test_problem_conditions_build_the_documented_prompts(local_tasks):
    rows = problem_rows()
    for condition in ("vanilla", "plan", "knowledge"):
        task = local_tasks[f"sparkle_preview_{condition}_local"]
        docs = list(task.eval_docs)
        assert [d["problem_key"] for d in docs] == list(rows)  # one doc per problem, in file order
        for doc in docs:
            row = rows[doc["problem_key"]]
            assert task.doc_to_text(doc) == doc_prompt(condition, row), (condition, doc["problem_key"])
            assert task.doc_to_target(doc) == row["answer"][0]


def test_plan_and_knowledge_prompts_differ_from_vanilla_only_by_the_annotation(local_tasks):
    doc = next(iter(local_tasks["sparkle_preview_plan_local"].eval_docs))
    vanilla = local_tasks["sparkle_preview_vanilla_local"].doc_to_text(doc)
    plan = local_tasks["sparkle_preview_plan_local"].doc_to_text(doc)
    assert vanilla.endswith(doc["problem"] + " Assistant:")  # one space before Assistant:
    assert plan.endswith("\n" + doc["planning"] + "\nAssistant:")  # a newline before Assistant:


def test_subproblem_condition_asks_every_row_in_chain_order(local_tasks):
    task = local_tasks["sparkle_preview_subproblems_local"]
    docs = list(task.eval_docs)
    rows = preview_rows()
    expected_order = sorted(
        rows, key=lambda r: (list(problem_rows()).index(f"{r['source']}/{r['problem ID']}"), r["subproblem_sequence"])
    )
    assert [d["subproblem_id"] for d in docs] == [r["subproblem_id"] for r in expected_order]
    for doc, row in zip(docs, expected_order, strict=True):
        assert task.doc_to_text(doc) == doc_prompt("subproblems", row)
        assert task.doc_to_target(doc) == row["subproblem_answer"]
        assert doc["total_subproblems"] == row["total_subproblems"]


def test_hub_tasks_read_the_hub_rows_into_the_same_docs(local_tasks):
    """The hub tasks group the one-row-per-subproblem split in process_docs (no hub access here)."""
    import datasets
    from lm_eval.tasks._yaml_loader import load_yaml

    manager = task_manager()
    hub_split = datasets.Dataset.from_list(preview_rows())
    for condition in CONDITIONS:
        config = load_yaml(manager.task_index[condition.task].yaml_path, resolve_func=True)
        assert (config["dataset_path"], config["dataset_name"], config["test_split"]) == (
            "sparkle-reasoning/sparkle_preview",
            "all",
            "test",
        )
        local = local_tasks[condition.local_task]
        assert config["process_docs"](hub_split).to_list() == list(local.eval_docs)
        assert config["doc_to_text"].__name__ == local.config.doc_to_text.__name__


def test_sampling_settings_are_the_standard_tasks(local_tasks):
    for task in local_tasks.values():
        assert task.config.repeats == 8
        assert task.config.generation_kwargs == {
            "until": [],
            "do_sample": True,
            "temperature": 0.6,
            "top_p": 1.0,
            "max_gen_toks": 3000,
        }
    metrics = set(local_tasks["sparkle_preview_subproblems_local"].aggregation())
    assert "chain_success" in metrics and "avg@8" in metrics
