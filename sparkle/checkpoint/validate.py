"""Check a written model before it is published: files, tokenizer, EOS ids, and logits against the shards.

Checks, in order (the first failure is a `UserError` and the output is not published):

1. **Files**: verl's `validate_hf_model_output` (config.json parses; the weight files, or every file the
   index names, exist and are non-empty).
2. **Tokenizer**: it loads from the output, has the source's size, encodes the validation prompt to the
   same ids (transformers can "load" a tokenizer whose vocabulary file is missing, as an empty one)
   and has the source's chat template.
3. **EOS**: the tokenizer's EOS id is one of the ``generation_config`` EOS ids (``config.json``'s when
   there is no generation config). Otherwise `generate()` and vLLM would not stop where the tokenizer,
   and the chat template, end a turn.
4. **Weights and logits**: a fixed prompt (chat-templated when there is a template) is run through
   (a) the model assembled from the shards in memory, tensor by tensor via the same plan (each tensor
   also compared bit for bit with the written one, which names the first tensor that differs), and
   (b) the written model loaded with `from_pretrained`, which must report no missing, unexpected or
   mismatched keys (transformers would otherwise fill them with random values and only warn).
   Both use the output dtype, so the expected max abs difference is 0. With the weights already equal,
   the logits catch what happens between the files and a usable model: key names, tying, a config
   that builds a different model. The tolerance is relative to the largest reference logit
   (`OutputDtype.logits_rtol`) and only absorbs kernel nondeterminism. The two models are built one
   after the other, so validation peaks at one model in the output dtype.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sparkle.checkpoint.dtypes import OutputDtype
from sparkle.checkpoint.merge import assemble_tensor
from sparkle.checkpoint.model_spec import ModelSpec, empty_model
from sparkle.checkpoint.plan import MergePlan
from sparkle.checkpoint.shards import ShardReader
from sparkle.errors import UserError

PROMPT = "What is the sum of the first ten positive integers? Put the final answer in \\boxed{}."
MAX_PROMPT_TOKENS = 64


@dataclass(frozen=True)
class ValidationReport:
    """What validation measured."""

    max_abs_diff: float
    tolerance: float
    prompt_tokens: int
    eos_ids: tuple[int, ...]
    tokenizer_eos: int
    chat_template: bool


def _load_tokenizer(directory: Path, what: str) -> Any:
    from transformers import AutoTokenizer

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return AutoTokenizer.from_pretrained(directory)
    except Exception as err:  # tokenizer loading raises many types
        raise UserError(f"{directory}: the {what} tokenizer does not load ({type(err).__name__}: {err})") from err


def _eos_ids(directory: Path, config: Any) -> tuple[tuple[int, ...], str]:
    from transformers import GenerationConfig

    if (directory / "generation_config.json").is_file():
        value, where = GenerationConfig.from_pretrained(directory).eos_token_id, "generation_config.json"
    else:
        value, where = getattr(config, "eos_token_id", None), "config.json (no generation_config.json)"
    if value is None:
        return (), where
    return (tuple(int(v) for v in value) if isinstance(value, list | tuple) else (int(value),)), where


def check_tokenizer_and_eos(output: Path, source: Path, config: Any) -> tuple[Any, tuple[int, ...], bool]:
    """Checks 2 and 3; returns the output tokenizer, the EOS ids and whether it has a chat template."""
    tokenizer = _load_tokenizer(output, "converted")
    original = _load_tokenizer(source, "source")
    if len(tokenizer) != len(original) or tokenizer(PROMPT)["input_ids"] != original(PROMPT)["input_ids"]:
        raise UserError(
            f"{output}: the tokenizer differs from the one in {source} ({len(tokenizer)} vs {len(original)} "
            "tokens, or another encoding of the validation prompt)"
        )
    source_template = getattr(original, "chat_template", None)
    if getattr(tokenizer, "chat_template", None) != source_template:
        raise UserError(f"{output}: the chat template differs from the one in {source}")
    eos_ids, where = _eos_ids(output, config)
    if tokenizer.eos_token_id is None:
        raise UserError(f"{output}: the tokenizer has no EOS token")
    if tokenizer.eos_token_id not in eos_ids:
        raise UserError(
            f"{output}: {where} has EOS ids {list(eos_ids)}, which lack the tokenizer's EOS "
            f"{tokenizer.eos_token!r} (id {tokenizer.eos_token_id}); generation would not stop where the "
            "tokenizer ends a turn. Fix the source's generation_config.json, or pass --no-validate"
        )
    return tokenizer, eos_ids, source_template is not None


def prompt_ids(tokenizer: Any, vocab_size: int) -> torch.Tensor:
    """The fixed validation prompt as a (1, n) id tensor (chat-templated when there is a template)."""
    if getattr(tokenizer, "chat_template", None):
        text = tokenizer.apply_chat_template(
            [{"role": "user", "content": PROMPT}], tokenize=False, add_generation_prompt=True
        )
    else:
        text = PROMPT
    ids = tokenizer(text, add_special_tokens=True)["input_ids"][:MAX_PROMPT_TOKENS]
    if not ids:
        raise UserError("the tokenizer turns the validation prompt into no tokens")
    if max(ids) >= vocab_size:
        raise UserError(f"the tokenizer produces id {max(ids)}, beyond the model's vocabulary ({vocab_size})")
    return torch.tensor([ids])


def release_memory() -> None:
    """Collect garbage and hand freed heap memory back to the OS.

    glibc raises its mmap threshold after large frees, so a model's freed tensors stay in the heap and
    in RSS; `malloc_trim(0)` returns them. Without it the reference model's memory would still count
    when the written model is loaded, doubling validation's peak. A no-op where glibc is absent.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@torch.no_grad()
