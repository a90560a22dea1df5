#!/usr/bin/env python3
"""The original entry point for the stage-1 data, now a thin wrapper over `sparkle data stage1`.

    python scripts/data/prepare_stage_one_data.py --local_dir ./data [--hdfs_dir DIR] [sparkle data stage1 options]

Writes sparkle_dsr40k.parquet/.jsonl and sparkle_aime2024.parquet/.jsonl into --local_dir (created if
missing), as the original did; any further option (e.g. --source, --skip-invalid) is passed through.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--local_dir", default=os.path.join(os.getcwd(), "data"), help="output directory")
    parser.add_argument("--hdfs_dir", default=None, help="optionally copy the output directory there (verl hdfs_io)")
    args, rest = parser.parse_known_args(argv)

    from sparkle.cli import main as sparkle_main

    status = sparkle_main(["data", "stage1", "--output", args.local_dir, *rest])
    if status == 0 and args.hdfs_dir is not None:
        from verl.utils.hdfs_io import copy, makedirs

        makedirs(args.hdfs_dir)
        copy(src=args.local_dir, dst=args.hdfs_dir)
    return status


if __name__ == "__main__":
    sys.exit(main())
