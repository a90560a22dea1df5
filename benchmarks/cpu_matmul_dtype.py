"""bf16 vs fp32 matmul time on this CPU, at the CPU miniature's shapes: why the cpu preset trains in fp32.

verl's FSDP engine computes in bf16 unless `fsdp_config.mixed_precision` says otherwise. On a CPU without
bf16 units (AVX2 only, e.g. an AMD EPYC of this class) PyTorch runs bf16 matmuls far slower than fp32,
so `configs/preset/cpu.yaml` and the demo's warm start set fp32 for parameters, reductions and buffers.

The shape is one MLP projection of the tiny demo model on a micro-batch (8 sequences x 128 tokens,
hidden 128 -> 512), one thread as under `OMP_NUM_THREADS=1`. Prints the median of `--repeats` timings
of `--calls` matmuls per dtype and their ratio.

Usage: python benchmarks/cpu_matmul_dtype.py [--repeats 5] [--calls 50]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch


def median_seconds(dtype: torch.dtype, repeats: int, calls: int) -> float:
    """Median wall time of `calls` (1024 x 128) @ (128 x 512) matmuls in `dtype`."""
    generator = torch.Generator().manual_seed(0)
    left = torch.randn(8 * 128, 128, generator=generator).to(dtype)
    right = torch.randn(128, 512, generator=generator).to(dtype)
    left @ right  # warm-up
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            left @ right
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args()
    torch.set_num_threads(1)
    fp32 = median_seconds(torch.float32, args.repeats, args.calls)
    bf16 = median_seconds(torch.bfloat16, args.repeats, args.calls)
    print(f"fp32: {fp32 * 1e3:.1f} ms per {args.calls} matmuls (median of {args.repeats})")
    print(f"bf16: {bf16 * 1e3:.1f} ms per {args.calls} matmuls (median of {args.repeats})")
    print(f"bf16 / fp32: {bf16 / fp32:.1f}x")


if __name__ == "__main__":
    main()
