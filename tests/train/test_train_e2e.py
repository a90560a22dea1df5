"""End to end on CPU with the real verl 0.9.1 trainer, Ray and Sparkle's plugin (no hub, no mocks):
stage 1 for 2 GRPO steps on 2 gloo ranks with a checkpoint at an epoch boundary, a resumed third
step, then stage 2 (hint-augmented data, spk_h_aug) for 1 step from the converted stage-1 result."""

from __future__ import annotations

import json
import statistics
from collections import defaultdict
from pathlib import Path

import pytest

from sparkle.cli import main

pytestmark = pytest.mark.slow
RECORDER = Path(__file__).with_name("recording_reward.py")


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _metrics(path: Path) -> dict[int, dict]:
    return {row["step"]: row["data"] for row in _jsonl(path)}


def _common(tmp: Path, run: str, data: Path, rows: str) -> list[str]:
    return [
        f"data.train_files={data / rows}",
        f"data.val_files={data / 'sparkle_aime2024.parquet'}",
        "data.train_batch_size=4",
        "data.max_prompt_length=1024",
        "data.max_response_length=16",
        "actor_rollout_ref.rollout.n=4",
        "actor_rollout_ref.actor.ppo_mini_batch_size=4",
        "actor_rollout_ref.actor.optim.lr=1e-3",
        "trainer.val_before_train=false",
        "trainer.test_freq=-1",
        "trainer.logger=[console,file]",
        f"+ray_kwargs.ray_init.runtime_env.env_vars.VERL_FILE_LOGGER_PATH={tmp / f'{run}.metrics.jsonl'}",
        f"reward.custom_reward_function.path={RECORDER}",
        f"+reward.custom_reward_function.reward_kwargs.record_to={tmp / f'{run}.rewards.jsonl'}",
    ]


def _rollout_batches(records: list[dict]) -> list[list[dict]]:
    """Reward calls grouped by rollout batch, in training order (verl stamps each call's extra_info
    with the trainer's step counter at rollout time)."""
    by_step = defaultdict(list)
    for record in records:
        by_step[record["extra_info"]["global_steps"]].append(record)
    return [by_step[key] for key in sorted(by_step)]


def _expected_advantage_range(batch: list[dict]) -> tuple[float, float]:
    """GRPO advantages recomputed from the recorded scores: (r - mean) / (unbiased std + 1e-6) per group."""
    groups = defaultdict(list)
    for record in batch:
        groups[record["extra_info"]["index"]].append(record["score"])
    advantages = []
    for scores in groups.values():
        mean, std = statistics.fmean(scores), statistics.stdev(scores)
        advantages += [(s - mean) / (std + 1e-6) for s in scores]
    return min(advantages), max(advantages)


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_model_dir, samples):
    tmp = tmp_path_factory.mktemp("train")
    data = tmp / "data"
    problems = (samples / "dsr40k.jsonl").read_text().splitlines()[:8]  # 8 rows / batch 4 = 2 steps per epoch
    (tmp / "dsr8.jsonl").write_text("\n".join(problems) + "\n")
    assert (
        main(
            [
                "data",
                "stage1",
                "--source",
                str(tmp / "dsr8.jsonl"),
                "--val-source",
                str(samples / "benchmarks" / "aime2024.jsonl"),
                "--output",
                str(data),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "data",
                "stage2",
                "--source",
                str(samples / "hardmath.jsonl"),
                "--output",
                str(data),
                "--tokenizer",
                str(tiny_model_dir),
                "--max-prompt-length",
                "1024",
            ]
        )
        == 0
    )
    exp = tmp / "stage1"
    stage1 = ["train", "stage1", "--model", str(tiny_model_dir), "--cpu"]
    common = [f"trainer.default_local_dir={exp}", "trainer.save_freq=2"]
    assert (
        main(
            [*stage1, *_common(tmp, "first", data, "sparkle_dsr40k.parquet"), *common, "trainer.total_training_steps=2"]
        )
        == 0
    )
    step2 = sorted(p.name for p in (exp / "global_step_2" / "actor").iterdir())
    assert (
        main(
            [
                *stage1,
                *_common(tmp, "resumed", data, "sparkle_dsr40k.parquet"),
                *common,
                "trainer.total_training_steps=3",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "train",
                "stage2",
                "--aug",
                "--model",
                str(exp),
                "--cpu",
                *_common(tmp, "stage2", data, "sparkle_hardmath_aug_all_train.parquet"),
                f"trainer.default_local_dir={tmp / 'stage2'}",
                "trainer.total_training_steps=1",
            ]
        )
        == 0
    )
    return tmp, exp, step2


