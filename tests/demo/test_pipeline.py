"""The demo's problem split depends on the base seed alone and keeps held-out and mined problems apart."""

from dataclasses import replace

from sparkle.demo.base import problem_split
from sparkle.demo.settings import FULL, QUICK


def test_the_split_is_the_base_seeds_whatever_the_seed() -> None:
    split = problem_split(FULL)
    assert problem_split(replace(FULL, seed=3)) == split  # other GRPO and sampling seeds, same problems
    other_base = problem_split(replace(FULL, base_seed=1))
    assert other_base.hard_eval != split.hard_eval and other_base.easy_eval != split.easy_eval


def test_quick_runs_pretrain_on_the_full_runs_problems() -> None:
    assert problem_split(QUICK) == problem_split(FULL)  # so `--quick` in CI trains the same base model


def test_the_warm_start_never_sees_a_held_out_or_minable_hard_problem() -> None:
    split = problem_split(FULL)
    held_out = {p.numbers for p in split.hard_eval} | {p.numbers for p in split.hard_pool}
    assert not held_out & {p.numbers for p in split.hard_warm}
    assert len(split.hard_eval) == FULL.hard_eval and len(split.hard_pool) == FULL.hard_pool
    assert {p.numbers for p in split.easy} == {p.numbers for p in split.easy_eval + split.easy_train}
    assert not {p.numbers for p in split.easy_eval} & {p.numbers for p in split.easy_train}
