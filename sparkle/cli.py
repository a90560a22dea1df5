"""The `sparkle` command: one entry point, one subcommand group per package.

Each group lives next to the code it drives (`sparkle/<group>/cli.py`) and exposes
`register(subparsers)`, which adds its parser and sets `func` on it. `main` parses, dispatches and
turns `UserError` into a one-line message and exit status 2, so bad input never ends in a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sparkle import __version__
from sparkle.analysis import cli as analysis_cli
from sparkle.checkpoint import cli as checkpoint_cli
from sparkle.data import cli as data_cli
from sparkle.demo import cli as demo_cli
from sparkle.errors import UserError
from sparkle.eval import cli as eval_cli
from sparkle.reward import cli as reward_cli
from sparkle.train import cli as train_cli

COMMAND_GROUPS = (reward_cli, data_cli, train_cli, checkpoint_cli, demo_cli, eval_cli, analysis_cli)


def build_parser() -> argparse.ArgumentParser:
    """Return the top-level parser with every command group registered."""
    parser = argparse.ArgumentParser(
        prog="sparkle",
        description="Two-stage GRPO for math reasoning on verl (SPARKLE reproduction).",
    )
    parser.add_argument("--version", action="version", version=f"sparkle {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for group in COMMAND_GROUPS:
        group.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in `argv`; return the process exit status."""
    parser = build_parser()
    # Commands that forward Hydra overrides (`sparkle train`) take every argument they do not know.
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "forwards_overrides", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.overrides = extra
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except UserError as err:
        print(f"sparkle {args.command}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
