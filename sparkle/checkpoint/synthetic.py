"""Write real verl FSDP checkpoints of small random Qwen2 models on CPU (tests, benchmark, CPU demo).

A checkpoint here is made the way verl's trainer makes one: N gloo processes wrap the model with FSDP2
(`fully_shard` per decoder layer, then the root, on a device mesh named ``("fsdp",)`` as verl's engine
builds it) or FSDP1 (with that mesh, so its sharded state dict holds DTensors, as in verl), take AdamW
steps, and save with verl's own `FSDPCheckpointManager`; rank 0 then writes
``latest_checkpointed_iteration.txt`` as the trainer does after a save. Beside the experiment,
``reference/global_step_N.pt`` holds the full fp32 state dict gathered at that step, the ground truth a
conversion must reproduce.

No CPU platform plugin is needed for this: the manager's device calls are all guarded (shard offload
only `if is_cuda_available`, RNG state of an accelerator only `if is_device_available()`), so verl's
fallback to its CUDA platform on a machine without CUDA is harmless here.

`random_init=True` skips loading weights: the model is built on the meta device, sharded, and each
rank fills its own shard with seeded noise, so a model of hundreds of millions of parameters never
exists whole in one process (the memory benchmark uses this).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REFERENCE_DIR = "reference"


def build_base_model(
    directory: str | Path,
    *,
    hidden_size: int = 64,
    num_layers: int = 2,
    num_heads: int = 2,
    num_kv_heads: int = 1,
    intermediate_size: int = 173,
    extra_vocab: int = 5,
    tie_word_embeddings: bool = True,
    with_weights: bool = True,
    corpus_size: int = 200,
    seed: int = 0,
) -> Path:
    """Save a random Qwen2 (or only its config, without weights), a byte-level BPE tokenizer with a ChatML
    template, and a generation config whose EOS is the tokenizer's, to `directory`.

    The defaults give odd sizes (vocabulary = tokenizer size + `extra_vocab`, intermediate 173) so that
    FSDP's dim-0 shards are uneven across 2 ranks.
    """
    import torch
    from transformers import GenerationConfig, Qwen2ForCausalLM

    from sparkle.tiny_model import qwen2_config, synthetic_math_corpus, train_tokenizer

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = train_tokenizer(synthetic_math_corpus(corpus_size, seed=seed), vocab_size=512)
    config = qwen2_config(
        tokenizer,
        vocab_size=len(tokenizer) + extra_vocab,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_layers=num_layers,
        num_heads=num_heads,
        num_kv_heads=num_kv_heads,
        max_position_embeddings=512,
        tie_word_embeddings=tie_word_embeddings,
    )
    generation = GenerationConfig(eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)
    if with_weights:
        torch.manual_seed(seed)
        model = Qwen2ForCausalLM(config)
        model.generation_config = generation
        model.save_pretrained(directory)
    else:
        config.architectures = ["Qwen2ForCausalLM"]
        config.save_pretrained(directory)
        generation.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


@dataclass(frozen=True)
class ExperimentJob:
    """One experiment to write: where, from which base model, how, and at which steps to save."""

    experiment_dir: Path
    base_model: Path
    fsdp_version: int = 2
    hsdp: bool = False
    """FSDP2 over a 2-d mesh ("ddp", "fsdp") = (world size, 1): replicated across ranks (HSDP)."""
    steps: tuple[int, ...] = (1,)
    random_init: bool = False
    save_contents: tuple[str, ...] = ("model", "optimizer", "extra")
    reference: bool = True
    seed: int = 0
    lr: float = 1e-2


def _wrap(model: Any, mesh: Any, fsdp_version: int) -> Any:
    import torch

    if fsdp_version == 2:
        from torch.distributed.fsdp import fully_shard

        for layer in model.model.layers:
            fully_shard(layer, mesh=mesh)
        fully_shard(model, mesh=mesh)
        return model
    from torch.distributed.fsdp import FullyShardedDataParallel
    from torch.distributed.fsdp.wrap import ModuleWrapPolicy

    layer_class = type(model.model.layers[0])
    # device_id=cpu and no sync_module_states: FSDP1 needs a GPU for the latter (verl-notes §7, #13).
    return FullyShardedDataParallel(
        model, device_mesh=mesh, auto_wrap_policy=ModuleWrapPolicy({layer_class}), device_id=torch.device("cpu")
    )


def _random_fill(model: Any, seed: int, rank: int) -> None:
    import torch

    generator = torch.Generator().manual_seed(seed * 1000 + rank)
    with torch.no_grad():
        for name, param in model.named_parameters():
            local = param.to_local() if hasattr(param, "to_local") else param
            if name.endswith("norm.weight"):
                local.fill_(1.0)
            else:
                local.normal_(0.0, 0.02, generator=generator)


def _full_state_dict(model: Any) -> dict[str, Any]:
    """The full state dict, gathered by DTensor's own all-gather from the sharded state dict (a path
    independent of the converter's merge). Collective: every rank must call it."""
    from torch.distributed.fsdp import StateDictType
    from verl.utils.fsdp_utils import get_fsdp_state_ctx

    with get_fsdp_state_ctx(model, StateDictType.SHARDED_STATE_DICT, None, None):
        sharded = model.state_dict()
    return {k: (v.full_tensor() if hasattr(v, "full_tensor") else v).detach().clone() for k, v in sharded.items()}


