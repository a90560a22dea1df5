"""Entry-point module of the verl plugin: importing it registers the `cpu` platform and `hf` rollout."""

from sparkle.engine import cpu_platform  # noqa: F401  (registers the platform on import)
from sparkle.engine.hf_rollout import register

register()