def test_checkpoints_have_verls_layout(runs) -> None:
    _, exp, step2 = runs
    assert (exp / "latest_checkpointed_iteration.txt").read_text().strip() == "3"
    for rank in (0, 1):
        for kind in ("model", "optim", "extra_state"):
            assert f"{kind}_world_size_2_rank_{rank}.pt" in step2
    assert "fsdp_config.json" in step2 and "huggingface" in step2
    assert (exp / "global_step_2" / "data.pt").is_file()
    assert (exp / "global_step_3" / "actor" / "model_world_size_2_rank_1.pt").is_file()


def test_resume_continued_from_the_epoch_boundary_checkpoint(runs) -> None:
    tmp, _, _ = runs
    assert sorted(_metrics(tmp / "first.metrics.jsonl")) == [1, 2]
    resumed = _metrics(tmp / "resumed.metrics.jsonl")
    assert sorted(resumed) == [3]  # step 2 ended epoch 1; the resumed run trained step 3, in epoch 2
    batches = _rollout_batches(_jsonl(tmp / "resumed.rewards.jsonl"))
    assert [len(batch) for batch in batches] == [16]  # one rollout batch: 4 prompts x 4 samples


def test_rollout_samples_the_synced_weights(runs) -> None:
    tmp, _, _ = runs
    metrics = {**_metrics(tmp / "first.metrics.jsonl"), **_metrics(tmp / "resumed.metrics.jsonl")}
    assert metrics[2]["actor/kl_loss"] > 0  # the step-1 update moved the policy away from the reference
    for step in (2, 3):  # after updates, rollout log-probs still match the actor's recomputation
        assert metrics[step]["training/rollout_probs_diff_valid"] == 1
        assert metrics[step]["training/rollout_probs_diff_max"] < 1e-3


def test_advantages_are_group_normalised(runs) -> None:
    tmp, _, _ = runs
    records = _jsonl(tmp / "first.rewards.jsonl")
    metrics = _metrics(tmp / "first.metrics.jsonl")
    batches = _rollout_batches(records)
    assert [len(batch) for batch in batches] == [16, 16]
    for step, batch in zip((1, 2), batches, strict=True):
        low, high = _expected_advantage_range(batch)
        assert high > 0.1  # the probe gave groups variance
        assert metrics[step]["critic/advantages/min"] == pytest.approx(low, abs=1e-3)
        assert metrics[step]["critic/advantages/max"] == pytest.approx(high, abs=1e-3)
    assert all(r["mode"] == "spk_h" for r in records)


def test_stage_two_reward_received_the_hint_levels(runs) -> None:
    tmp, exp, _ = runs
    assert (exp / "hf_global_step_3" / "config.json").is_file()  # the stage-1 result, converted
    records = _jsonl(tmp / "stage2.rewards.jsonl")
    assert records and all(r["mode"] == "spk_h_aug" for r in records)
    levels = [r["extra_info"]["thinking_level"] for r in records]
    assert all(isinstance(level, int) for level in levels)
    assert any(level > 0 for level in levels)
    assert all(r["extra_info"]["augmented"] == (r["extra_info"]["thinking_level"] > 0) for r in records)
    assert sorted(_metrics(tmp / "stage2.metrics.jsonl")) == [1]
