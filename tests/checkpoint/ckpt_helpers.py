"""Helpers shared by the checkpoint tests (paths in the session's experiments, copies, leftovers)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sparkle.checkpoint.synthetic import REFERENCE_DIR


@dataclass(frozen=True)
class Experiments:
    """Paths of the session's checkpoints."""

    base_tied: Path
    base_untied: Path
    fsdp2: Path  # tied embeddings, steps 1 and 2 saved, tracker says 2
    fsdp2_untied: Path
    fsdp1: Path
    hsdp: Path  # FSDP2 on a ("ddp", "fsdp") = (2, 1) mesh


def reference(experiment: Path, step: int = 1) -> dict[str, torch.Tensor]:
    """The full fp32 state dict gathered by torch when step `step` was saved."""
    return torch.load(experiment / REFERENCE_DIR / f"global_step_{step}.pt", weights_only=True)


def actor(experiment: Path, step: int = 1) -> Path:
    """The actor directory of `step`."""
    return experiment / f"global_step_{step}" / "actor"


def copy_experiment(experiment: Path, target: Path) -> Path:
    """A private copy of `experiment` to modify."""
    shutil.copytree(experiment, target)
    return target


def leftovers(parent: Path, name: str) -> list[str]:
    """Temporary directories a conversion to `parent/name` left behind."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def load_output(directory: Path) -> dict[str, torch.Tensor]:
    """Every tensor of a converted model's safetensors files."""
    from safetensors.torch import load_file

    tensors: dict[str, torch.Tensor] = {}
    for path in sorted(directory.glob("*.safetensors")):
        tensors.update(load_file(path))
    return tensors


def assert_matches_reference(output: Path, ref: dict[str, torch.Tensor], dtype: torch.dtype, *, tied: bool) -> None:
    """The converted weights are the reference weights cast to `dtype`, bit for bit, with no tied alias."""
    got = load_output(output)
    expected = set(ref) - ({"lm_head.weight"} if tied else set())
    assert set(got) == expected
    for key, value in got.items():
        assert value.dtype == dtype, key
        assert torch.equal(value, ref[key].to(dtype)), key


def rewrite_shards(actor_dir: Path, change: Callable[[int, dict[str, Any]], dict[str, Any]]) -> None:
    """Load every rank file of `actor_dir`, apply `change(rank, state) -> state`, save it back."""
    from torch.distributed import tensor as _dtensor  # noqa: F401  (DTensor on the weights_only allow-list)

    for path in sorted(actor_dir.glob("model_world_size_*_rank_*.pt")):
        rank = int(path.stem.rsplit("_", 1)[1])
        state = torch.load(path, weights_only=True)
        torch.save(change(rank, state), path)


def to_plain(rank: int, state: dict[str, Any]) -> dict[str, Any]:
    """Replace every DTensor by a plain copy of its local shard (what older or hand-made shards hold)."""
    return {k: (v._local_tensor if hasattr(v, "_local_tensor") else v).clone() for k, v in state.items()}
