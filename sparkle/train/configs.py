"""Where the stage configs live and how `sparkle train` composes them (exactly as verl will).

The configs are plain verl Hydra configs in the repository's `configs/` folder, composed on top of
`pkg://verl.trainer.config`. `compose` uses Hydra's compose API with the same search path, config
name and overrides that `python -m verl.trainer.main_ppo` receives, so the checks run on the config
the trainer will see.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omegaconf import DictConfig

from sparkle.errors import UserError

REPO_CONFIG_DIR = Path(__file__).resolve().parents[2] / "configs"
CPU_PRESET = "+preset=cpu"

# (stage, variant) -> config name in configs/
STAGE_CONFIGS = {
    ("stage1", None): "stage_one",
    ("stage2", "aug"): "stage_two_aug",
    ("stage2", "hard"): "stage_two_hard",
    ("stage2", "mix"): "stage_two_mix",
}

# Environment for CPU runs: the driver resolves verl's platform too (the preset sets the same
# variables for the Ray workers through ray_kwargs.ray_init.runtime_env).
CPU_ENV = {"VERL_PLATFORM": "cpu", "VERL_ENGINE_DEVICE": "cuda", "TOKENIZERS_PARALLELISM": "false"}


def config_dir(explicit: str | Path | None = None) -> Path:
    """Return the directory holding the stage configs (the repository's `configs/` by default)."""
    directory = Path(explicit) if explicit else REPO_CONFIG_DIR
    if not (directory / "stage_one.yaml").is_file():
        raise UserError(
            f"{directory}: no stage configs here (stage_one.yaml missing); pass --config-dir pointing to "
            "Sparkle's configs/ folder"
        )
    return directory.resolve()


def compose(directory: Path, name: str, overrides: Sequence[str]) -> DictConfig:
    """Compose `name` with `overrides` the way verl's `main_ppo` will (no Hydra run directory)."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        with initialize_config_dir(config_dir=str(directory), version_base=None):
            return hydra_compose(config_name=name, overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as err:
        raise UserError(f"cannot compose config '{name}' with {list(overrides)}: {err}") from None
