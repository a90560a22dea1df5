"""The chain metric and the subproblem scoring: hand-checked values, lm-eval's own task hooks, chain order."""

from __future__ import annotations

import math
import random

import pytest
from analysis_helpers import PREVIEW, preview_rows

from sparkle.analysis.chain import StepOutcome, chain_runs, chain_success, chain_success_rate, group_chains
from sparkle.analysis.tasks import subproblem_docs


def boxed(answer: str) -> str:
    return f"<think>\nwork\n</think>\n<answer>\nThe answer is \\boxed{{{answer}}}.\n</answer>"


def step(problem: str, sequence: int, total: int, correct: str) -> StepOutcome:
    return StepOutcome(problem, sequence, total, tuple(c == "1" for c in correct))


def test_a_chain_run_succeeds_only_when_every_step_is_right_at_that_sample_index():
    chain = [step("p", 1, 3, "1101"), step("p", 2, 3, "1011"), step("p", 3, 3, "1111")]
    assert chain_runs(chain) == [True, False, False, True]
    assert chain_success_rate(chain) == 0.5
    # step order in the input does not matter for the runs, only the index pairing
    assert chain_runs(list(reversed(chain))) == [True, False, False, True]


def test_aggregation_means_chain_success_over_complete_chains_only():
    items = [
        step("a", 1, 2, "11").as_item(),
        step("b", 1, 2, "10").as_item(),
        step("a", 2, 2, "10").as_item(),
        step("b", 2, 2, "11").as_item(),
        step("c", 1, 3, "11").as_item(),  # c is cut short (2 of 3 steps): left out
        step("c", 2, 3, "11").as_item(),
    ]
    complete, incomplete = group_chains(StepOutcome.from_item(i) for i in items)
    assert list(complete) == ["a", "b"] and incomplete == ["c"]
    assert [s.sequence for s in complete["a"]] == [1, 2]
    assert chain_success(items) == pytest.approx((0.5 + 0.5) / 2)
    assert math.isnan(chain_success(items[4:]))


def test_zero_based_chains_and_unequal_sample_counts():
    chain = [step("z", 0, 2, "01"), step("z", 1, 2, "11")]
    complete, _ = group_chains(chain)
    assert chain_success_rate(complete["z"]) == 0.5
    with pytest.raises(ValueError, match="different sample counts"):
        chain_runs([step("z", 0, 2, "01"), step("z", 1, 2, "111")])


def test_subproblem_docs_follow_the_chain_whatever_the_row_order():
    import datasets

    rows = preview_rows()
    shuffled = rows[:]
    random.Random(3).shuffle(shuffled)
    docs = subproblem_docs(datasets.Dataset.from_list(shuffled)).to_list()
    by_problem: dict[str, list[int]] = {}
    for doc in docs:
        by_problem.setdefault(doc["problem_key"], []).append(doc["subproblem_sequence"])
    # problems are contiguous and each one's steps ascend from 1 to its total
    assert len(by_problem) == 5
    assert [doc["problem_key"] for doc in docs] == [k for k, seqs in by_problem.items() for _ in seqs]
    for key, sequences in by_problem.items():
        assert sequences == list(range(1, len(sequences) + 1)), key
    # grouped lines (the file `sparkle data benchmarks` writes) give the same docs as hub rows
    from sparkle.data.benchmarks import load_fine_grained

    grouped = [p.as_dict() for p in load_fine_grained(str(PREVIEW))]
    assert (
        subproblem_docs(datasets.Dataset.from_list(grouped)).to_list()
        == subproblem_docs(datasets.Dataset.from_list(rows)).to_list()
    )


def test_each_step_is_graded_against_its_own_answer_through_the_lm_eval_task(tmp_path):
    """The loaded lm-eval task's process_results and chain_success aggregation, on hand-written responses."""
    from lm_eval.tasks import TaskManager

    from sparkle.analysis.benchmark import prepare_benchmark
    from sparkle.eval.runner import REPO_TASKS_DIR

    prepared = prepare_benchmark(str(PREVIEW), tmp_path)
    manager = TaskManager(
        include_path=str(REPO_TASKS_DIR),
        include_defaults=False,
        metadata={"benchmarks_dir": str(prepared.path.parent)},
    )
    task = manager.load(["sparkle_preview_subproblems_local"])["tasks"]["sparkle_preview_subproblems_local"]
    docs = [d for d in task.eval_docs if d["problem_key"] == "amc23/amc23-1"]
    assert [d["subproblem_answer"] for d in docs] == ["8", "48"]  # the problem's answer is 48
    first = task.process_results(docs[0], [[boxed("8"), boxed("48"), boxed("8"), "no answer"]])
    second = task.process_results(docs[1], [[boxed("48"), boxed("48"), boxed("6"), boxed("48.0")]])
    assert first["avg@4"] == 0.5 and second["avg@4"] == 0.75
    assert first["chain_success"] == {"problem": "amc23/amc23-1", "sequence": 1, "total": 2, "correct": [1, 0, 1, 0]}
    assert second["chain_success"]["correct"] == [1, 1, 0, 1]
    aggregate = task.aggregation()["chain_success"]
    # runs: j=0 both right, j=1 first wrong, j=2 second wrong, j=3 first wrong -> 1/4
    assert aggregate([first["chain_success"], second["chain_success"]]) == 0.25