def _run_job(job: ExperimentJob, rank: int, world_size: int) -> None:
    import torch
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer
    from verl.utils.checkpoint.fsdp_checkpoint_manager import FSDPCheckpointManager

    if job.hsdp:
        mesh = init_device_mesh("cpu", (world_size, 1), mesh_dim_names=("ddp", "fsdp"))
    else:
        mesh = init_device_mesh("cpu", (world_size,), mesh_dim_names=("fsdp",))
    tokenizer = AutoTokenizer.from_pretrained(job.base_model)
    if job.random_init:
        config = AutoConfig.from_pretrained(job.base_model)
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        model = _wrap(model, mesh, job.fsdp_version)
        model.to_empty(device="cpu")
        _random_fill(model, job.seed, rank)
    else:
        model = AutoModelForCausalLM.from_pretrained(job.base_model, dtype=torch.float32)
        model = _wrap(model, mesh, job.fsdp_version)
    optimizer = torch.optim.AdamW(model.parameters(), lr=job.lr) if "optimizer" in job.save_contents else None
    manager = FSDPCheckpointManager(
        model=model,
        optimizer=optimizer,
        lr_scheduler=None,
        processing_class=tokenizer,
        checkpoint_config={"save_contents": list(job.save_contents), "load_contents": list(job.save_contents)},
    )
    generator = torch.Generator().manual_seed(job.seed)
    vocab = min(len(tokenizer), 100)
    for step in range(1, max(job.steps) + 1):
        if optimizer is not None:
            ids = torch.randint(0, vocab, (2, 12), generator=generator)
            loss = model(input_ids=ids, labels=ids).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
        if step not in job.steps:
            continue
        manager.save_checkpoint(str(job.experiment_dir / f"global_step_{step}" / "actor"), global_step=step)
        full = _full_state_dict(model) if job.reference else None
        if rank == 0:
            (job.experiment_dir / "latest_checkpointed_iteration.txt").write_text(str(step))
            if full is not None:
                (job.experiment_dir / REFERENCE_DIR).mkdir(exist_ok=True)
                torch.save(full, job.experiment_dir / REFERENCE_DIR / f"global_step_{step}.pt")
        dist.barrier()


def _worker(rank: int, jobs: Sequence[ExperimentJob], world_size: int, store: str) -> None:
    os.environ.setdefault("VERL_LOGGING_LEVEL", "WARNING")
    import torch
    import torch.distributed as dist

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{store}", rank=rank, world_size=world_size)
    try:
        for job in jobs:
            _run_job(job, rank, world_size)
    finally:
        dist.destroy_process_group()


def write_fsdp_experiments(jobs: Sequence[ExperimentJob], *, world_size: int = 2) -> list[Path]:
    """Write every job's experiment with `world_size` spawned gloo processes (one spawn for all jobs,
    since each process spends seconds importing verl). Returns the experiment directories."""
    import tempfile

    import torch.multiprocessing as mp

    jobs = list(jobs)
    for job in jobs:
        job.experiment_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sparkle-dist-") as tmp:
        mp.start_processes(
            _worker, args=(jobs, world_size, str(Path(tmp) / "store")), nprocs=world_size, start_method="spawn"
        )
    return [job.experiment_dir for job in jobs]
