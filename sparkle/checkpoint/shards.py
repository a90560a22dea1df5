"""Find and read the per-rank model shards of an actor directory, with bounded resident memory.

**Which files.** verl saves one ``model_world_size_W_rank_R.pt`` per rank and, since 0.4 or so, an
``fsdp_config.json`` with ``{"FSDP_version", "world_size"}``. `verl.model_merger` reads the world size
*only* from that JSON and refuses checkpoints without it (verl #2252), so we do this ourselves: the
world size comes from the file names, and the JSON, when present, must agree with them. A directory
that mixes world sizes (a stray file from another run) or lacks a rank is refused with the file named,
since either would silently produce a wrong model.

**How they are read.** `torch.load(mmap=True)` maps each file instead of reading it: unpickling touches
only the small pickle record, and a tensor's bytes are paged in when the merge reads them. Mapped pages
that were read count in the process's RSS until the mapping goes away, so the reader counts the bytes
read from each rank and, past a window, drops that rank's state dict: the last reference to the mapping
disappears, the kernel unmaps it, and the next access re-opens the file (unpickling again costs
milliseconds). Peak memory is then the window plus the tensor being merged, whatever the model size.
`verl.model_merger` instead loads every shard fully (in threads) and keeps all of them until the merge
ends, which needs the whole fp32 checkpoint in RAM.

**Safety.** Files are loaded with ``weights_only=True`` (DTensors are on torch's allow-list once
``torch.distributed.tensor`` is imported); `trust_pickle=True` lifts that for old files that pickle
other objects, since unpickling an untrusted file can run code.
"""

from __future__ import annotations

import json
import logging
import pickle
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sparkle.errors import UserError

SHARD_NAME = re.compile(r"model_world_size_(\d+)_rank_(\d+)\.pt")
FSDP_CONFIG = "fsdp_config.json"

# Module wrappers that older FSDP/activation-checkpointing setups leave inside parameter names.
_WRAPPER_PREFIXES = ("_fsdp_wrapped_module.", "_checkpoint_wrapped_module.", "_orig_mod.")


@dataclass(frozen=True)
class ShardFiles:
    """The model shards of one save: `paths[r]` is rank r's file."""

    actor_dir: Path
    world_size: int
    paths: tuple[Path, ...]
    has_fsdp_config: bool
    """Whether ``fsdp_config.json`` was there (older checkpoints lack it)."""
    fsdp_version: int | None
    """``FSDP_version`` from ``fsdp_config.json``; None when the file or the field is absent."""


def _read_fsdp_config(path: Path) -> dict[str, Any]:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, json.JSONDecodeError) as err:
        raise UserError(f"{path}: unreadable ({err})") from err
    if not isinstance(config, dict) or not isinstance(config.get("world_size"), int):
        raise UserError(f"{path}: expected a JSON object with an integer 'world_size'")
    return config


def find_shard_files(actor_dir: str | Path) -> ShardFiles:
    """List the shards of `actor_dir` and check they form one complete save.

    Algorithm: parse (W, R) from every ``model_world_size_W_rank_R.pt``; exactly one W may occur; ranks
    must be exactly 0..W-1; files must be non-empty; ``fsdp_config.json``, if present, must name the
    same W. Every violation is a `UserError` naming the files involved.
    """
    actor_dir = Path(actor_dir)
    by_world: dict[int, dict[int, Path]] = {}
    for path in sorted(actor_dir.iterdir()):
        match = SHARD_NAME.fullmatch(path.name)
        if match:
            world, rank = int(match.group(1)), int(match.group(2))
            by_world.setdefault(world, {})[rank] = path
    if not by_world:
        raise UserError(f"{actor_dir}: no model shards (model_world_size_W_rank_R.pt)")
    if len(by_world) > 1:
        sizes = "; ".join(
            f"world size {w}: {len(ranks)} file{'s' if len(ranks) != 1 else ''}"
            for w, ranks in sorted(by_world.items())
        )
        raise UserError(
            f"{actor_dir}: shards of more than one world size ({sizes}); a checkpoint holds one save, "
            "so move the files of the other run away"
        )
    ((world_size, ranks),) = by_world.items()
    if world_size < 1:
        raise UserError(f"{actor_dir}: shard names give world size {world_size}")
    missing = [r for r in range(world_size) if r not in ranks]
    if missing:
        names = ", ".join(f"model_world_size_{world_size}_rank_{r}.pt" for r in missing[:4])
        more = f" and {len(missing) - 4} more" if len(missing) > 4 else ""
        raise UserError(
            f"{actor_dir}: missing shard {names}{more} (world size {world_size} needs ranks 0-{world_size - 1})"
        )
    extra = sorted(r for r in ranks if r >= world_size)
    if extra:
        raise UserError(f"{ranks[extra[0]]}: rank {extra[0]} is out of range for world size {world_size}")
    for path in ranks.values():
        if path.stat().st_size == 0:
            raise UserError(f"{path}: empty file")

    fsdp_version = None
    config_path = actor_dir / FSDP_CONFIG
    has_config = config_path.exists()
    if has_config:
        config = _read_fsdp_config(config_path)
        if config["world_size"] != world_size:
            raise UserError(
                f"{config_path}: says world size {config['world_size']}, but the shard files are for world size "
                f"{world_size}"
            )
        version = config.get("FSDP_version")
        fsdp_version = version if isinstance(version, int) else None
    paths = tuple(ranks[r] for r in range(world_size))
    return ShardFiles(actor_dir, world_size, paths, has_config, fsdp_version)


