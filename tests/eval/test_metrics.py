"""pass@k against enumeration, maj@k grouping and tie-breaking, and the per-problem metric set."""

from __future__ import annotations

import pytest
from eval_helpers import brute_force_pass_at_k, reference_majority
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle.eval.metrics import (
    answer_groups,
    majority_vote,
    metric_ks,
    metric_names,
    pass_at_k,
    problem_metrics,
    same_answer,
)


def test_pass_at_k_equals_enumeration_of_all_subsets():
    for n in range(1, 9):
        for c in range(n + 1):
            correct = [True] * c + [False] * (n - c)
            for k in range(1, n + 1):
                assert pass_at_k(n, c, k) == pytest.approx(brute_force_pass_at_k(correct, k), abs=1e-12), (n, c, k)


def test_pass_at_k_known_values_and_pass_at_1_is_the_mean():
    assert pass_at_k(8, 1, 1) == 0.125
    assert pass_at_k(8, 1, 8) == 1.0
    assert pass_at_k(8, 0, 8) == 0.0
    assert pass_at_k(8, 2, 2) == pytest.approx(1 - 15 / 28)  # 1 - C(6,2)/C(8,2)
    assert pass_at_k(16, 3, 1) == pytest.approx(3 / 16)
    # large n stays exact enough (no factorial overflow)
    assert pass_at_k(128, 1, 64) == pytest.approx(0.5)


@pytest.mark.parametrize(("n", "c", "k"), [(4, 5, 1), (4, -1, 1), (4, 2, 0), (4, 2, 5)])
def test_pass_at_k_rejects_impossible_counts(n, c, k):
    with pytest.raises(ValueError):
        pass_at_k(n, c, k)


def test_metric_ks():
    assert metric_ks(8) == (1, 2, 4, 8)
    assert metric_ks(6) == (1, 2, 4, 6)
    assert metric_ks(1) == (1,)
    assert metric_names(4) == ("avg@4", "pass@1", "pass@2", "pass@4", "maj@1", "maj@2", "maj@4")
    with pytest.raises(ValueError):
        metric_ks(0)


def test_equivalent_spellings_vote_together():
    preds = ["6", "4", "4.0", "\\frac{8}{2}", "6", "6"]
    groups = answer_groups(preds, same_answer)
    assert groups == [0, 1, 1, 1, 0, 0]
    # 4 has three votes among the first four samples; as strings it would lose to nothing but tie with 6
    assert majority_vote(groups, [False, True, True, True, False, False], 4).winner == 1
    # over all six samples, 6 and 4 tie at three votes: the group seen first (6, sample 0) wins
    vote = majority_vote(groups, [False, True, True, True, False, False], 6)
    assert (vote.winner, vote.votes, vote.correct) == (0, 3, False)


def test_ties_go_to_the_answer_seen_first():
    accs = [False, True, True, False]
    groups = answer_groups(["3", "7", "7", "3"], same_answer)
    assert majority_vote(groups, accs, 4).winner == 0  # 3 and 7 both have 2 votes; 3 came first
    assert majority_vote(groups, accs, 3).winner == 1  # 7 leads 2 to 1
    assert majority_vote(groups, accs, 1).correct is False


def test_missing_answers_cast_no_vote_and_keep_the_window_by_sample():
    # gold 7: the first four samples are [none, none, 7, 3]: one vote each, 7 came first and wins.
    # The original compacted the answers to [7, 3, 3] before taking four, so 3 won (§9.3).
    preds = [None, None, "7", "3", "3"]
    accs = [False, False, True, False, False]
    metrics = problem_metrics(accs, preds)
    assert "maj@4" in metrics
    assert majority_vote(answer_groups(preds, same_answer), accs, 4).correct is True
    assert majority_vote(answer_groups(preds, same_answer), accs, 2).winner is None


def test_no_answers_at_all_score_zero():
    metrics = problem_metrics([False] * 8, [None] * 8)
    assert set(metrics) == set(metric_names(8))
    assert all(v == 0.0 for v in metrics.values())


def test_problem_metrics_of_a_known_problem():
    preds = ["5", "4", None, "5", "4", "4", "5", "1"]
    accs = [p == "4" for p in preds]
    metrics = problem_metrics(accs, preds)
    assert metrics["avg@8"] == metrics["pass@1"] == 3 / 8
    assert metrics["pass@2"] == pytest.approx(1 - 10 / 28)  # C(5,2)/C(8,2)
    assert metrics["pass@8"] == 1.0
    assert metrics["maj@1"] == 0.0  # "5"
    assert metrics["maj@2"] == 0.0  # 5 vs 4 tie, 5 first
    assert metrics["maj@4"] == 0.0  # 5 has two votes, 4 one
    assert metrics["maj@8"] == 0.0  # 5 and 4 tie at three; 5 came first


def test_problem_metrics_rejects_mismatched_inputs():
    with pytest.raises(ValueError):
        problem_metrics([True], ["1", "2"])
    with pytest.raises(ValueError):
        problem_metrics([], [])


ANSWERS = st.sampled_from([None, "4", "4.0", "\\frac{8}{2}", "5", "0.5", "\\frac{1}{2}", "x+1", "1+x"])


@settings(max_examples=150, deadline=None)
@given(st.lists(ANSWERS, min_size=1, max_size=10), st.sampled_from(["4", "0.5", "x+1", "7"]))
def test_metrics_match_a_plain_reimplementation(preds, gold):
    """problem_metrics vs enumeration for pass@k and a written-out vote, on answers with equivalent spellings."""
    accs = [p is not None and same_answer(p, gold) for p in preds]
    metrics = problem_metrics(accs, preds)
    n = len(preds)
    for k in metric_ks(n):
        assert metrics[f"pass@{k}"] == pytest.approx(brute_force_pass_at_k(accs, k), abs=1e-12)
        assert metrics[f"maj@{k}"] == reference_majority(preds, accs, k, same_answer)
    assert metrics[f"avg@{n}"] == pytest.approx(sum(accs) / n)
