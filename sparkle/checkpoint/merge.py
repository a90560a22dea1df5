"""Merge the rank shards into safetensors files, streaming tensor by tensor and piece by piece.

Algorithm, for each output tensor in the model's order (`MergePlan`):

1. Take each rank's local piece from its memory-mapped file (`ShardReader`); nothing else is loaded.
2. Cast the piece to the output dtype (floating tensors only; integer buffers keep their dtype) and
   check it is finite: a NaN/inf already in the checkpoint, or an fp16 overflow created by the cast,
   stops the merge with the key named instead of shipping a broken model.
3. Dim-0 pieces (all of FSDP) are appended to the output file in offset order: their bytes, back to
   back, are the full tensor's bytes, so the full tensor never exists in memory. Other layouts are
   assembled into one full tensor first. Replicated plain tensors are checked to agree across ranks
   with verl's `merge_non_dtensor_shards`, which does exactly that.
4. Report the bytes read so the reader can unmap files past its window.

Peak memory is therefore the reader's window plus one cast piece (plus one full tensor for non-dim-0
layouts), independent of the model size. `verl.model_merger` instead holds every shard, then every
merged tensor, and always casts to bf16 (`fsdp_model_merger.py`: `.bfloat16()` on load).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch

from sparkle.checkpoint.dtypes import OutputDtype, stored_dtype
from sparkle.checkpoint.plan import MergePlan, TensorPlan
from sparkle.checkpoint.safetensors_writer import (
    SafetensorsFile,
    TensorEntry,
    file_names,
    split_into_files,
    write_index,
)
from sparkle.checkpoint.shards import ShardReader
from sparkle.errors import UserError


@dataclass(frozen=True)
class WrittenWeights:
    """The weight files written and their total tensor bytes."""

    files: list[str]
    total_bytes: int


def _local(value: torch.Tensor) -> torch.Tensor:
    return value._local_tensor if hasattr(value, "_local_tensor") else value


def _cast_checked(piece: torch.Tensor, tplan: TensorPlan, dtype: torch.dtype, out_name: str, rank: int) -> torch.Tensor:
    """`piece` in `dtype`; `UserError` if the checkpoint holds non-finite values or the cast overflows.

    One `aminmax` pass (NaN-propagating, and several times faster on CPU than `isfinite().all()`) finds
    both: a NaN/inf extreme means the checkpoint is broken; an extreme beyond the output dtype's range
    means the cast may overflow, which only then is checked exactly on the cast values.
    """
    if piece.dtype.is_floating_point and dtype.is_floating_point and piece.numel():
        low, high = (float(v) for v in torch.aminmax(piece))
        if not (math.isfinite(low) and math.isfinite(high)):
            raise UserError(f"{tplan.name}: the checkpoint holds NaN or inf values (rank {rank}); the run diverged")
        peak = max(-low, high)
        if peak > torch.finfo(dtype).max:
            cast = piece.to(dtype)
            if not bool(torch.isfinite(cast).all()):
                raise UserError(
                    f"{tplan.name}: values up to {peak:.4g} overflow {out_name}; convert with --dtype bf16 or fp32"
                )
            return cast
    return piece.to(dtype)


def _replicated(reader: ShardReader, tplan: TensorPlan) -> torch.Tensor:
    from verl.model_merger.fsdp_model_merger import merge_non_dtensor_shards

    copies = [reader.get(rank, tplan.name) for rank in tplan.replicas]
    try:
        return merge_non_dtensor_shards(tplan.name, copies)
    except ValueError as err:
        raise UserError(f"{tplan.name}: {err}") from err


def assemble_tensor(reader: ShardReader, tplan: TensorPlan, out: OutputDtype) -> torch.Tensor:
    """The full tensor `tplan` describes, in its stored dtype, in memory (a fresh tensor, not a file view)."""
    dtype = stored_dtype(tplan.source_dtype, out)
    if len(tplan.replicas) > 1:
        source = _replicated(reader, tplan)
        full = _cast_checked(source, tplan, dtype, out.name, tplan.replicas[0])
        if full.data_ptr() == source.data_ptr():
            full = full.clone()
        del source
        for rank in tplan.replicas:
            reader.note_read(rank, tplan.numel * tplan.source_dtype.itemsize)
        return full
    full = torch.empty(tplan.shape, dtype=dtype)
    for piece in tplan.pieces:
        local = _local(reader.get(piece.rank, tplan.name))
        target = full
        for dim, (start, size) in enumerate(zip(piece.offset, piece.shape, strict=True)):
            target = target.narrow(dim, start, size)
        target.copy_(_cast_checked(local, tplan, dtype, out.name, piece.rank))
        del local, target
        reader.note_read(piece.rank, piece.numel * tplan.source_dtype.itemsize)
    return full


def write_weights(
    plan: MergePlan,
    reader: ShardReader,
    directory: str | Path,
    out: OutputDtype,
    *,
    max_file_bytes: int,
    on_tensor: Callable[[int], None] | None = None,
) -> WrittenWeights:
    """Write the merged weights of `plan` as safetensors into `directory` (see the module docstring).

    `on_tensor(nbytes)` is called after each tensor (for a progress bar).
    """
    directory = Path(directory)
    entries = [TensorEntry(t.name, stored_dtype(t.source_dtype, out), t.shape) for t in plan.tensors]
    groups = split_into_files(entries, max_file_bytes)
    names = file_names(len(groups))
    by_name = {t.name: t for t in plan.tensors}
    for name, group in zip(names, groups, strict=True):
        with SafetensorsFile(directory / name, group) as handle:
            for entry in group:
                tplan = by_name[entry.name]
                handle.begin(entry.name)
                if len(tplan.replicas) > 1 or not tplan.streams_in_order:
                    handle.append(assemble_tensor(reader, tplan, out))
                else:
                    for piece in tplan.pieces:
                        local = _local(reader.get(piece.rank, tplan.name))
                        handle.append(_cast_checked(local, tplan, entry.dtype, out.name, piece.rank))
                        del local
                        reader.note_read(piece.rank, piece.numel * tplan.source_dtype.itemsize)
                if on_tensor is not None:
                    on_tensor(entry.nbytes)
    index = write_index(directory, groups, names)
    return WrittenWeights(names + ([index.name] if index else []), sum(e.nbytes for e in entries))
