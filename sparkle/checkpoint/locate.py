"""Find the actor directory (the one holding `model_world_size_W_rank_R.pt`) from what the user points at.

verl's trainer writes ``<experiment>/global_step_N/actor/`` and, after each complete save, the step
number to ``<experiment>/latest_checkpointed_iteration.txt`` (verl-notes §10.2). A user may give any of
the three levels, so we accept:

1. an actor directory: it holds ``model_world_size_*_rank_*.pt`` files;
2. a ``global_step_N`` directory: it holds ``actor/``;
3. an experiment directory: it holds ``latest_checkpointed_iteration.txt``, whose step we take.

The tracker is the only safe way to pick a step in an experiment directory: verl writes it after the
save finished, so a ``global_step_N`` directory without it may be a save that died half way (or an async
save, for which verl skips the tracker). Without a tracker we therefore refuse and list the steps found,
instead of guessing the highest one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sparkle.errors import UserError

TRACKER_FILE = "latest_checkpointed_iteration.txt"
SHARD_GLOB = "model_world_size_*_rank_*.pt"
_STEP_DIR = re.compile(r"global_step_(\d+)")


@dataclass(frozen=True)
class CheckpointLocation:
    """Where the shards are: `actor_dir`, and the training step when it can be told from the path."""

    actor_dir: Path
    step: int | None


def _has_shards(directory: Path) -> bool:
    return any(directory.glob(SHARD_GLOB))


def _step_of(directory: Path) -> int | None:
    match = _STEP_DIR.fullmatch(directory.name)
    return int(match.group(1)) if match else None


def _read_tracker(experiment: Path) -> int:
    tracker = experiment / TRACKER_FILE
    try:
        text = tracker.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise UserError(f"{tracker}: cannot read ({err.strerror or err})") from err
    if not text.isdigit():
        raise UserError(f"{tracker}: expected a step number, found {text[:40]!r}")
    return int(text)


def _available_steps(experiment: Path) -> list[int]:
    return sorted(s for d in experiment.iterdir() if d.is_dir() and (s := _step_of(d)) is not None)


def locate_actor_dir(path: str | Path) -> CheckpointLocation:
    """Resolve `path` (experiment, `global_step_N` or actor directory) to its actor directory.

    Raises `UserError` naming the path and what was expected when nothing matches, when the step in
    the tracker has no directory, or when a step directory has no actor.
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise UserError(f"{path}: no such checkpoint directory")
    if not path.is_dir():
        raise UserError(f"{path}: not a directory (expected an experiment, global_step_N or actor directory)")

    if _has_shards(path):
        return CheckpointLocation(path, _step_of(path.parent))

    if (path / "actor").is_dir():
        actor = path / "actor"
        if not _has_shards(actor):
            raise UserError(f"{actor}: no model shards ({SHARD_GLOB})")
        return CheckpointLocation(actor, _step_of(path))

    if (path / TRACKER_FILE).is_file():
        step = _read_tracker(path)
        step_dir = path / f"global_step_{step}"
        if not step_dir.is_dir():
            found = ", ".join(str(s) for s in _available_steps(path)) or "none"
            raise UserError(
                f"{path / TRACKER_FILE} names step {step}, but {step_dir.name}/ does not exist (steps found: {found})"
            )
        actor = step_dir / "actor"
        if not actor.is_dir() or not _has_shards(actor):
            raise UserError(f"{actor}: no model shards ({SHARD_GLOB})")
        return CheckpointLocation(actor, step)

    steps = _available_steps(path)
    if steps:
        listed = ", ".join(f"global_step_{s}" for s in steps)
        raise UserError(
            f"{path}: no {TRACKER_FILE}, so the latest complete step is unknown; "
            f"pass one of its step directories ({listed})"
        )
    raise UserError(f"{path}: not a checkpoint (expected {SHARD_GLOB} files, an actor/ directory or {TRACKER_FILE})")
