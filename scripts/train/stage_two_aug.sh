#!/usr/bin/env bash
# SparkleRL stage 2 on hint-augmented hard problems, keeping the original interface:
#   ./scripts/train/stage_two_aug.sh --model STAGE_ONE_MODEL [--cpu] [hydra overrides...]
# STAGE_ONE_MODEL is an HF model or a stage-1 experiment directory (its latest checkpoint is
# converted first); as in the original it defaults to $PATH_TO_STAGE_ONE_MODEL.
# A thin wrapper over `sparkle train stage2 --aug`; extra arguments reach verl as Hydra overrides.
set -euo pipefail
exec sparkle train stage2 --aug ${PATH_TO_STAGE_ONE_MODEL:+--model "$PATH_TO_STAGE_ONE_MODEL"} "$@"
