#!/usr/bin/env python3
"""The original entry point for the stage-2 augmented data, now a thin wrapper over `sparkle data stage2`.

    python scripts/data/prepare_stage_two_data_aug.py --local_dir ./data --aug_version all|first_half \\
        [--hdfs_dir DIR] [sparkle data stage2 options]

Writes sparkle_hardmath_aug_{aug_version}_train.parquet/.jsonl (and a .report.json) into --local_dir
(created if missing — the original did not); any further option (e.g. --tokenizer, --source) is passed
through. Note on first_half (measured on the original): in the paragraph and numbered branches of the
split its 2 chunks still cover the whole trace; see `sparkle/data/split.py`.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--local_dir", default=os.path.join(os.getcwd(), "data"), help="output directory")
    parser.add_argument("--hdfs_dir", default=None, help="optionally copy the output directory there (verl hdfs_io)")
    parser.add_argument("--aug_version", default="all", choices=["all", "first_half"], help="augmentation version")
    args, rest = parser.parse_known_args(argv)

    from sparkle.cli import main as sparkle_main

    status = sparkle_main(["data", "stage2", "--output", args.local_dir, "--aug-version", args.aug_version, *rest])
    if status == 0 and args.hdfs_dir is not None:
        from verl.utils.hdfs_io import copy, makedirs

        makedirs(args.hdfs_dir)
        copy(src=args.local_dir, dst=args.hdfs_dir)
    return status


if __name__ == "__main__":
    sys.exit(main())
