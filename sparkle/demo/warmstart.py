"""Warm start: supervised passes with verl's own SFT trainer, on the CPU backend.

A tiny model trained from scratch only on the long SPARKLE prompt (about 160 tokens, the same for
every problem) takes hundreds of steps before it starts copying the numbers of the question; on
short prompts it learns the procedure several times faster. So the warm start has two phases:

1. **pretraining** (the miniature's base model, `sparkle.demo.base`, shipped for base seed 0): the
   SPARKLE prompts with a random part of the instruction text removed (`shortened_prompt`: from
   ``User: {problem} Assistant:``, or the hinted form ``... Assistant: <think>\\n{hint}\\n``, up to the
   whole prompt), solved by a teacher whose answer boxes are right but who makes carry
   slips too (`pretrain_carry_slip`; so the model has no correct way of carrying that RL could merely revive:
   stage 2 has to teach it). The problem then sits at every position from the start of the text to
   where the full prompt puts it, so what the model learns about where a number is carries over to
   the long prompts of phase 2. Rows without the instruction at all train 35% faster, but then the
   model stopped copying under the instruction (README);
2. **SFT**: the exact prompts of the RL stages (`sparkle.data.prompts`; hints built by
   `sparkle.data.stage2.sparkle_hints`, as `sparkle data stage2` builds them) and the careless
   teacher's solutions (`sparkle.demo.tasks.Teacher`), so the model starts RL with the teacher's
   slips: partial competence with known causes. This phase runs in every demo, drawn by the seed.

Each phase is ``python -m verl.trainer.sft_trainer`` (verl 0.9.1's engine-based SFT trainer) under
torchrun with 2 gloo ranks, FSDP2 and Sparkle's `cpu` platform, on chat rows ``[user, assistant]``,
with a cosine learning-rate schedule; its checkpoint is converted to an HF model with
`sparkle.checkpoint.convert_checkpoint`, and phase 2 starts from phase 1's model.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from sparkle.checkpoint import convert_checkpoint
from sparkle.data.prompts import INSTRUCTION, augmented_prompt, plain_prompt
from sparkle.data.stage2 import sparkle_hints
from sparkle.demo.tasks import HINT_PARAGRAPHS, Problem, Teacher
from sparkle.errors import UserError
from sparkle.train.configs import CPU_ENV

Conversation = list[dict[str, str]]
STEP_METRICS = re.compile(r"step:(\d+) - .*?train/loss:([-\d.e]+)")
"""verl's console logger line for a finished SFT step: its number and loss."""


@dataclass(frozen=True)
class RowMix:
    """Shares of easy, unhinted hard and hinted hard rows in a phase's data."""

    easy: float
    hard: float
    hinted: float


@dataclass(frozen=True)
class SFTSchedule:
    """Steps, learning rate (cosine schedule), global batch and per-rank micro-batch of one phase."""

    steps: int
    lr: float
    batch: int
    micro_batch: int


PRETRAINING_MIX = RowMix(easy=0.3, hard=0.35, hinted=0.35)
SFT_MIX = RowMix(easy=0.4, hard=0.3, hinted=0.3)


def hinted_prompt(problem: Problem, level: int) -> tuple[str, int]:
    """The stage-2 prompt of `problem` at hint `level` and the number of steps its hint holds."""
    hint = sparkle_hints(problem.cot, levels=len(HINT_PARAGRAPHS)).hints[level - 1].text
    return augmented_prompt(problem.problem, hint), len(hint.splitlines())


def shortened_prompt(prompt: str, rng: random.Random) -> str:
    """A SPARKLE prompt that keeps only the last k words of its instruction, k uniform from none to all,
    so the pretraining phase meets the problem at every position from the start of the text to where
    the full prompt puts it."""
    words = INSTRUCTION.split(" ")
    kept = rng.randint(0, len(words))
    body = without_instruction(prompt)
    return " ".join(words[len(words) - kept :]) + "\n\n" + body if kept else body


def without_instruction(prompt: str) -> str:
    """A SPARKLE prompt minus its instruction text: ``User: ... Assistant:[ <think>\\n{hint}\\n]``."""
    return prompt.removeprefix(INSTRUCTION + "\n\n")


