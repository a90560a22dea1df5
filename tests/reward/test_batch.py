"""The process-pool batch scorer: same results as in-process, and a stuck item cannot hang it."""

import time

from sparkle.reward import score_batch, score_response
from sparkle.reward.batch import ScoreItem, timed_out_result


def hang_on_marker(response, gold, mode, extra_info):
    """A scorer that never returns for one item, like a grader stuck in uninterruptible C code."""
    if response == "HANG":
        time.sleep(3600)
    return score_response(response, gold, mode, extra_info)


ITEMS = [
    ScoreItem("<think>a</think><answer>\\boxed{5}</answer>", "5"),
    ScoreItem("\\boxed{6}", "5"),
    ScoreItem("no answer", "5"),
    ScoreItem("more\n</think><answer>\\boxed{1/2}</answer>", "0.5", {"thinking_level": 1}),
] * 10


def test_pool_matches_in_process_scoring_in_order() -> None:
    expected = score_batch(ITEMS, mode="spk_h_aug", workers=0)
    seen: list[int] = []
    got = score_batch(ITEMS, mode="spk_h_aug", workers=2, on_result=seen.append)
    assert got == expected
    assert [r.score for r in got[:4]] == [2.0, -1.0, -1.0, 2.0]
    assert sum(seen) == len(ITEMS)


def test_stuck_item_is_killed_and_recorded_as_timed_out() -> None:
    items = [ScoreItem("\\boxed{1}", "1"), ScoreItem("HANG", "1"), ScoreItem("\\boxed{2}", "1")]
    start = time.perf_counter()
    got = score_batch(items, mode="spk_h", workers=1, item_timeout=2.0, scorer=hang_on_marker)
    assert time.perf_counter() - start < 60
    assert got[0].correct and not got[2].correct
    assert got[1] == timed_out_result("spk_h")
    assert got[1].timed_out and got[1].score == -1.0
