"""Checkpoints users actually have: no fsdp_config.json, plain tensors, one-GPU saves, and broken ones.

Every broken case must fail with one clear message naming the file, before or without leaving an output.
"""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import torch
from ckpt_helpers import (
    Experiments,
    actor,
    assert_matches_reference,
    copy_experiment,
    leftovers,
    reference,
    rewrite_shards,
    to_plain,
)

from sparkle.checkpoint import convert
from sparkle.checkpoint.pipeline import ConversionReport
from sparkle.errors import UserError


def _convert(checkpoint: Path, output: Path, **kwargs: Any) -> ConversionReport:
    return convert(checkpoint, output, progress=False, log=None, **kwargs)


def _fails(checkpoint: Path, tmp_path: Path, match: str, **kwargs: Any) -> None:
    """The conversion raises `UserError` matching `match` and leaves neither output nor temporary files."""
    with pytest.raises(UserError, match=match):
        _convert(checkpoint, tmp_path / "out", **kwargs)
    assert not (tmp_path / "out").exists()
    assert leftovers(tmp_path, "out") == []


@pytest.fixture
def fsdp2_copy(experiments: Experiments, tmp_path: Path) -> Path:
    return copy_experiment(experiments.fsdp2, tmp_path / "exp")


def test_without_fsdp_config_the_world_size_comes_from_file_names(fsdp2_copy, tmp_path) -> None:
    (actor(fsdp2_copy, 2) / "fsdp_config.json").unlink()
    report = _convert(fsdp2_copy, tmp_path / "out", dtype="fp32")
    assert report.world_size == 2 and report.fsdp_version is None
    assert_matches_reference(tmp_path / "out", reference(fsdp2_copy, 2), torch.float32, tied=True)


def test_plain_tensor_shards(fsdp2_copy, tmp_path) -> None:
    rewrite_shards(actor(fsdp2_copy, 2), to_plain)
    (actor(fsdp2_copy, 2) / "fsdp_config.json").unlink()
    report = _convert(fsdp2_copy, tmp_path / "out", dtype="bf16")
    assert report.storage_kind == "plain tensors"
    assert_matches_reference(tmp_path / "out", reference(fsdp2_copy, 2), torch.bfloat16, tied=True)


def test_one_gpu_save_of_plain_tensors(experiments, tmp_path) -> None:
    """verl #903: a checkpoint saved on one GPU holds the full plain tensors in a single rank file."""
    ref = reference(experiments.fsdp2, 1)
    single = tmp_path / "single" / "actor"
    single.mkdir(parents=True)
    torch.save(ref, single / "model_world_size_1_rank_0.pt")
    shutil.copytree(actor(experiments.fsdp2, 1) / "huggingface", single / "huggingface")
    report = _convert(single, tmp_path / "out", dtype="fp32")
    assert report.world_size == 1
    assert_matches_reference(tmp_path / "out", ref, torch.float32, tied=True)


def test_replicated_plain_copies_are_read_once_and_must_agree(fsdp2_copy, tmp_path) -> None:
    full_norm = reference(fsdp2_copy, 2)["model.norm.weight"]

    def replicate_norm(rank: int, state: dict[str, Any]) -> dict[str, Any]:
        state = to_plain(rank, state)
        state["model.norm.weight"] = full_norm.clone()
        return state

    rewrite_shards(actor(fsdp2_copy, 2), replicate_norm)
    _convert(fsdp2_copy, tmp_path / "ok", dtype="fp32")
    assert_matches_reference(tmp_path / "ok", reference(fsdp2_copy, 2), torch.float32, tied=True)

    def disagree(rank: int, state: dict[str, Any]) -> dict[str, Any]:
        if rank == 1:
            state["model.norm.weight"] = state["model.norm.weight"] + 1
        return state

    rewrite_shards(actor(fsdp2_copy, 2), disagree)
    _fails(fsdp2_copy, tmp_path, "model.norm.weight.*differs between rank 0 and rank 1")


def test_missing_shard(fsdp2_copy, tmp_path) -> None:
    (actor(fsdp2_copy, 2) / "model_world_size_2_rank_1.pt").unlink()
    _fails(fsdp2_copy, tmp_path, r"missing shard model_world_size_2_rank_1\.pt \(world size 2 needs ranks 0-1\)")


def test_mixed_world_sizes(fsdp2_copy, tmp_path) -> None:
    shutil.copy(
        actor(fsdp2_copy, 2) / "model_world_size_2_rank_0.pt", actor(fsdp2_copy, 2) / "model_world_size_4_rank_0.pt"
    )
    _fails(fsdp2_copy, tmp_path, r"more than one world size \(world size 2: 2 files; world size 4: 1 file\)")


def test_fsdp_config_that_contradicts_the_files(fsdp2_copy, tmp_path) -> None:
    (actor(fsdp2_copy, 2) / "fsdp_config.json").write_text(json.dumps({"FSDP_version": 2, "world_size": 8}))
    _fails(fsdp2_copy, tmp_path, "says world size 8, but the shard files are for world size 2")


def test_truncated_shard(fsdp2_copy, tmp_path) -> None:
    path = actor(fsdp2_copy, 2) / "model_world_size_2_rank_1.pt"
    path.write_bytes(path.read_bytes()[:5000])
    _fails(fsdp2_copy, tmp_path, r"model_world_size_2_rank_1\.pt: unreadable or truncated")


def test_tracker_naming_a_missing_step(fsdp2_copy, tmp_path) -> None:
    (fsdp2_copy / "latest_checkpointed_iteration.txt").write_text("7")
    _fails(fsdp2_copy, tmp_path, r"names step 7, but global_step_7/ does not exist \(steps found: 1, 2\)")


