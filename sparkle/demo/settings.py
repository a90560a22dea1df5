"""Sizes, step counts and learning rates of the CPU miniature (full and `--quick`)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DemoSettings:
    """Everything that sets the size and duration of one demo run."""

    seed: int = 0
    # model: a tiny Qwen2 (head_dim 32) with a BPE tokenizer trained on the generated text
    hidden_size: int = 128
    num_layers: int = 4
    vocab_size: int = 512
    # warm start: verl's SFT trainer on easy problems, stopped early for partial competence
    sft_examples: int = 4000
    sft_steps: int = 100
    sft_lr: float = 3e-3
    sft_batch: int = 32
    # GRPO (both stages use configs/stage_*.yaml + the cpu preset)
    stage1_problems: int = 236
    stage1_steps: int = 30
    stage2_steps: int = 20
    prompts_per_step: int = 8
    rollouts: int = 8
    lr: float = 5e-4
    response_length: int = 48
    test_freq: int = 5
    # hard-set mining with the stage-1 model, and stage-2 hints (one step per level)
    hard_pool: int = 256
    mine_samples: int = 8
    hint_levels: int = 2
    # held-out evaluation (avg@k) and the learning-signal probe
    eval_problems: int = 64
    eval_samples: int = 4
    probe_problems: int = 32
    probe_samples: int = 8


FULL = DemoSettings()
QUICK = replace(FULL, stage1_steps=10, stage2_steps=6, hard_pool=96, eval_problems=32, probe_problems=16)
