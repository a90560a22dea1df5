"""The SPARKLE recipe in miniature, end to end on a CPU, with the same code paths as the GPU recipe.

1. data: generated easy (stage 1) and hard (stage 2) arithmetic problems, held-out sets;
2. model: a tiny Qwen2 and a BPE tokenizer trained on the generated text;
3. warm start: verl's SFT trainer (partial competence);
4. stage 1: `sparkle train stage1 --cpu` (configs/stage_one.yaml + the cpu preset), GRPO, spk_h;
5. conversion of the stage-1 checkpoint (`sparkle convert`);
6. `sparkle data mine-hard`: hard problems the stage-1 model never solves;
7. `sparkle data stage2`: hint-augmented set (one solution step per level) and the learning-signal
   probe (`mine-hard --levels`): share of prompt groups whose rewards are all equal, per hint level;
8. stage 2: `sparkle train stage2 --aug --cpu` from the stage-1 experiment, GRPO, spk_h_aug;
9. evaluation of the warm-start, stage-1 and stage-2 models (avg@k on held-out easy and hard sets)
   and the report (`report.md`, learning curves).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sparkle.checkpoint import convert_checkpoint
from sparkle.cli import main as sparkle
from sparkle.data.mining import mine_hard, probe_signal
from sparkle.data.prompts import plain_prompt
from sparkle.data.sampler import SamplingSettings
from sparkle.data.stage2 import HintConfig
from sparkle.demo import tasks
from sparkle.demo.evaluate import avg_at_k
from sparkle.demo.report import write_report
from sparkle.demo.settings import DemoSettings
from sparkle.demo.warmstart import warm_start
from sparkle.errors import UserError
from sparkle.io import write_text_atomic
from sparkle.tiny_model import build_tiny_model

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


def _grpo_overrides(s: DemoSettings, run: Path, train: Path, val: Path, steps: int) -> list[str]:
    return [
        f"data.train_files={train}",
        f"data.val_files={val}",
        f"data.train_batch_size={s.prompts_per_step}",
        "data.max_prompt_length=512",
        f"data.max_response_length={s.response_length}",
        f"actor_rollout_ref.rollout.n={s.rollouts}",
        f"actor_rollout_ref.actor.ppo_mini_batch_size={s.prompts_per_step}",
        f"actor_rollout_ref.actor.optim.lr={s.lr}",
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


def run_demo(output: Path, s: DemoSettings) -> dict[str, Any]:
    """Run every stage into `output`; return the results written to `output/results.json`."""
    start = time.perf_counter()
    work, data, models = output / "work", output / "data", output / "models"
    for folder in (work, data, models):
        folder.mkdir(parents=True, exist_ok=True)

    _banner(1, "data: generated easy and hard problems")
    easy, hard = tasks.easy_problems(s.seed), tasks.hard_problems(s.seed)
    easy_eval, easy_train = easy[: s.eval_problems], easy[s.eval_problems :][: s.stage1_problems]
    hard_eval, hard_pool = hard[: s.eval_problems], hard[s.eval_problems :][: s.hard_pool]
    easy_sft = tasks.sample_with_replacement(easy_train, s.sft_examples, s.seed)
    _write_jsonl(data / "easy_train.jsonl", easy_train)
    _write_jsonl(data / "easy_val.jsonl", easy_eval[: max(8, s.eval_problems // 4)])
    _write_jsonl(data / "hard_pool.jsonl", hard_pool)

    _banner(2, "model: tiny Qwen2 and a BPE tokenizer trained on the generated text")
    corpus = [plain_prompt(p.problem) + "\n" + p.solution for p in easy_train + hard_pool]
    base = build_tiny_model(
        work / "random_init",
        texts=corpus,
        vocab_size=s.vocab_size,
        hidden_size=s.hidden_size,
        num_layers=s.num_layers,
        num_heads=s.hidden_size // 32,
        num_kv_heads=2,
        intermediate_size=4 * s.hidden_size,
        seed=s.seed,
    )

    _banner(3, f"warm start: verl SFT trainer, {s.sft_steps} steps")
    warm = warm_start(easy_sft, base, work, models / "warmstart", s.sft_steps, s.sft_lr, s.sft_batch)

    _banner(4, f"stage 1: GRPO on easy problems, {s.stage1_steps} steps")
    _run(
        [
            "data",
            "stage1",
            "--source",
            data / "easy_train.jsonl",
            "--val-source",
            data / "easy_val.jsonl",
            "--output",
            data,
            "--name",
            "demo_easy",
            "--val-name",
            "demo_easy_val",
        ]
    )
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
            ),
        ]
    )

    _banner(5, "conversion of the stage-1 checkpoint")
    stage1 = convert_checkpoint(stage1_run, models / "stage1", dtype="fp32", log=None)

    _banner(6, "mine-hard: hard problems the stage-1 model never solves")
    sampling = SamplingSettings(
        n=s.mine_samples, max_new_tokens=s.response_length, temperature=0.6, seed=s.seed, batch_size=16
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
            s.hint_levels,
            "--tokenizer",
            stage1,
            "--max-prompt-length",
            512,
            "--seed",
            s.seed,
        ]
    )
    augmented = data / f"{HintConfig(levels=s.hint_levels).output_stem('sparkle_demo_hard')}.parquet"
    probe = probe_signal(
        str(augmented),
        data,
        model=str(stage1),
        backend="transformers",
        limit=s.probe_problems,
        settings=SamplingSettings(
            n=s.probe_samples, max_new_tokens=s.response_length, temperature=0.6, seed=s.seed, batch_size=16
        ),
    )

    _banner(8, f"stage 2: GRPO on hint-augmented hard problems (spk_h_aug), {s.stage2_steps} steps")
    _write_jsonl(data / "hard_val.jsonl", hard_eval[: max(8, s.eval_problems // 4)])
    _run(
        ["data", "stage1", "--source", data / "hard_val.jsonl", "--no-val", "--output", data, "--name", "demo_hard_val"]
    )
    stage2_run = work / "stage2"
    _run(
        [
            "train",
            "stage2",
            "--aug",
            "--model",
            stage1,
            "--cpu",
            *_grpo_overrides(s, stage2_run, augmented, data / "sparkle_demo_hard_val.parquet", s.stage2_steps),
        ]
    )
    stage2 = convert_checkpoint(stage2_run, models / "stage2", dtype="fp32", log=None)

    _banner(9, "evaluation (avg@k on held-out sets) and report")
    results: dict[str, Any] = {"settings": asdict(s), "eval": {}, "probe": probe["per_level"]}
    for name, model in (("warm-start", warm), ("stage 1", stage1), ("stage 2 (aug)", stage2)):
        results["eval"][name] = {
            "easy": avg_at_k(model, easy_eval, s.eval_samples, s.response_length, s.seed),
            "hard": avg_at_k(model, hard_eval, s.eval_samples, s.response_length, s.seed),
        }
        print(
            f"{name:>14}: easy avg@{s.eval_samples} {results['eval'][name]['easy']:.3f}, "
            f"hard avg@{s.eval_samples} {results['eval'][name]['hard']:.3f}"
        )
    results["mined"] = {"sampled": mined["problems_sampled"], "mined": mined["problems_mined"]}
    results["minutes"] = round((time.perf_counter() - start) / 60, 2)
    write_text_atomic(output / "results.json", json.dumps(results, indent=2))
    write_report(output, results, stage1_run.with_suffix(".metrics.jsonl"), stage2_run.with_suffix(".metrics.jsonl"))
    return results
