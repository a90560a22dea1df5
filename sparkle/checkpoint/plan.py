"""Where each output tensor's pieces live across the rank files: the merge plan, built from metadata only.

For every key the output must hold (`ModelSpec`), we decide which ranks' local tensors to read and at
which offset each goes in the full tensor. Nothing here reads tensor data: DTensor metadata (global
shape, placements, device mesh) and plain-tensor shapes are in the pickle, not in the mapped bytes.

**DTensors** (FSDP2, and FSDP1 with a device mesh, which is how verl wraps both). Each mesh dimension
has a placement: ``Replicate`` (every coordinate along it holds the same data) or ``Shard(d)`` (the
tensor's dim d is split along it, `torch.chunk`-style: chunks of ceil(n/k), the last ones shorter or
empty). We read one rank per distinct piece: the ranks whose coordinate is 0 on every replicated mesh
dim, and compute each piece's offset by applying the shard dims in mesh order, exactly as DTensor does
for non-strided shards. This covers FSDP (``("fsdp",)``), HSDP (``("ddp", "fsdp")``) and any other mesh
names; `verl.model_merger` asserts the names are one of those two and fails otherwise. Strided shards
and partial placements (tensor parallelism) are refused.

**Plain tensors** (checkpoints saved on one GPU, older verl, hand-converted shards: verl #903). Their
placement is not recorded. `verl.model_merger` 0.9.1 mishandles them when there are several ranks: it
derives the shard count from ``np.array([world_size]).shape[-1]``, which is 1, reads rank 0 only and
writes rank 0's slice of every tensor as the whole model without an error (measured: a 2-rank
checkpoint gave a 259-row embedding for a 517-token vocabulary; transformers then refuses to load it).
Here the config decides: a piece as large as the full tensor on every rank is
a replicated copy (the merge checks the copies agree); pieces whose dim-0 sizes add up to the full size
are dim-0 shards in rank order; anything else is an error.

Every piece's actual local shape is checked against the computed one, so a checkpoint whose sharding
differs from these rules fails here with the key named, instead of merging into a wrong tensor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from sparkle.checkpoint.model_spec import ModelSpec
from sparkle.checkpoint.shards import ShardReader
from sparkle.errors import UserError


@dataclass(frozen=True)
class Piece:
    """One rank's local tensor and where it starts in the full tensor."""

    rank: int
    offset: tuple[int, ...]
    shape: tuple[int, ...]

    @property
    def numel(self) -> int:
        """Number of elements."""
        n = 1
        for size in self.shape:
            n *= size
        return n


@dataclass(frozen=True)
class TensorPlan:
    """How to assemble one output tensor."""

    name: str
    shape: tuple[int, ...]
    source_dtype: torch.dtype
    pieces: tuple[Piece, ...]
    """Disjoint pieces covering the tensor, sorted by offset."""
    replicas: tuple[int, ...] = ()
    """For replicated plain tensors: every rank holding a copy (the copies are checked to agree)."""
    distributed: bool = True
    """Whether the entries are DTensors (else plain tensors)."""

    @property
    def numel(self) -> int:
        """Number of elements of the full tensor."""
        n = 1
        for size in self.shape:
            n *= size
        return n

    @property
    def streams_in_order(self) -> bool:
        """True if the pieces are consecutive row blocks: their bytes, in order, are the full tensor's bytes.

        Holds for dim-0 sharding (all of FSDP) and for single pieces, and lets the merge write piece by
        piece without ever holding the full tensor.
        """
        if len(self.pieces) == 1:
            return True
        row = 0
        for piece in self.pieces:
            if piece.shape[1:] != self.shape[1:] or piece.offset[0] != row or any(piece.offset[1:]):
                return False
            row += piece.shape[0]
        return row == self.shape[0]


