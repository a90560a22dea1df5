"""Sizes, step counts and learning rates of the CPU miniature (full and `--quick`)."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class DemoSettings:
    """Everything that sets the size and duration of one demo run."""

    # The base seed fixes what stands in for the base model: the data split, the tokenizer, the model's
    # initialisation and the pretraining phase. The seed draws everything after it: the SFT rows, both GRPO
    # stages, mining, the probe and evaluation samples. The real recipe starts every run from the same
    # Qwen2.5-Math-7B; with the base varied too, the checks held on only some seeds, because how well
    # the pretraining phase learns to copy the question's numbers varies by seed (README)
    seed: int = 0
    base_seed: int = 0
    # model: "tiny", a Qwen2 (head_dim 32) with a BPE tokenizer trained on the generated text, or
    # "smollm2", SmolLM2-135M-Instruct (sparkle.demo.smollm2)
    base_model: str = "tiny"
    # pretrain the tiny base here even when the shipped one (sparkle.demo.base) has these settings' recipe
    fresh_base: bool = False
    hidden_size: int = 128
    # 3 layers: 4 layers and 1000 pretraining steps took 19-22 min for the whole run (README)
    num_layers: int = 3
    vocab_size: int = 512
    # the base model's pretraining phase (sparkle.demo.base; shipped for base seed 0 with these settings; none
    # when 0 steps), then the warm start's SFT on SPARKLE prompts (sparkle.demo.warmstart)
    # 1400 steps of 16: after 700, or 1400 of 8, the model knew where the numbers of only some days are
    # (README); prompts that keep a random part of the instruction copy under the full instruction, prompts
    # without it do not (sparkle.demo.warmstart)
    pretrain_steps: int = 1400
    pretrain_batch: int = 16
    # 200 steps: after 100 (seed 2) the model wrote wrong sums in 119 of 648 samples of the 81 easy problems,
    # most of them sums >= 10 (24 before SFT), after 200 in 31
    sft_steps: int = 200
    pretrain_lr: float = 3e-3
    sft_lr: float = 1e-3  # at 3e-3 the long-prompt phase unlearns copying: first step right 67% vs 94%
    sft_batch: int = 32
    sft_micro_batch: int = 16  # per rank
    # the careless teacher of the SFT phase (sparkle.demo.tasks.Teacher).
    # A slipped answer boxes the total before the last step; when it boxed the last number added instead, the
    # model learned to read its box off the question and boxed the question's total under wrong lines, so
    # 0.109-0.188 of unhinted groups had reward variance on four of nine full runs (README)
    answer_slip: float = 0.5
    # how much too high a slipped carry is: with 1 or 2 a misread addend (1..4) or a wrong sum cancels the
    # slip, so 0.14-0.20 of unhinted groups had reward variance on seeds 1 and 2 and stage 2 learned that
    # cancellation; a slip of ten is cancelled only by a tens digit ten off, in a sum, a later carry or the box;
    # eleven changes both digits, but then (seed 1) the hinted share fell to 0.48 and no stage-2 sample was
    # right in every line; with twenty (seed 1) 3.7% of samples with one carry left were right and stage 2
    # gained 1.8 points
    carry_error: int = 10
    # an unhinted hard chain has five carries, so it is right with probability ~r^5 for a per-carry right
    # rate r, while a hint leaves two carries, one or none. With five-step problems (four carries) at a slip of
    # 0.9 (r ~ 0.1) stage 2 raised held-out hard accuracy only 1.4 -> 2.5 (seed 0), at 0.6 the stage-1 model got
    # 0.5-1.2% of unhinted samples right and 0.125-0.172 of unhinted groups had variance on two of six runs.
    # With six steps, at 0.6 (base seed 0) stage 2 gained 0.2 points (hinted share 0.48); at 0.5 the unhinted
    # share was 0.016-0.031 and the hinted 0.46-0.52; at 0.45 seeds 0 and 1 passed all four checks (unhinted
    # 0.094 and 0.062, hinted 0.59 and 0.62), seed 2 missed the unhinted share (0.109) and seed 3 the stage-2
    # gain (1.4 -> 3.1; README). Those were plain sums. With the day-keyed story and slips of 0.65 in both
    # phases (the shipped base), seed 3 had 0.125 of unhinted groups with variance in one run and 0.016 in the
    # next (GRPO runs are not bit-reproducible: sparkle.engine.hf_server); at 0.75 in SFT the hinted share fell
    # to 0.54 and stage 2 gained 3.9 points (seed 3); at 0.7 in SFT every seed of a sweep passed all four
    # checks (README)
    carry_slip: float = 0.7
    # the base model's carry slips (the pretraining phase's teacher, whose boxes are right): the shipped base
    # was pretrained at 0.65, and the SFT phase's higher slip moves the warm start further from carrying right
    # without pretraining a new base (about 11 min)
    pretrain_carry_slip: float = 0.65
    # GRPO (both stages use configs/stage_*.yaml + the cpu preset)
    stage1_steps: int = 10  # held-out easy accuracy stops rising by step 10
    # 10: from the shipped base, validation accuracy on held-out hard problems was 43.8 and 18.8% at step 10 (seeds
    # 0 and 1 of 20-step runs), and seed 2's 10-step run gained 18.5 points (README)
    stage2_steps: int = 10
    stage1_prompts: int = 8  # prompts per GRPO step (verl's data.train_batch_size)
    # with 8, seed 0's stage 2 gained 2.5 points on hard problems (0.2 -> 2.7), with 16, 6.4 (stored stage-1 model)
    stage2_prompts: int = 16
    rollouts: int = 8
    stage1_lr: float = 1e-4
    # at 5e-5 (six addends, older settings) held-out hard went only 0.010 -> 0.062; from one stored six-step
    # stage-1 model (slips of 0.5), 20 steps at 1e-4 gained 4.1 points, at 2e-4 8.2 (16 steps at 2e-4: 4.9)
    stage2_lr: float = 2e-4
    # rollouts, mining and the probe sample at verl's default temperature; at the recipe's 0.6 the tiny
    # model's groups were too uniform (a third of hinted groups had reward variance)
    temperature: float = 1.0
    micro_batch: int = 16  # per rank, for the actor update and every log-prob pass (the cpu preset has 4)
    response_length: int = 112
    # verl pads every prompt to this many tokens, so it sets the length of every log-prob pass; the
    # longest demo prompt (the hint of all six steps of a day-keyed story) is about 265 tokens
    prompt_length: int = 288
    test_freq: int = 10  # validation at steps 0, 10 and the last
    val_problems: int = 16
    # hard-set mining with the stage-1 model, and the learning-signal probe on the stage-2 set
    # 73 of 96 were mined with six-step problems (slips of 0.45, seed 0), each at hint levels 0-3 in the stage-2
    # set; the probe takes 64 of them per level
    hard_pool: int = 96
    # with 8, problems the stage-1 model solves 1-5% of the time slipped through; 32 kept 68 of 128 instead of
    # 101 (seed 1) for an unhinted share of 0.109 instead of 0.172: that model solves every problem about as often
    mine_samples: int = 16
    probe_problems: int = 64  # per hint level
    probe_samples: int = 8
    # held-out evaluation (avg@k)
    easy_eval: int = 32
    hard_eval: int = 64
    eval_samples: int = 8


GENERATION_SEQUENCES = 128
"""Sequences per transformers `generate` call in mining, the probe and evaluation: on 2 cores the seed-2
stage-1 model sampled 64 hard problems x 16 in 30.9 s in calls of 128 sequences and in 61.2 s in calls
of 512 (`benchmarks/demo_generation_batch.py`; calls of 256 and 64 were also slower than 128)."""


def prompts_per_generate(samples: int, sequences: int = GENERATION_SEQUENCES) -> int:
    """Prompts per `generate` call of about `sequences` sequences when each prompt is sampled `samples` times."""
    return max(1, sequences // samples)


FULL = DemoSettings()
QUICK = replace(
    FULL,
    mine_samples=8,
    probe_problems=48,
    eval_samples=4,
)
"""CI's version: the same stages, training steps and held-out problems (so the same pretraining rows), fewer
mining, probe and evaluation samples."""
SMOLLM2 = replace(
    FULL,
    base_model="smollm2",
    prompt_length=512,
    pretrain_steps=0,
    sft_steps=40,
    sft_lr=1e-5,
    sft_batch=16,
    sft_micro_batch=4,
    stage1_steps=10,
    stage2_steps=10,
    stage1_prompts=4,
    stage2_prompts=4,
    stage1_lr=2e-6,
    stage2_lr=2e-6,
    micro_batch=4,
    val_problems=8,
    hard_pool=64,
    mine_samples=8,
    probe_problems=16,
    easy_eval=16,
    hard_eval=16,
    eval_samples=4,
)
"""A real 135M model: no pretraining phase, small batches (its backward at 32 x 193 tokens peaks at
15.9 GB), fewer steps and problems; not tuned to pass the learning checks."""
