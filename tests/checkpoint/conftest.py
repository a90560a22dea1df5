"""Real verl FSDP checkpoints of tiny random Qwen2 models, written once per test session.

Two gloo processes save them with verl's own `FSDPCheckpointManager`, the way the trainer does
(`sparkle.checkpoint.synthetic`); building them takes ~20-30 s, mostly two processes importing verl.
Tests that change a checkpoint work on a copy (`ckpt_helpers.copy_experiment`).
"""

from __future__ import annotations

import pytest
from ckpt_helpers import Experiments

from sparkle.checkpoint.synthetic import ExperimentJob, build_base_model, write_fsdp_experiments


@pytest.fixture(scope="session")
def experiments(tmp_path_factory: pytest.TempPathFactory) -> Experiments:
    root = tmp_path_factory.mktemp("checkpoints")
    base_tied = build_base_model(root / "base_tied")
    base_untied = build_base_model(root / "base_untied", tie_word_embeddings=False, seed=1)
    jobs = [
        ExperimentJob(root / "fsdp2", base_tied, steps=(1, 2)),
        ExperimentJob(root / "fsdp2_untied", base_untied),
        ExperimentJob(root / "fsdp1", base_tied, fsdp_version=1),
        ExperimentJob(root / "hsdp", base_untied, hsdp=True),
    ]
    write_fsdp_experiments(jobs, world_size=2)
    return Experiments(base_tied, base_untied, *(job.experiment_dir for job in jobs))
