"""Checkpoint conversion: verl FSDP shards to a validated Hugging Face model (`sparkle convert`).

Each module does one job:

- `locate`: experiment / ``global_step_N`` / actor directory -> the actor directory.
- `shards`: find the rank files, check they form one save, read them memory-mapped with bounded RSS.
- `model_spec`: the target model's keys, shapes and tied aliases, from its config (meta device).
- `plan`: which rank pieces make up each tensor, from DTensor or plain-tensor metadata.
- `safetensors_writer`: a safetensors writer that takes tensors piece by piece.
- `merge`: stream the pieces, cast and check them, write the weights.
- `hf_files`: copy config, tokenizer, chat template and generation config; set the config's dtype.
- `validate`: tokenizer, EOS ids and logits of the written model against the shards.
- `upload`: push to the hub (token from ``HF_TOKEN``, never printed).
- `pipeline`: `convert`, the pipeline, writing to a temporary directory that is renamed when complete.
- `synthetic`: write real verl FSDP checkpoints of small random models (tests, benchmark, demo).
- `cli`: ``sparkle convert``.

`convert_checkpoint(checkpoint, output, dtype=...) -> Path` is the function other code calls.
"""

from __future__ import annotations

from typing import Any

__all__ = ["convert", "convert_checkpoint"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `sparkle --help` does not import torch.
    if name in __all__:
        from sparkle.checkpoint import pipeline as module

        return getattr(module, name)
    raise AttributeError(f"module 'sparkle.checkpoint' has no attribute {name!r}")
