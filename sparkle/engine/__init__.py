"""Sparkle's verl plugin: a `cpu` platform and an `hf` rollout backend (targets verl 0.9.1).

Loaded by verl itself through the `verl.plugins` entry point (pyproject.toml), in every process
that imports verl: the driver, the TaskRunner and all Ray workers. Loading only registers names;
nothing changes unless a run selects them with `VERL_PLATFORM=cpu` and
`actor_rollout_ref.rollout.name=hf` (the `cpu` preset in configs/ does both).
"""
