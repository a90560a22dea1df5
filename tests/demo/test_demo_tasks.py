"""The demo's generated problems: deterministic, correct, in the SPARKLE format, one hint step per level."""

from sparkle.data.split import smart_split_thinking_process
from sparkle.demo.tasks import easy_problems, hard_problems
from sparkle.reward import score_response


def test_generation_is_seeded_and_each_problem_appears_once() -> None:
    assert easy_problems(3) == easy_problems(3) and easy_problems(3) != easy_problems(4)
    assert sorted(p.problem for p in easy_problems(3)) == sorted(p.problem for p in easy_problems(4))
    for family in (easy_problems(0), hard_problems(0)):
        assert len({p.problem for p in family}) == len(family)
    assert (len(easy_problems(0)), len(hard_problems(0))) == (300, 1000)


def test_reference_solutions_earn_full_reward() -> None:
    for problem in easy_problems(0)[:50] + hard_problems(0)[:50]:
        result = score_response(problem.solution, str(problem.answer), "spk_h")
        assert result.score == 2.0, problem
        terms = [int(t) for t in problem.problem.removeprefix("What is ").removesuffix("?").split(" + ")]
        assert sum(terms) == problem.answer


def test_hard_problems_split_into_one_step_per_hint_level() -> None:
    for problem in hard_problems(1)[:30]:
        chunks = smart_split_thinking_process(problem.cot, 2, False)
        assert tuple(chunks) == problem.steps and len(chunks) == 2
        assert problem.steps[0].split(" = ")[1] == problem.steps[1].split(" + ")[0]  # step 2 builds on step 1


def test_ranges() -> None:
    for problem in easy_problems(0):
        a, b = (int(t) for t in problem.problem[8:-1].split(" + "))
        assert 0 <= a <= 29 and 0 <= b <= 9 and len(problem.steps) == 1
    assert all(len(p.steps) == 2 and p.answer <= 27 for p in hard_problems(0))