def test_experiment_without_tracker_lists_its_steps(fsdp2_copy, tmp_path) -> None:
    (fsdp2_copy / "latest_checkpointed_iteration.txt").unlink()
    _fails(fsdp2_copy, tmp_path, r"no latest_checkpointed_iteration\.txt.*global_step_1, global_step_2")


def test_step_directory_that_does_not_exist(experiments, tmp_path) -> None:
    _fails(experiments.fsdp2 / "global_step_9", tmp_path, "global_step_9: no such checkpoint directory")


def test_directory_that_is_no_checkpoint(tmp_path) -> None:
    (tmp_path / "empty").mkdir()
    _fails(tmp_path / "empty", tmp_path, "not a checkpoint")


def test_missing_huggingface_dir_needs_base_model(fsdp2_copy, experiments, tmp_path) -> None:
    shutil.rmtree(actor(fsdp2_copy, 2) / "huggingface")
    _fails(fsdp2_copy, tmp_path, r"huggingface: not found.*pass --base-model")
    report = _convert(fsdp2_copy, tmp_path / "out", base_model=experiments.base_tied, dtype="fp32")
    assert report.hf_source == experiments.base_tied
    assert_matches_reference(tmp_path / "out", reference(fsdp2_copy, 2), torch.float32, tied=True)


def test_base_model_of_another_shape(experiments, tmp_path) -> None:
    other = shutil.copytree(experiments.base_tied, tmp_path / "other")
    config = json.loads((other / "config.json").read_text())
    config["intermediate_size"] += 1
    (other / "config.json").write_text(json.dumps(config))
    _fails(
        experiments.fsdp2,
        tmp_path,
        r"model.layers.0.mlp.gate_proj.weight: the checkpoint's tensor is \(173, 64\), the config's model needs "
        r"\(174, 64\) \(is the config the one this run trained\?\)",
        base_model=other,
    )


def test_lora_weights_are_refused(fsdp2_copy, tmp_path) -> None:
    def add_lora(rank: int, state: dict[str, Any]) -> dict[str, Any]:
        state = to_plain(rank, state)
        state["model.layers.0.self_attn.q_proj.lora_A.default.weight"] = torch.zeros(4, 64)
        return state

    rewrite_shards(actor(fsdp2_copy, 2), add_lora)
    _fails(fsdp2_copy, tmp_path, "LoRA adapter weights")


def test_nan_in_checkpoint(fsdp2_copy, tmp_path) -> None:
    def poison(rank: int, state: dict[str, Any]) -> dict[str, Any]:
        state = to_plain(rank, state)
        if rank == 1:
            state["model.layers.1.mlp.up_proj.weight"][0, 0] = float("nan")
        return state

    rewrite_shards(actor(fsdp2_copy, 2), poison)
    _fails(
        fsdp2_copy, tmp_path, r"model.layers.1.mlp.up_proj.weight: the checkpoint holds NaN or inf values \(rank 1\)"
    )


def test_fp16_overflow_is_refused_but_bf16_fits(fsdp2_copy, tmp_path) -> None:
    def huge(rank: int, state: dict[str, Any]) -> dict[str, Any]:
        state = to_plain(rank, state)
        if rank == 0:
            state["model.layers.0.input_layernorm.weight"][0] = 1e6
        return state

    rewrite_shards(actor(fsdp2_copy, 2), huge)
    _fails(fsdp2_copy, tmp_path, "values up to 1e.06 overflow fp16; convert with --dtype bf16 or fp32", dtype="fp16")
    _convert(fsdp2_copy, tmp_path / "bf16", dtype="bf16")
    from safetensors.torch import load_file

    assert float(load_file(tmp_path / "bf16" / "model.safetensors")["model.layers.0.input_layernorm.weight"][0]) > 9e5


def test_eos_mismatch_fails_validation_and_leaves_no_output(fsdp2_copy, tmp_path) -> None:
    path = actor(fsdp2_copy, 2) / "huggingface" / "generation_config.json"
    config = json.loads(path.read_text())
    config["eos_token_id"] = 0
    path.write_text(json.dumps(config))
    _fails(fsdp2_copy, tmp_path, r"generation_config.json has EOS ids \[0\], which lack the tokenizer's EOS")
    report = _convert(fsdp2_copy, tmp_path / "out", validate=False)
    assert report.validation is None and (tmp_path / "out" / "model.safetensors").is_file()


def test_unsafe_pickle_needs_trust(fsdp2_copy, tmp_path) -> None:
    def add_object(rank: int, state: dict[str, Any]) -> dict[str, Any]:
        state["note"] = Fraction(1, 3)  # not on torch's weights_only allow-list
        return state

    rewrite_shards(actor(fsdp2_copy, 2), add_object)
    _fails(fsdp2_copy, tmp_path, "safe loading refused it .*pass --trust-pickle")
    _fails(fsdp2_copy, tmp_path, r"hold 1 weights the config's model does not have \(note\)", trust_pickle=True)


def test_config_without_architectures(fsdp2_copy, tmp_path) -> None:
    """A config saved on its own (not by a model) has no 'architectures'; verl's merger indexes it."""
    path = actor(fsdp2_copy, 2) / "huggingface" / "config.json"
    config = json.loads(path.read_text())
    del config["architectures"]
    path.write_text(json.dumps(config))
    _convert(fsdp2_copy, tmp_path / "out", dtype="fp32")
    assert_matches_reference(tmp_path / "out", reference(fsdp2_copy, 2), torch.float32, tied=True)
