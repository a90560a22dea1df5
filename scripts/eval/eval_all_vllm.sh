#!/usr/bin/env bash
# Evaluate the stage-1 and stage-2 models on the five benchmarks, keeping the original interface:
#   PATH_TO_STAGE_ONE_MODEL=... PATH_TO_STAGE_TWO_MODEL=... ./scripts/eval/eval_all_vllm.sh [sparkle eval options]
# Each variable is a local model directory (checked to exist) or a hub id. A thin wrapper over
# `sparkle eval`: vLLM with tensor parallelism (TENSOR_PARALLEL_SIZE, default 4 as in the original),
# 8 samples per problem, results in OUTPUT_DIR (default outputs/). Extra arguments go to `sparkle eval`
# and win over the defaults here, e.g. --data-parallel-size 2, --tasks all_local, --backend hf.
# Finished model x task pairs are skipped when the script is run again.
set -euo pipefail

: "${PATH_TO_STAGE_ONE_MODEL:?set PATH_TO_STAGE_ONE_MODEL to the stage-1 model (directory or hub id)}"
: "${PATH_TO_STAGE_TWO_MODEL:?set PATH_TO_STAGE_TWO_MODEL to the stage-2 model (directory or hub id)}"

for model in "$PATH_TO_STAGE_ONE_MODEL" "$PATH_TO_STAGE_TWO_MODEL"; do
    # Like the original: something that looks like a path must exist; anything else is a hub id.
    if [[ "$model" == /* || "$model" == .* || "$model" == "~"* || -e "$model" ]] && [[ ! -d "$model" ]]; then
        echo "eval_all_vllm.sh: model directory not found: $model" >&2
        exit 2
    fi
done

exec sparkle eval \
    --models "$PATH_TO_STAGE_ONE_MODEL" "$PATH_TO_STAGE_TWO_MODEL" \
    --names stage1 stage2 \
    --tasks all \
    --backend vllm \
    --tensor-parallel-size "${TENSOR_PARALLEL_SIZE:-4}" \
    --samples 8 \
    --output "${OUTPUT_DIR:-outputs}" \
    "$@"
