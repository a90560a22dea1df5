"""Build and run the verl command for a Sparkle stage.

The command is verl's own entry point with Sparkle's config folder:
    python -m verl.trainer.main_ppo --config-path <configs> --config-name <stage> [+preset=cpu] <overrides>
so every Hydra override a verl user knows applies unchanged.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sparkle.train.configs import CPU_ENV, CPU_PRESET


@dataclass(frozen=True)
class Launch:
    """A ready-to-run training command and the environment it needs."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)

    def shell(self) -> str:
        """The command as one shell line (for --dry-run and logs)."""
        prefix = " ".join(f"{k}={v}" for k, v in self.env.items())
        return (prefix + " " if prefix else "") + " ".join(_quote(a) for a in self.argv)


def _quote(arg: str) -> str:
    return f"'{arg}'" if any(c in arg for c in " []{}*$") else arg


def build_launch(config_dir: Path, config_name: str, overrides: Sequence[str], cpu: bool) -> Launch:
    """The `main_ppo` command for one stage."""
    argv = [
        sys.executable,
        "-m",
        "verl.trainer.main_ppo",
        "--config-path",
        str(config_dir),
        "--config-name",
        config_name,
    ]
    argv += ([CPU_PRESET] if cpu else []) + list(overrides)
    return Launch(argv=argv, env=dict(CPU_ENV) if cpu else {})


def run(launch: Launch) -> int:
    """Run the command in the foreground (output streams through); return its exit status."""
    return subprocess.call(launch.argv, env={**os.environ, **launch.env})
