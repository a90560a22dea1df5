"""The miniature's base model: a tiny Qwen2 pretrained on generated text, shipped with the package.

The real recipe starts from Qwen2.5-Math-7B, which it downloads. The miniature's stand-in is a tiny Qwen2
(`sparkle.tiny_model`) with a BPE tokenizer trained on the generated text, pretrained by verl's SFT trainer
on generated problems (`pretrain_base`). Everything about it is drawn by the base seed: the problem split,
the tokenizer, the initialisation and the pretraining rows.

Pretraining is the slow part of the miniature: the model has to learn where each day's number of a hard
problem sits in the question, which took 1400 steps of 16 rows, 10.5 min on 2 cores (after 700 it had
learned it for some days only; README, "The CPU miniature"). So the package ships the result for base
seed 0 (`base_model/`, 3.2 MB) with the recipe that made it (`base_model/pretraining.json`), and the
demo uses it whenever its own settings give the same recipe (`shipped_base`); for another base seed,
other pretraining settings or ``sparkle demo --fresh-base`` it runs the phase, which writes the same
files to ``work/pretrained``. Copying that folder to ``sparkle/demo/base_model/`` updates the shipped base.
On one machine the phase is deterministic (a full run repeated it bit for bit); other CPUs may round
differently.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sparkle.data.prompts import plain_prompt
from sparkle.demo import tasks
from sparkle.demo.settings import DemoSettings
from sparkle.demo.warmstart import PRETRAINING_MIX, SFTSchedule, conversations, final_loss, sft_phase
from sparkle.io import write_text_atomic
from sparkle.tiny_model import build_tiny_model

SHIPPED_BASE = Path(__file__).with_name("base_model")
RECIPE_FILE = "pretraining.json"
"""The recipe and final loss of a pretrained base, next to its weights."""


def random_demo_model(directory: Path, s: DemoSettings, problems: list[tasks.Problem]) -> Path:
    """A random tiny Qwen2 whose tokenizer is trained on the SPARKLE prompts and solutions of `problems`."""
    return build_tiny_model(
        directory,
        texts=[plain_prompt(p.problem) + "\n" + p.solution for p in problems],
        vocab_size=s.vocab_size,
        hidden_size=s.hidden_size,
        num_layers=s.num_layers,
        num_heads=s.hidden_size // 32,
        num_kv_heads=2,
        intermediate_size=4 * s.hidden_size,
        seed=s.base_seed,
    )


@dataclass(frozen=True)
class ProblemSplit:
    """A run's generated problems by use: every easy one (the warm start sees every easy fact), held-out easy
    and hard sets, easy problems for stage 1, the hard pool to mine and the hard problems of the warm start."""

    easy: list[tasks.Problem]
    easy_eval: list[tasks.Problem]
    easy_train: list[tasks.Problem]
    hard_eval: list[tasks.Problem]
    hard_pool: list[tasks.Problem]
    hard_warm: list[tasks.Problem]


def problem_split(s: DemoSettings) -> ProblemSplit:
    """The problems of `s.base_seed` (`sparkle.demo.tasks`, shuffled by seed), cut into consecutive slices.

    The split depends on the base seed alone, so runs of one base with different seeds evaluate on the same
    held-out problems, and the pretraining phase never sees any run's held-out or to-be-mined hard problems."""
    easy, hard = tasks.easy_problems(s.base_seed), tasks.hard_problems(s.base_seed)
    rest = hard[s.hard_eval :]
    return ProblemSplit(
        easy=easy,
        easy_eval=easy[: s.easy_eval],
        easy_train=easy[s.easy_eval :],
        hard_eval=hard[: s.hard_eval],
        hard_pool=rest[: s.hard_pool],
        hard_warm=rest[s.hard_pool :],
    )


def pretraining_recipe(s: DemoSettings) -> dict[str, Any]:
    """What decides the pretraining phase's result: the base seed, the model's shape, the split sizes (the
    pretraining rows come from what the held-out and mined sets leave), the phase's schedule, the teacher's
    carry slips, the row mix, and the first problem of each family with its solution (so that a change of
    the problems' text changes the recipe)."""
    examples = [tasks.easy_problems(s.base_seed)[0].record(), tasks.hard_problems(s.base_seed)[0].record()]
    return {
        "base_seed": s.base_seed,
        "hidden_size": s.hidden_size,
        "num_layers": s.num_layers,
        "vocab_size": s.vocab_size,
        "easy_eval": s.easy_eval,
        "hard_eval": s.hard_eval,
        "hard_pool": s.hard_pool,
        "pretrain_steps": s.pretrain_steps,
        "pretrain_batch": s.pretrain_batch,
        "pretrain_lr": s.pretrain_lr,
        "carry_slip": s.pretrain_carry_slip,
        "carry_error": s.carry_error,
        "row_mix": asdict(PRETRAINING_MIX),
        "examples": examples,
    }


def read_pretraining(model: Path) -> dict[str, Any] | None:
    """The recipe and final loss stored with a pretrained base, or None if it has none."""
    path = model / RECIPE_FILE
    return json.loads(path.read_text()) if path.is_file() else None


def shipped_base(s: DemoSettings) -> Path | None:
    """The shipped base model if `s` gives the recipe it was pretrained with, else None."""
    stored = read_pretraining(SHIPPED_BASE)
    return SHIPPED_BASE if stored is not None and stored["recipe"] == pretraining_recipe(s) else None


def pretrain_base(work: Path, s: DemoSettings, split: ProblemSplit) -> Path:
    """A random tiny model (`random_demo_model`) after `s.pretrain_steps` steps of verl's SFT trainer on rows
    of the generated problems; written to work/pretrained with its recipe and final loss. With no pretraining
    steps, the random model itself (work/random_init, no recipe).

    The rows (`sparkle.demo.warmstart.conversations`) keep a random part of the SPARKLE instruction and are
    solved by a teacher whose answer boxes are right but whose carries slip (`s.pretrain_carry_slip`), so the
    model has no correct way of carrying that RL could merely revive."""
    base = random_demo_model(work / "random_init", s, [*split.easy, *split.hard_warm[:600]])
    if not s.pretrain_steps:
        return base
    teacher = tasks.Teacher(answer_slip=0.0, carry_slip=s.pretrain_carry_slip, carry_error=s.carry_error)
    rng = random.Random(f"warm-{s.base_seed}")
    rows = conversations(
        split.easy, split.hard_warm, s.pretrain_steps * s.pretrain_batch, PRETRAINING_MIX, teacher, True, rng
    )
    schedule = SFTSchedule(s.pretrain_steps, s.pretrain_lr, s.pretrain_batch, s.pretrain_batch // 2)
    pretrained = sft_phase(rows, base, work / "pretrain", work / "pretrained", schedule)
    stored = {"recipe": pretraining_recipe(s), "final_loss": round(final_loss(work / "pretrain" / "sft.log"), 4)}
    write_text_atomic(pretrained / RECIPE_FILE, json.dumps(stored, indent=2) + "\n")
    return pretrained
