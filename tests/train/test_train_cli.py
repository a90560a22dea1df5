"""`sparkle train` checks its inputs before launching and builds verl's own command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sparkle.cli import main
from sparkle.train.resume import ResumePoint, describe, resume_point


@pytest.fixture(scope="module")
def data(tmp_path_factory, samples) -> Path:
    out = tmp_path_factory.mktemp("data")
    assert (
        main(
            [
                "data",
                "stage1",
                "--source",
                str(samples / "dsr40k.jsonl"),
                "--val-source",
                str(samples / "benchmarks" / "aime2024.jsonl"),
                "--output",
                str(out),
            ]
        )
        == 0
    )
    return out


def _train(model, data, *extra: str) -> list[str]:
    return [
        "train",
        "stage1",
        "--model",
        str(model),
        "--cpu",
        "--dry-run",
        f"data.train_files={data / 'sparkle_dsr40k.parquet'}",
        f"data.val_files={data / 'sparkle_aime2024.parquet'}",
        *extra,
    ]


def test_dry_run_prints_verls_command_with_the_cpu_preset(tiny_model_dir, data, capsys) -> None:
    assert main(_train(tiny_model_dir, data, "trainer.total_training_steps=3")) == 0
    command = capsys.readouterr().out.strip().splitlines()[-1]
    assert "VERL_PLATFORM=cpu" in command and "-m verl.trainer.main_ppo" in command
    assert "--config-name stage_one +preset=cpu" in command
    assert command.endswith("trainer.total_training_steps=3")


def test_prompt_longer_than_max_prompt_length_is_caught(tiny_model_dir, data, capsys) -> None:
    assert main(_train(tiny_model_dir, data, "data.max_prompt_length=32")) == 2
    err = capsys.readouterr().err
    assert "sparkle_dsr40k.parquet: the longest prompt has" in err and "data.max_prompt_length=32" in err


def test_group_filtering_is_refused_with_the_cpu_replay_buffer(tiny_model_dir, data, capsys) -> None:
    assert main(_train(tiny_model_dir, data, "algorithm.filter_groups.enable=true")) == 2
    err = capsys.readouterr().err
    assert "algorithm.filter_groups.enable=true" in err and "sparkle.engine.replay" in err


def test_sequence_longer_than_the_models_positions_is_caught(tiny_model_dir, data, tmp_path, capsys) -> None:
    model = tmp_path / "short"
    shutil.copytree(tiny_model_dir, model)
    config = json.loads((model / "config.json").read_text())
    config["max_position_embeddings"] = 1024
    (model / "config.json").write_text(json.dumps(config))
    assert main(_train(model, data, "data.max_response_length=3000", "--skip-prompt-check")) == 2
    assert "exceeds the model's max_position_embeddings=1024" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("remove", "message"), [("config.json", "has no config.json"), ("tokenizer.json", "has no tokenizer files")]
)
def test_model_directory_must_hold_config_and_tokenizer(tiny_model_dir, data, tmp_path, capsys, remove, message):
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    (model / remove).unlink()
    (model / "tokenizer_config.json").unlink(missing_ok=remove != "tokenizer.json")
    assert main(_train(model, data)) == 2
    assert message in capsys.readouterr().err


def test_missing_data_file_is_named(tiny_model_dir, tmp_path, capsys) -> None:
    assert main(_train(tiny_model_dir, tmp_path)) == 2
    assert f"data.train_files: {tmp_path / 'sparkle_dsr40k.parquet'} does not exist" in capsys.readouterr().err


def test_stage_one_refuses_variants_and_experiment_dirs(tiny_model_dir, data, tmp_path, capsys) -> None:
    assert main(["train", "stage1", "--aug", "--model", str(tiny_model_dir), "--dry-run"]) == 2
    assert "--aug/--hard/--mix apply to stage2 only" in capsys.readouterr().err
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("4")
    assert main(_train(tmp_path, data)) == 2
    assert "is an experiment directory; stage1 needs an HF model" in capsys.readouterr().err


def test_resume_point_at_and_off_epoch_boundaries(tmp_path) -> None:
    assert resume_point(tmp_path, train_rows=10, batch_size=4) is None
    (tmp_path / "latest_checkpointed_iteration.txt").write_text("4\n")
    point = resume_point(tmp_path, train_rows=10, batch_size=4)  # drop_last: 2 steps per epoch
    assert point == ResumePoint(step=4, steps_per_epoch=2) and point.at_epoch_boundary
    assert "end of epoch 2" in describe(point)
    assert not ResumePoint(step=3, steps_per_epoch=2).at_epoch_boundary
