"""The demo's generated problems and careless teacher: seeded, correct, in the SPARKLE format, and
split by SPARKLE's own hint code into the intended levels."""

import itertools
import random
import re

from sparkle.data.stage2 import sparkle_hints
from sparkle.demo.tasks import (
    DAYS,
    HARD_STEPS,
    HINT_PARAGRAPHS,
    STEP_LINE,
    Problem,
    Teacher,
    easy_problems,
    hard_problems,
)
from sparkle.demo.warmstart import hinted_prompt, without_instruction
from sparkle.reward import score_response


def _boxed(text: str) -> int:
    return int(re.search(r"\\boxed\{(\d+)\}", text).group(1))


def _step_lines(text: str) -> list[tuple[int, int, int]]:
    return [tuple(map(int, m)) for m in re.findall(r"^(?:\w+: )?(\d+) \+ (\d+) = (\d+)$", text, flags=re.MULTILINE)]


def test_families_are_seeded_disjoint_orders_of_every_problem() -> None:
    assert easy_problems(3) == easy_problems(3) and easy_problems(3) != easy_problems(4)
    assert set(easy_problems(3)) == set(easy_problems(4))
    for family in (easy_problems(0), hard_problems(0)):
        assert len(set(family)) == len(family)
    assert (len(easy_problems(0)), len(hard_problems(0))) == (9 * 9, 9 * 4**HARD_STEPS)
    assert {len(p.numbers) for p in easy_problems(0)} == {2}
    assert {len(p.numbers) for p in hard_problems(0)} == {HARD_STEPS + 1}


def test_reference_solutions_earn_full_reward_and_add_up() -> None:
    for problem in easy_problems(0)[:40] + hard_problems(0)[:40]:
        assert score_response(problem.solution, str(problem.answer), "spk_h").score == 2.0, problem
        assert sum(int(t) for t in re.findall(r"\d+", problem.problem)) == problem.answer
        lines = _step_lines(problem.solution)
        assert all(a + b == c for a, b, c in lines) and lines[-1][2] == problem.answer
        assert all(lines[i][2] == lines[i + 1][0] for i in range(len(lines) - 1))  # each step builds on the last


def test_each_hard_step_names_the_day_that_keys_its_number_in_the_question() -> None:
    for problem in hard_problems(2)[:30]:
        for step, (day, number) in enumerate(zip(DAYS, problem.numbers[1:], strict=True)):
            assert f"\n{day} {number}\n" in problem.problem  # the key, then its number
            assert problem.steps[step].startswith(f"{day}: ") and f" + {number} = " in problem.steps[step]
        assert problem.problem.startswith(f"Sam has {problem.numbers[0]} coins")
    assert easy_problems(0)[0].steps[0][0].isdigit()  # one step needs no key


def test_hint_levels_hold_the_paragraphs_cumulatively() -> None:
    for problem in hard_problems(1)[:30]:
        hints = sparkle_hints(problem.cot, levels=len(HINT_PARAGRAPHS)).hints
        counts = [len(h.text.splitlines()) for h in hints]
        assert counts == [sum(HINT_PARAGRAPHS[: i + 1]) for i in range(len(HINT_PARAGRAPHS))]
        assert hints[-1].text.splitlines() == list(problem.steps)
        prompt, given = hinted_prompt(problem, 2)
        assert given == counts[1] and prompt.endswith(hints[1].text + "\n") and "<think>" in prompt
        assert without_instruction(prompt).startswith("User: " + problem.problem)


def test_careful_teacher_is_always_right_and_hinted_continuations_resume_the_trace() -> None:
    careful, rng = Teacher(answer_slip=0.0, carry_slip=0.0), random.Random(0)
    problem = Problem((7, 3, 1, 4, 2, 2))
    assert careful.solution(problem, rng) == problem.solution
    continuation = careful.solution(problem, rng, given=3)
    assert not continuation.startswith("<think>")
    assert STEP_LINE.findall(continuation) == list(problem.steps[3:])
    assert score_response("<think>\n" + continuation, str(problem.answer), "spk_h").correct


def test_slips_happen_at_their_rates_and_never_repair_an_answer() -> None:
    rng, n = random.Random(1), 3000
    answer_only = Teacher(answer_slip=0.5, carry_slip=0.0)
    easy = easy_problems(0)
    boxed_right = sum(_boxed(answer_only.solution(p, rng)) == p.answer for p in easy * (n // len(easy)))
    assert abs(boxed_right / n - 0.5) < 0.05
    carry_only = Teacher(answer_slip=0.0, carry_slip=0.5)
    assert all(carry_only.solution(p, rng) == p.solution for p in easy)  # one-step traces have no carry
    hard = hard_problems(0)[:n]
    right = 0
    for problem in hard:
        text = carry_only.solution(problem, rng)
        assert all(a + b == c for a, b, c in _step_lines(text))  # each addition itself is correct
        assert _boxed(text) >= problem.answer  # slips only add
        right += _boxed(text) == problem.answer
    carries = HARD_STEPS - 1  # every step but the first starts from a carried total
    assert abs(right / n - 0.5**carries) < 0.01  # each carry kept right with probability 0.5


def test_the_answer_slip_boxes_the_total_before_the_last_step_of_the_written_chain() -> None:
    rng = random.Random(3)
    for carry_slip in (0.0, 1.0):
        forgets_last_step = Teacher(answer_slip=1.0, carry_slip=carry_slip, carry_error=10)
        for problem in [*easy_problems(0)[:20], *hard_problems(0)[:50]]:
            text = forgets_last_step.solution(problem, rng)
            assert _boxed(text) == _step_lines(text)[-1][0]  # the last line's first term, not a question number
    for given in (HARD_STEPS - 1, HARD_STEPS):  # a hinted continuation: the last step may be in the hint
        problem = hard_problems(0)[0]
        text = Teacher(answer_slip=1.0, carry_slip=0.0).solution(problem, rng, given)
        assert _boxed(text) == problem.answer - problem.numbers[-1]


def test_a_slipped_carry_is_too_high_by_the_carry_error() -> None:
    problem = Problem((7, 3, 1, 4, 2, 2))
    for error in (1, 2):
        always_slips = Teacher(answer_slip=0.0, carry_slip=1.0, carry_error=error)
        lines = _step_lines(always_slips.solution(problem, random.Random(0)))
        assert [a - previous_sum for (_, _, previous_sum), (a, _, _) in itertools.pairwise(lines)] == [error] * 4
        assert lines[-1][2] == problem.answer + 4 * error


def test_steps_are_right_only_for_the_correct_steps_even_when_the_answer_is_right() -> None:
    problem = Problem((7, 3, 1, 4, 2, 2))
    assert problem.steps_are_right(problem.solution)
    slipped = Teacher(answer_slip=0.0, carry_slip=1.0).solution(problem, random.Random(0))
    assert not problem.steps_are_right(slipped)
    # a carry slip (+1) cancelled by a wrong sum (-1): the reward accepts it, the step check does not
    cancelled = problem.solution.replace("10 + 1 = 11", "11 + 1 = 11")
    assert cancelled != problem.solution and score_response(cancelled, str(problem.answer), "spk_h").correct
    assert not problem.steps_are_right(cancelled)
    assert not problem.steps_are_right(problem.solution.replace("11 + 4 = 15\n", ""))
