#!/usr/bin/env bash
# SparkleRL stage 1, keeping the original scripts/train/stage_one.sh interface:
#   ./scripts/train/stage_one.sh --model Qwen/Qwen2.5-Math-7B [--cpu] [hydra overrides...]
# A thin wrapper over `sparkle train stage1`; extra arguments reach verl as Hydra overrides.
set -euo pipefail
exec sparkle train stage1 "$@"