def conversations(
    easy: list[Problem],
    hard: list[Problem],
    count: int,
    mix: RowMix,
    teacher: Teacher,
    short_prompts: bool,
    rng: random.Random,
) -> list[Conversation]:
    """`count` chat rows drawn with replacement, solved by `teacher`."""
    rows = []
    for _ in range(count):
        draw = rng.random() * (mix.easy + mix.hard + mix.hinted)
        problem = rng.choice(easy if draw < mix.easy else hard)
        given = 0
        if draw < mix.easy + mix.hard:
            prompt = plain_prompt(problem.problem)
        else:
            prompt, given = hinted_prompt(problem, rng.randint(1, len(HINT_PARAGRAPHS)))
        if short_prompts:
            prompt = shortened_prompt(prompt, rng)
        answer = teacher.solution(problem, rng, given)
        rows.append([{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}])
    return rows


def write_sft_data(rows: list[Conversation], path: Path) -> Path:
    """The rows in verl's SFT `messages` format."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"messages": rows}).to_parquet(path)
    return path


def sft_command(data: Path, model: Path, checkpoints: Path, schedule: SFTSchedule) -> list[str]:
    """The torchrun command for verl's SFT trainer on 2 CPU ranks."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nnodes=1",
        "--nproc_per_node=2",
        "-m",
        "verl.trainer.sft_trainer",
        f"data.train_files={data}",
        "data.val_files=null",
        f"data.train_batch_size={schedule.batch}",
        f"data.micro_batch_size_per_gpu={schedule.micro_batch}",
        "data.max_length=512",
        "data.use_dynamic_bsz=false",
        "data.num_workers=0",
        f"model.path={model}",
        "+model.override_config.attn_implementation=eager",
        "model.use_remove_padding=false",
        "model.enable_gradient_checkpointing=false",
        "engine.strategy=fsdp2",
        # fp32 compute, as in the cpu preset (bf16 matmuls are ~40x slower on CPUs without bf16 units)
        "+engine.mixed_precision={param_dtype:fp32,reduce_dtype:fp32,buffer_dtype:fp32}",
        f"optim.lr={schedule.lr}",
        "optim.lr_scheduler_type=cosine",
        f"trainer.total_training_steps={schedule.steps}",
        "trainer.logger=[console]",
        f"trainer.default_local_dir={checkpoints}",
        f"trainer.save_freq={schedule.steps}",
        "trainer.device=cpu",
    ]


FINAL_LOSS_STEPS = 50
"""A phase's final loss is the mean over this many last steps (one step's loss is noisy)."""


def final_loss(log: Path) -> float:
    """Mean training loss of the last `FINAL_LOSS_STEPS` steps of an SFT phase, from verl's console lines in `log`.

    How well the warm start learned the task shows here first: with the same settings, on one machine,
    the pretraining phase ended at 0.047-0.084 on seeds 0-4, and at 0.149 on seed 1 with its rows drawn
    in another order (README, "The CPU miniature")."""
    losses = [float(m.group(2)) for m in map(STEP_METRICS.search, log.read_text().splitlines()) if m]
    if not losses:
        raise UserError(f"no training step in {log}")
    last = losses[-FINAL_LOSS_STEPS:]
    return sum(last) / len(last)


def describe_losses(losses: dict[str, float]) -> str:
    """One line naming each phase's final loss, for the console and the report."""
    phases = ", ".join(f"{phase} {loss:.3f}" for phase, loss in losses.items())
    return f"final training loss (mean of the last {FINAL_LOSS_STEPS} steps): {phases}"


def sft_phase(rows: list[Conversation], model: Path, work: Path, output: Path, schedule: SFTSchedule) -> Path:
    """Fine-tune `model` on `rows` (`schedule.steps` batches of them); write the HF result to `output`.

    The trainer's output goes to work/sft.log; a progress bar follows its step and loss lines."""
    data = write_sft_data(rows, work / "sft.parquet")
    checkpoints = work / "checkpoints"
    log = work / "sft.log"
    command = sft_command(data, model, checkpoints, schedule)
    with log.open("w") as handle, tqdm(total=schedule.steps, desc=f"SFT {output.name}", unit="step") as bar:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env={**os.environ, **CPU_ENV}
        )
        assert process.stdout is not None
        for line in process.stdout:  # text mode splits tqdm's carriage returns into lines too
            handle.write(line)
            if metrics := STEP_METRICS.search(line):
                bar.update(int(metrics.group(1)) - bar.n)
                bar.set_postfix(loss=f"{float(metrics.group(2)):.3f}")
        status = process.wait()
    if status != 0:
        raise UserError(f"verl's SFT trainer failed with status {status}; see {log}")
    step = checkpoints / f"global_step_{schedule.steps}"
    return convert_checkpoint(step, output, dtype="fp32", base_model=model, log=None)