def normalize_key(key: str) -> str:
    """Drop FSDP/checkpoint/compile wrapper segments from a parameter name."""
    for prefix in _WRAPPER_PREFIXES:
        key = key.replace(prefix, "")
    return key


@contextmanager
def _quiet_unpickling() -> Iterator[None]:
    """Silence torch's "DeviceMesh unpickled before process groups exist" warning: we never use the mesh's
    process groups, only its rank layout."""
    logger = logging.getLogger("torch.distributed.device_mesh")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def load_shard(path: Path, *, trust_pickle: bool = False, mmap: bool = True) -> dict[str, Any]:
    """Load one shard file as a state dict with normalised keys (tensors memory-mapped when `mmap`).

    Unreadable, truncated or non-dict files raise `UserError` naming the file.
    """
    from torch.distributed import tensor as _dtensor  # noqa: F401  (puts DTensor on the weights_only allow-list)

    try:
        with _quiet_unpickling():
            state = torch.load(path, map_location="cpu", mmap=mmap, weights_only=not trust_pickle)
    except pickle.UnpicklingError as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(
            f"{path}: safe loading refused it ({first}); if you trust this file, pass --trust-pickle"
        ) from err
    except (RuntimeError, OSError, EOFError, ValueError) as err:
        if mmap and "mmap" in str(err):
            # Files from torch.save(_use_new_zipfile_serialization=False) cannot be mapped: read them whole.
            return load_shard(path, trust_pickle=trust_pickle, mmap=False)
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(f"{path}: unreadable or truncated ({first})") from err
    if not isinstance(state, dict):
        raise UserError(f"{path}: expected a state dict, found {type(state).__name__}")
    return {normalize_key(k): v for k, v in state.items()}


class ShardReader:
    """Lazy, memory-mapped access to every rank's state dict, releasing mappings after `window_bytes`.

    `get(rank, key)` returns the stored value (a DTensor or a plain tensor backed by the file mapping).
    After using a piece, callers report its size with `note_read(rank, nbytes)`; once a rank has read
    more than its share of the window (``window_bytes / world_size``), that rank's state dict is dropped
    so its mapping can be unmapped (see the module docstring). Callers must not keep pieces beyond the
    tensor being merged, or the mapping stays alive.
    """

    def __init__(self, files: ShardFiles, *, window_bytes: int = 512 << 20, trust_pickle: bool = False) -> None:
        self.files = files
        self.trust_pickle = trust_pickle
        self.window_bytes = window_bytes
        self._states: list[dict[str, Any] | None] = [None] * files.world_size
        self._read: list[int] = [0] * files.world_size
        self.reopens = 0

    @property
    def world_size(self) -> int:
        """Number of ranks (files)."""
        return self.files.world_size

    def state(self, rank: int) -> dict[str, Any]:
        """Rank `rank`'s state dict, opening (mapping) the file if it is not open."""
        state = self._states[rank]
        if state is None:
            state = load_shard(self.files.paths[rank], trust_pickle=self.trust_pickle)
            self._states[rank] = state
            self.reopens += 1
        return state

    def get(self, rank: int, key: str) -> Any:
        """The value stored under `key` by rank `rank`; `UserError` if that rank lacks it."""
        try:
            return self.state(rank)[key]
        except KeyError:
            raise UserError(f"{self.files.paths[rank]}: no entry {key!r} (other ranks have it)") from None

    def note_read(self, rank: int, nbytes: int) -> None:
        """Account `nbytes` read from rank `rank`; drop its mapping once past its share of the window."""
        self._read[rank] += nbytes
        if self._read[rank] >= max(1, self.window_bytes // self.world_size):
            self.release(rank)

    def release(self, rank: int | None = None) -> None:
        """Drop the state dict of `rank` (all ranks if None), unmapping its file once no piece is held."""
        for r in range(self.world_size) if rank is None else (rank,):
            self._states[r] = None
            self._read[r] = 0
