"""Output dtypes of `sparkle convert`: the names users type, torch dtypes, safetensors tags, tolerances."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class OutputDtype:
    """One output precision.

    `logits_rtol` bounds the max abs logit difference that validation accepts between the written model
    and the model assembled from the shards, as a fraction of the largest reference logit (so it holds
    for a tiny random model with logits of 0.01 as for a 7B one with logits of 30). Both models run the
    same weights in the same dtype, so the expected difference is 0; the tolerance only absorbs
    kernel-level nondeterminism and is far below what a lost, misplaced or mis-cast weight produces.
    """

    name: str
    torch_dtype: torch.dtype
    safetensors_tag: str
    logits_rtol: float

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return torch.empty((), dtype=self.torch_dtype).element_size()


OUTPUT_DTYPES: dict[str, OutputDtype] = {
    "bf16": OutputDtype("bf16", torch.bfloat16, "BF16", 1e-2),
    "fp16": OutputDtype("fp16", torch.float16, "F16", 1e-3),
    "fp32": OutputDtype("fp32", torch.float32, "F32", 1e-5),
}

# Every dtype a checkpoint tensor may hold, as safetensors names it (for tensors kept in their own dtype,
# e.g. integer buffers, which are never cast to the output's float dtype).
SAFETENSORS_TAGS: dict[torch.dtype, str] = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def output_dtype(name: str) -> OutputDtype:
    """Return the `OutputDtype` called `name` (bf16, fp16 or fp32); ValueError otherwise."""
    try:
        return OUTPUT_DTYPES[name]
    except KeyError:
        raise ValueError(f"unknown dtype {name!r}; choose one of {', '.join(OUTPUT_DTYPES)}") from None


def stored_dtype(source: torch.dtype, out: OutputDtype) -> torch.dtype:
    """The dtype a tensor is written in: floating tensors take the output dtype, others keep their own."""
    return out.torch_dtype if source.is_floating_point else source