def _logits(model: torch.nn.Module, ids: torch.Tensor) -> torch.Tensor:
    model.eval()
    return model(input_ids=ids).logits.float()


def _written_tensor_files(output: Path) -> dict[str, Path]:
    """Which safetensors file of `output` holds each tensor (from the index, or the single file)."""
    import json

    from safetensors import safe_open

    from sparkle.checkpoint.safetensors_writer import INDEX_FILE, SINGLE_FILE

    if (output / INDEX_FILE).is_file():
        weight_map = json.loads((output / INDEX_FILE).read_text(encoding="utf-8"))["weight_map"]
        return {key: output / name for key, name in weight_map.items()}
    with safe_open(output / SINGLE_FILE, "pt") as handle:
        return dict.fromkeys(handle.keys(), output / SINGLE_FILE)


def reference_logits(
    reader: ShardReader, plan: MergePlan, spec: ModelSpec, out: OutputDtype, ids: torch.Tensor, output: Path
) -> torch.Tensor:
    """Logits of the model assembled from the shards in memory (check 4a).

    While assembling it, each tensor is also compared bit for bit with the one in the written files
    (read one at a time through `safe_open`), which pins a difference to its tensor by name.
    """
    from accelerate.utils import set_module_tensor_to_device
    from safetensors import safe_open

    locations = _written_tensor_files(output)
    missing = [t.name for t in plan.tensors if t.name not in locations]
    if missing:
        raise UserError(f"{output}: the weight files lack {len(missing)} tensors ({', '.join(missing[:3])})")
    model = empty_model(spec, out.torch_dtype)
    for tplan in plan.tensors:
        tensor = assemble_tensor(reader, tplan, out)
        with safe_open(locations[tplan.name], "pt") as handle:
            written = handle.get_tensor(tplan.name)
        if written.dtype != tensor.dtype or written.shape != tensor.shape or not torch.equal(written, tensor):
            raise UserError(f"{output}: {tplan.name} in the weight files differs from the shards'")
        del written
        set_module_tensor_to_device(model, tplan.name, "cpu", value=tensor)
        del tensor
    model.tie_weights()
    on_meta = [name for name, p in model.named_parameters() if p.device.type == "meta"]
    if on_meta:
        raise UserError(f"the shards leave {len(on_meta)} parameters unset ({', '.join(on_meta[:3])})")
    reader.release()
    logits = _logits(model, ids)
    del model
    release_memory()
    return logits


def written_logits(output: Path, spec: ModelSpec, out: OutputDtype, ids: torch.Tensor) -> torch.Tensor:
    """Logits of the written model loaded with `from_pretrained` (check 4b)."""
    from transformers.utils import logging as hf_logging

    bar = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model, info = spec.auto_class.from_pretrained(
                output, dtype=out.torch_dtype, output_loading_info=True, trust_remote_code=spec.trust_remote_code
            )
        except Exception as err:  # transformers raises many types on a bad file
            raise UserError(f"{output}: the written model does not load ({type(err).__name__}: {err})") from err
        finally:
            if bar:
                hf_logging.enable_progress_bar()
    problems = {k: v for k, v in info.items() if k != "error_msgs" and v} | (
        {"error_msgs": info["error_msgs"]} if info.get("error_msgs") else {}
    )
    if problems:
        detail = "; ".join(f"{k}: {sorted(map(str, v))[:3]}" for k, v in problems.items())
        raise UserError(f"{output}: loading the written model reports {detail}")
    logits = _logits(model, ids)
    del model
    release_memory()
    return logits


def validate_output(
    output: Path, source: Path, reader: ShardReader, plan: MergePlan, spec: ModelSpec, out: OutputDtype
) -> ValidationReport:
    """Run checks 1-4 on the model written to `output` (see the module docstring)."""
    from verl.model_merger.output_validation import validate_hf_model_output

    try:
        validate_hf_model_output(output)
    except RuntimeError as err:
        raise UserError(str(err)) from err
    tokenizer, eos_ids, has_template = check_tokenizer_and_eos(output, source, spec.config)
    vocab = spec.shapes.get("model.embed_tokens.weight", (getattr(spec.config, "vocab_size", 0),))[0]
    ids = prompt_ids(tokenizer, vocab)
    expected = reference_logits(reader, plan, spec, out, ids, output)
    got = written_logits(output, spec, out, ids)
    if got.shape != expected.shape:
        raise UserError(f"{output}: logits of shape {tuple(got.shape)}, expected {tuple(expected.shape)}")
    diff = float((got - expected).abs().max())
    tolerance = out.logits_rtol * float(expected.abs().max())
    if not diff <= tolerance:  # also catches NaN
        raise UserError(
            f"{output}: validation failed: logits differ from the shards' by up to {diff:.3g} "
            f"(tolerance {tolerance:.3g} = {out.logits_rtol:g} x max |logit| for {out.name})"
        )
    return ValidationReport(diff, tolerance, int(ids.shape[1]), eos_ids, int(tokenizer.eos_token_id), has_template)