@dataclass
class MergePlan:
    """The plan for every output tensor, in output order."""

    tensors: list[TensorPlan]
    world_size: int

    @property
    def source_dtypes(self) -> set[torch.dtype]:
        """The dtypes the checkpoint stores."""
        return {t.source_dtype for t in self.tensors}

    @property
    def storage_kind(self) -> str:
        """'DTensor', 'plain tensors' or 'mixed'."""
        kinds = {t.distributed for t in self.tensors}
        return "mixed" if len(kinds) > 1 else ("DTensor" if kinds == {True} else "plain tensors")

    def output_bytes(self, out_dtype: torch.dtype) -> int:
        """Bytes of the merged weights when floating tensors are stored as `out_dtype`."""
        total = 0
        for t in self.tensors:
            dtype = out_dtype if t.source_dtype.is_floating_point else t.source_dtype
            total += t.numel * torch.empty((), dtype=dtype).element_size()
        return total


def chunk_bounds(size: int, chunks: int, index: int) -> tuple[int, int]:
    """(offset, length) of chunk `index` when `size` is split into `chunks` like `torch.chunk` / DTensor.

    Chunks hold ceil(size / chunks) elements; trailing chunks may be shorter or empty.
    """
    full = -(-size // chunks) if chunks else 0
    start = min(index * full, size)
    return start, min(size, start + full) - start


def _dtensor_pieces(key: str, value: Any, reader: ShardReader) -> tuple[Piece, ...]:
    from torch.distributed.tensor import Replicate, Shard

    mesh = value.device_mesh.mesh
    placements = tuple(value.placements)
    shape = tuple(value.shape)
    mesh_shape = tuple(mesh.shape)
    if len(placements) != len(mesh_shape):
        raise UserError(f"{key}: {len(placements)} placements for a {len(mesh_shape)}-d device mesh")
    for placement in placements:
        if type(placement) is not Shard and not isinstance(placement, Replicate):
            raise UserError(
                f"{key}: placement {placement} is not supported (only FSDP/HSDP sharding: Shard and Replicate)"
            )
    ranks = [int(r) for r in mesh.flatten().tolist()]
    if sorted(ranks) != list(range(reader.world_size)):
        raise UserError(
            f"{key}: the device mesh holds ranks {sorted(ranks)}, but there are {reader.world_size} shard files"
        )
    pieces = []
    for coordinate_t in torch.cartesian_prod(*[torch.arange(n) for n in mesh_shape]).reshape(-1, len(mesh_shape)):
        coordinate = [int(c) for c in coordinate_t.tolist()]
        if any(c != 0 for c, p in zip(coordinate, placements, strict=True) if isinstance(p, Replicate)):
            continue
        offset, size = [0] * len(shape), list(shape)
        for c, n, placement in zip(coordinate, mesh_shape, placements, strict=True):
            if isinstance(placement, Shard):
                dim = placement.dim % len(shape)
                start, size[dim] = chunk_bounds(size[dim], n, c)
                offset[dim] += start
        rank = int(mesh[tuple(coordinate)])
        pieces.append(Piece(rank, tuple(offset), tuple(size)))
    return tuple(sorted(pieces, key=lambda p: p.offset))


def _check_pieces(key: str, pieces: tuple[Piece, ...], reader: ShardReader, expected: tuple[int, ...]) -> None:
    for piece in pieces:
        value = reader.get(piece.rank, key)
        local = value._local_tensor if _is_dtensor(value) else value
        if tuple(local.shape) != piece.shape:
            raise UserError(
                f"{reader.files.paths[piece.rank]}: {key} has a local shape {tuple(local.shape)}, but its sharding "
                f"of a {expected} tensor gives {piece.shape} for rank {piece.rank}"
            )
    if sum(p.numel for p in pieces) != _numel(expected):
        raise UserError(f"{key}: the pieces do not cover the {expected} tensor")


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for size in shape:
        n *= size
    return n


def _is_dtensor(value: Any) -> bool:
    from torch.distributed.tensor import DTensor

    return isinstance(value, DTensor)


def _plain_plan(key: str, values: list[torch.Tensor], reader: ShardReader, expected: tuple[int, ...]) -> TensorPlan:
    shapes = [tuple(v.shape) for v in values]
    dtype = values[0].dtype
    if all(s == expected for s in shapes):
        return TensorPlan(
            key, expected, dtype, (Piece(0, (0,) * len(expected), expected),), tuple(range(len(values))), False
        )
    if expected and all(s[1:] == expected[1:] for s in shapes) and sum(s[0] for s in shapes) == expected[0]:
        pieces, row = [], 0
        for rank, s in enumerate(shapes):
            pieces.append(Piece(rank, (row,) + (0,) * (len(expected) - 1), s))
            row += s[0]
        return TensorPlan(key, expected, dtype, tuple(pieces), (), False)
    raise UserError(
        f"{key}: plain-tensor shapes {shapes} across ranks are neither full copies nor dim-0 shards of the "
        f"{expected} tensor the config implies"
    )


def build_plan(reader: ShardReader, spec: ModelSpec) -> MergePlan:
    """Check the shards against `spec` and return the `MergePlan` (see the module docstring).

    `UserError` when a key is missing or unexpected (LoRA adapters are named as such), when ranks disagree
    on the keys, when a shape differs from the config's, or when a sharding is not supported.
    """
    states = [reader.state(r) for r in range(reader.world_size)]
    keys0 = set(states[0])
    for rank in range(1, reader.world_size):
        if set(states[rank]) != keys0:
            diff = sorted(set(states[rank]) ^ keys0)
            raise UserError(
                f"{reader.files.paths[rank]}: its keys differ from rank 0's ({', '.join(diff[:3])}"
                f"{', ...' if len(diff) > 3 else ''})"
            )
    lora = sorted(k for k in keys0 if "lora_" in k)
    if lora:
        raise UserError(
            f"{reader.files.paths[0]}: holds LoRA adapter weights ({lora[0]}, ...); merging LoRA checkpoints is "
            "not supported"
        )
    expected = spec.shapes
    missing = [k for k in spec.written_keys if k not in keys0]
    if missing:
        raise UserError(
            f"{reader.files.actor_dir}: the shards lack {len(missing)} of the model's weights ({', '.join(missing[:3])}"
            f"{', ...' if len(missing) > 3 else ''}); is the config the one this run trained?"
        )
    unexpected = sorted(keys0 - set(expected))
    if unexpected:
        raise UserError(
            f"{reader.files.actor_dir}: the shards hold {len(unexpected)} weights the config's model does not have "
            f"({', '.join(unexpected[:3])}{', ...' if len(unexpected) > 3 else ''})"
        )

    tensors = []
    for key in spec.written_keys:
        values = [states[r][key] for r in range(reader.world_size)]
        for rank, value in enumerate(values):
            if not isinstance(value, torch.Tensor):
                raise UserError(f"{reader.files.paths[rank]}: {key} holds a {type(value).__name__}, not a tensor")
        want = expected[key]
        if all(_is_dtensor(v) for v in values):
            got = tuple(values[0].shape)
            if got != want:
                raise UserError(
                    f"{key}: the checkpoint's tensor is {got}, the config's model needs {want} "
                    "(is the config the one this run trained?)"
                )
            for rank, value in enumerate(values[1:], start=1):
                if tuple(value.placements) != tuple(values[0].placements) or tuple(value.shape) != got:
                    raise UserError(f"{reader.files.paths[rank]}: {key} is sharded differently from rank 0")
            pieces = _dtensor_pieces(key, values[0], reader)
            plan = TensorPlan(key, want, values[0].dtype, pieces, (), True)
        elif any(_is_dtensor(v) for v in values):
            raise UserError(f"{key}: a DTensor on some ranks and a plain tensor on others")
        else:
            plan = _plain_plan(key, values, reader, want)
        _check_pieces(key, plan.pieces, reader, want)
        if len({v.dtype for v in values}) != 1:
            raise UserError(f"{key}: ranks store it in different dtypes ({sorted({str(v.dtype) for v in values})})")
        tensors.append(plan)
    return MergePlan(tensors, reader.world_size)
