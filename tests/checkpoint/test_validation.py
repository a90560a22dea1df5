"""Validation catches what a broken output would look like: a changed weight, a missing tensor, a lost tokenizer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from ckpt_helpers import actor
from safetensors.torch import load_file, save_file

from sparkle.checkpoint import convert
from sparkle.checkpoint.dtypes import output_dtype
from sparkle.checkpoint.model_spec import load_model_spec
from sparkle.checkpoint.plan import build_plan
from sparkle.checkpoint.shards import ShardReader, find_shard_files
from sparkle.checkpoint.validate import validate_output
from sparkle.errors import UserError


def _validate(experiment: Path, output: Path) -> float:
    source = actor(experiment) / "huggingface"
    files = find_shard_files(actor(experiment))
    spec = load_model_spec(source, files.actor_dir)
    reader = ShardReader(files)
    plan = build_plan(reader, spec)
    return validate_output(output, source, reader, plan, spec, output_dtype("bf16")).max_abs_diff


@pytest.fixture
def converted(experiments, tmp_path) -> Path:
    convert(experiments.fsdp2_untied, tmp_path / "out", validate=False, progress=False, log=None)
    return tmp_path / "out"


def _edit_weights(output: Path, edit: Callable[[dict[str, torch.Tensor]], object]) -> None:
    tensors = load_file(output / "model.safetensors")
    edit(tensors)
    save_file(tensors, output / "model.safetensors", metadata={"format": "pt"})


def test_intact_output_validates_with_zero_difference(experiments, converted) -> None:
    assert _validate(experiments.fsdp2_untied, converted) == 0.0


@pytest.mark.parametrize(
    "key",
    ["model.embed_tokens.weight", "model.layers.0.self_attn.k_proj.weight", "model.layers.1.mlp.down_proj.weight"],
)
def test_pieces_in_the_wrong_rank_order_fail(experiments, converted, key) -> None:
    """What a merge bug looks like: rank 1's rows before rank 0's."""

    def reverse_ranks(tensors: dict[str, torch.Tensor]) -> None:
        w = tensors[key]
        half = -(-w.shape[0] // 2)
        tensors[key] = torch.cat([w[half:], w[:half]])

    _edit_weights(converted, reverse_ranks)
    with pytest.raises(UserError, match=f"{key} in the weight files differs from the shards'"):
        _validate(experiments.fsdp2_untied, converted)


@pytest.mark.parametrize(("field", "value"), [("hidden_act", "gelu"), ("rms_norm_eps", 0.5)])
def test_a_config_that_builds_another_model_fails_on_logits(experiments, converted, field, value) -> None:
    path = converted / "config.json"
    config = json.loads(path.read_text())
    config[field] = value
    path.write_text(json.dumps(config))
    with pytest.raises(UserError, match=r"validation failed: logits differ from the shards' by up to .* \(tolerance"):
        _validate(experiments.fsdp2_untied, converted)


def test_a_missing_tensor_fails(experiments, converted) -> None:
    _edit_weights(converted, lambda t: t.pop("lm_head.weight"))
    with pytest.raises(UserError, match=r"the weight files lack 1 tensors \(lm_head.weight\)"):
        _validate(experiments.fsdp2_untied, converted)


def test_a_missing_tokenizer_fails(experiments, converted) -> None:
    (converted / "tokenizer.json").unlink()
    with pytest.raises(UserError, match="the tokenizer differs from the one in"):
        _validate(experiments.fsdp2_untied, converted)


def test_a_changed_chat_template_fails(experiments, converted) -> None:
    (converted / "chat_template.jinja").write_text("{{ messages[0]['content'] }}")
    with pytest.raises(UserError, match="the chat template differs"):
        _validate(experiments.fsdp2_untied, converted)


def test_missing_weight_file_fails_verls_structure_check(experiments, converted) -> None:
    (converted / "model.safetensors").unlink()
    with pytest.raises(UserError, match="no complete model weights"):
        _validate(experiments.fsdp2_untied, converted)
