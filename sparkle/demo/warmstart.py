"""Warm start: a short supervised pass with verl's own SFT trainer, on the CPU backend.

`python -m verl.trainer.sft_trainer` (verl 0.9.1's engine-based SFT trainer) runs under torchrun with
2 gloo ranks, FSDP2 and Sparkle's `cpu` platform, on chat rows `[user: SPARKLE prompt, assistant:
reference solution]`. It is stopped after a few steps on purpose: the model learns the answer format
and some of the arithmetic, so that RL starts from partial competence. The checkpoint is converted
to an HF model with `sparkle.checkpoint.convert_checkpoint`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from sparkle.checkpoint import convert_checkpoint
from sparkle.data.prompts import chat_messages, plain_prompt
from sparkle.demo.tasks import Problem
from sparkle.errors import UserError
from sparkle.train.configs import CPU_ENV


def write_sft_data(problems: list[Problem], path: Path) -> Path:
    """One chat row per problem in verl's SFT `messages` format."""
    rows = [
        {"messages": [*chat_messages(plain_prompt(p.problem)), {"role": "assistant", "content": p.solution}]}
        for p in problems
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_parquet(path)
    return path


def sft_command(data: Path, model: Path, checkpoints: Path, steps: int, lr: float, batch: int) -> list[str]:
    """The torchrun command for verl's SFT trainer on 2 CPU ranks."""
    return [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nnodes=1",
        "--nproc_per_node=2",
        "-m",
        "verl.trainer.sft_trainer",
        f"data.train_files={data}",
        "data.val_files=null",
        f"data.train_batch_size={batch}",
        f"data.micro_batch_size_per_gpu={batch // 2}",
        "data.max_length=320",
        "data.use_dynamic_bsz=false",
        "data.num_workers=0",
        f"model.path={model}",
        "+model.override_config.attn_implementation=eager",
        "model.use_remove_padding=false",
        "model.enable_gradient_checkpointing=false",
        "engine.strategy=fsdp2",
        f"optim.lr={lr}",
        f"trainer.total_training_steps={steps}",
        "trainer.logger=[console]",
        f"trainer.default_local_dir={checkpoints}",
        f"trainer.save_freq={steps}",
        "trainer.device=cpu",
    ]


def warm_start(
    problems: list[Problem], model: Path, work: Path, output: Path, steps: int, lr: float, batch: int
) -> Path:
    """Fine-tune `model` on `problems` for `steps` steps and write the HF result to `output`."""
    data = write_sft_data(problems, work / "sft.parquet")
    checkpoints = work / "sft_checkpoints"
    command = sft_command(data, model, checkpoints, steps, lr, batch)
    log = work / "sft.log"
    with log.open("w") as handle:
        status = subprocess.call(command, stdout=handle, stderr=subprocess.STDOUT, env={**os.environ, **CPU_ENV})
    if status != 0:
        raise UserError(f"verl's SFT trainer failed with status {status}; see {log}")
    return convert_checkpoint(checkpoints / f"global_step_{steps}", output, dtype="fp32", base_model=model, log=None)
