"""Where a `trainer.resume_mode=auto` run resumes, and whether that is an epoch boundary.

verl resumes the dataloader from `global_step_N/data.pt`. When step N ends an epoch exactly, that
state is an exhausted iterator, and older verl versions then trained zero steps and exited 0 (verl
PR #5725, issue #7401). verl 0.9.1, which Sparkle pins, detects this case in both its v1 and legacy
trainers and restarts the dataloader for the next epoch; tests/train/test_train_e2e.py resumes from
exactly such a checkpoint and asserts the next step runs. The launcher reports the resume point.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ResumePoint:
    """The checkpoint a run will resume from and where it falls in an epoch."""

    step: int
    steps_per_epoch: int

    @property
    def at_epoch_boundary(self) -> bool:
        return self.steps_per_epoch > 0 and self.step % self.steps_per_epoch == 0


def latest_step(experiment_dir: str | Path) -> int | None:
    """The step recorded in `latest_checkpointed_iteration.txt`, or None if there is no checkpoint."""
    marker = Path(experiment_dir) / "latest_checkpointed_iteration.txt"
    if not marker.is_file():
        return None
    text = marker.read_text().strip()
    return int(text) if text.isdigit() else None


def describe(point: ResumePoint) -> str:
    """One line for the launch log."""
    where = f"step {point.step}"
    if point.at_epoch_boundary:
        where += f", the end of epoch {point.step // point.steps_per_epoch} (the dataloader restarts)"
    return f"resuming from {where}"


def resume_point(experiment_dir: str | Path, train_rows: int, batch_size: int) -> ResumePoint | None:
    """Where a `resume_mode=auto` run in `experiment_dir` resumes (steps per epoch use drop_last)."""
    step = latest_step(experiment_dir)
    if step is None:
        return None
    return ResumePoint(step=step, steps_per_epoch=train_rows // batch_size)
