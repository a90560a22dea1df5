"""Converting real verl FSDP checkpoints: weights equal the reference in every dtype, files, validation."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import torch
from ckpt_helpers import actor, assert_matches_reference, leftovers, load_output, reference

from sparkle.checkpoint import convert, convert_checkpoint
from sparkle.checkpoint.pipeline import ConversionReport
from sparkle.errors import UserError

DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


def _convert(checkpoint: Path, output: Path, **kwargs: Any) -> ConversionReport:
    return convert(checkpoint, output, progress=False, log=None, **kwargs)


@pytest.mark.parametrize("dtype", ["bf16", "fp16", "fp32"])
def test_experiment_dir_converts_latest_step_in_every_dtype(experiments, tmp_path, dtype) -> None:
    report = _convert(experiments.fsdp2, tmp_path / "out", dtype=dtype)
    assert report.location.step == 2  # latest_checkpointed_iteration.txt
    assert_matches_reference(tmp_path / "out", reference(experiments.fsdp2, 2), DTYPES[dtype], tied=True)
    config = json.loads((tmp_path / "out" / "config.json").read_text())
    assert config["dtype"] == str(DTYPES[dtype]).removeprefix("torch.")
    assert report.validation is not None
    assert report.validation.max_abs_diff <= report.validation.tolerance
    assert report.world_size == 2 and report.fsdp_version == 2 and report.storage_kind == "DTensor"


def test_step_and_actor_directories_pick_that_step(experiments, tmp_path) -> None:
    step1, step2 = reference(experiments.fsdp2, 1), reference(experiments.fsdp2, 2)
    assert not torch.equal(step1["model.norm.weight"], step2["model.norm.weight"])  # training moved the weights
    _convert(experiments.fsdp2 / "global_step_1", tmp_path / "a", dtype="fp32")
    assert_matches_reference(tmp_path / "a", step1, torch.float32, tied=True)
    report = _convert(actor(experiments.fsdp2, 1), tmp_path / "b", dtype="fp32", validate=False)
    assert report.location.step == 1  # told from the parent directory's name
    assert_matches_reference(tmp_path / "b", step1, torch.float32, tied=True)


def test_untied_embeddings_keep_lm_head(experiments, tmp_path) -> None:
    _convert(experiments.fsdp2_untied, tmp_path / "out", dtype="fp32")
    ref = reference(experiments.fsdp2_untied)
    assert not torch.equal(ref["lm_head.weight"], ref["model.embed_tokens.weight"])
    assert_matches_reference(tmp_path / "out", ref, torch.float32, tied=False)


def test_fsdp1_checkpoint(experiments, tmp_path) -> None:
    report = _convert(experiments.fsdp1, tmp_path / "out", dtype="bf16")
    assert report.fsdp_version == 1
    assert_matches_reference(tmp_path / "out", reference(experiments.fsdp1), torch.bfloat16, tied=True)


def test_hsdp_checkpoint_with_other_mesh_names(experiments, tmp_path) -> None:
    # verl.model_merger only accepts mesh names ("fsdp",) and ("ddp", "fsdp"); replicas must be read once.
    _convert(experiments.hsdp, tmp_path / "out", dtype="fp32")
    assert_matches_reference(tmp_path / "out", reference(experiments.hsdp), torch.float32, tied=False)


def test_output_is_a_loadable_hf_model(experiments, tmp_path) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    path = convert_checkpoint(experiments.fsdp2, tmp_path / "model", progress=False, log=None)
    assert path == (tmp_path / "model").absolute()
    source = actor(experiments.fsdp2, 2) / "huggingface"
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja", "generation_config.json"):
        assert (path / name).read_bytes() == (source / name).read_bytes(), name
    model = AutoModelForCausalLM.from_pretrained(path)
    assert model.dtype == torch.bfloat16
    assert model.lm_head.weight.data_ptr() == model.model.embed_tokens.weight.data_ptr()  # re-tied
    tokenizer = AutoTokenizer.from_pretrained(path)
    assert tokenizer.eos_token_id == GenerationConfig.from_pretrained(path).eos_token_id
    text = tokenizer.apply_chat_template(
        [{"role": "user", "content": "1+1?"}], tokenize=False, add_generation_prompt=True
    )
    ids = tokenizer(text, return_tensors="pt")["input_ids"]
    out = model.generate(ids, min_new_tokens=3, max_new_tokens=3)
    assert out.shape == (1, ids.shape[1] + 3)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o777 & ~umask  # a normal directory, not mkdtemp's 0700


def test_validation_logits_match_a_model_built_from_the_reference(experiments, tmp_path) -> None:
    """Independent of the converter: the written model's logits equal those of the reference weights."""
    from transformers import AutoConfig, AutoModelForCausalLM

    _convert(experiments.fsdp2_untied, tmp_path / "out", dtype="fp32")
    config = AutoConfig.from_pretrained(tmp_path / "out")
    expected_model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    expected_model.load_state_dict(reference(experiments.fsdp2_untied))
    written = AutoModelForCausalLM.from_pretrained(tmp_path / "out", dtype=torch.float32)
    ids = torch.arange(1, 17).reshape(1, 16)
    with torch.no_grad():
        diff = (written(input_ids=ids).logits - expected_model.eval()(input_ids=ids).logits).abs().max()
    assert float(diff) < 1e-5


def test_weights_split_over_several_files(experiments, tmp_path) -> None:
    report = _convert(experiments.fsdp2_untied, tmp_path / "out", dtype="fp32", max_file_bytes=60_000)
    names = [n for n in report.weight_files if n.endswith(".safetensors")]
    assert len(names) > 2 and "model.safetensors.index.json" in report.weight_files
    index = json.loads((tmp_path / "out" / "model.safetensors.index.json").read_text())
    assert set(index["weight_map"].values()) == set(names)
    assert index["metadata"]["total_size"] == report.weight_bytes
    assert_matches_reference(tmp_path / "out", reference(experiments.fsdp2_untied), torch.float32, tied=False)
    assert report.validation is not None  # from_pretrained followed the index


def test_existing_output_needs_overwrite(experiments, tmp_path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("old")
    with pytest.raises(UserError, match="exists and is not empty; pass --overwrite"):
        _convert(experiments.fsdp2, out, validate=False)
    assert (out / "keep.txt").read_text() == "old"
    _convert(experiments.fsdp2, out, validate=False, overwrite=True)
    assert not (out / "keep.txt").exists() and (out / "model.safetensors").is_file()
    assert leftovers(tmp_path, "out") == []


def test_empty_existing_output_is_used(experiments, tmp_path) -> None:
    (tmp_path / "out").mkdir()
    _convert(experiments.fsdp2, tmp_path / "out", validate=False)
    assert (tmp_path / "out" / "model.safetensors").is_file()


def test_prints_summary_and_validation(experiments, tmp_path, capsys) -> None:
    convert(experiments.fsdp2, tmp_path / "out", progress=False)
    out = capsys.readouterr().out
    assert "step 2, FSDP2, world size 2" in out
    assert "validation: logits max abs diff 0 (tolerance " in out
    assert load_output(tmp_path / "out")
