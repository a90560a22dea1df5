"""The warm start's pretraining prompts keep a random part of the instruction, and its final loss is read
from verl's console lines, over the last steps only."""

import random
import re

import pytest

from sparkle.data.prompts import INSTRUCTION, plain_prompt
from sparkle.demo.warmstart import FINAL_LOSS_STEPS, final_loss, shortened_prompt
from sparkle.errors import UserError


def _console_line(step: int, loss: float) -> str:
    """A step line as verl's SFT trainer prints it, behind a tqdm bar that shares the line."""
    return (
        f"Epoch 1/4:   1%|          | {step - 1}/200 [00:02<04:00,  1.21s/it]step:{step} - "
        f"perf/cpu_memory_used_gb:2.69 - train/loss:{loss} - train/grad_norm:5.9 - train/lr:0.001"
    )


def test_shortened_prompts_keep_the_problem_and_an_instruction_tail_of_every_length() -> None:
    prompt = plain_prompt("What is 3 + 4 + 1?")
    problem_part = prompt.removeprefix(INSTRUCTION + "\n\n")
    rng = random.Random(0)
    lengths = set()
    for _ in range(2000):
        short = shortened_prompt(prompt, rng)
        assert short.endswith(problem_part)
        kept = short.removesuffix(problem_part).removesuffix("\n\n")
        assert INSTRUCTION.endswith(kept)  # a tail of the instruction, never a middle piece
        lengths.add(len(kept.split()))
    words = len(INSTRUCTION.split())
    assert min(lengths) == 0 and max(lengths) == words  # from the bare problem to the whole prompt
    assert len(lengths) > 0.9 * words  # and most lengths between


def test_final_loss_is_the_mean_of_the_last_steps(tmp_path) -> None:
    losses = [1.0 / step for step in range(1, FINAL_LOSS_STEPS + 31)]
    lines = ["Writing model shards: 100%", "INFO: some trainer banner step: none"]
    lines += [_console_line(step, loss) for step, loss in enumerate(losses, start=1)]
    log = tmp_path / "sft.log"
    log.write_text("\n".join(lines) + "\n")
    tail = losses[-FINAL_LOSS_STEPS:]
    assert final_loss(log) == pytest.approx(sum(tail) / len(tail))
    assert final_loss(log) < sum(losses) / len(losses)  # the early, high losses are left out


def test_a_short_phase_averages_every_step(tmp_path) -> None:
    log = tmp_path / "sft.log"
    log.write_text("\n".join(_console_line(step, loss) for step, loss in ((1, 0.5), (2, 0.25))))
    assert final_loss(log) == pytest.approx(0.375)


def test_a_log_without_steps_is_an_error_that_names_it(tmp_path) -> None:
    log = tmp_path / "sft.log"
    log.write_text("Traceback (most recent call last):\n")
    with pytest.raises(UserError, match=re.escape(str(log))):
        final_loss(log)
