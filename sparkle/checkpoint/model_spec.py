"""What the output model must contain, read from its Hugging Face config without allocating weights.

The config (``<actor>/huggingface/config.json`` or ``--base-model``) is the ground truth for the merge:
it gives every state-dict key with its full shape, in the model's own order, and which keys are tied
aliases of another (``lm_head.weight`` when ``tie_word_embeddings``). We get these from a model built
on the meta device, so a 7B config costs no memory. The plan (`plan.py`) then checks the shards against
it: a missing or extra key, or a shape that differs, is an error before anything is written.

verl does two parts of this job and we use it for them: `FSDPModelMerger.get_transformers_auto_model_class`
picks the Auto class from the config's architectures (including ``auto_map`` remote code), and
`drop_tied_target_keys` finds tied aliases the way verl's own saver does (by parameter identity after
``tie_weights()``; transformers >= 5 refuses to re-tie when both keys are in the file).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sparkle.errors import UserError


@dataclass
class ModelSpec:
    """The target model: its config, Auto class, every state-dict key's shape, and tied aliases."""

    config: Any
    auto_class: Any
    shapes: dict[str, tuple[int, ...]]
    """Every state-dict key (parameters and persistent buffers) in the model's order, tied aliases too."""
    tied_aliases: frozenset[str]
    """Keys that are tied to another key and therefore not written (the canonical key is)."""
    trust_remote_code: bool = False

    @property
    def written_keys(self) -> list[str]:
        """Keys written to the output, in order."""
        return [k for k in self.shapes if k not in self.tied_aliases]


def _verl_merger(hf_dir: Path, actor_dir: Path, trust_remote_code: bool) -> Any:
    from verl.model_merger.base_model_merger import ModelMergerConfig
    from verl.model_merger.fsdp_model_merger import FSDPModelMerger

    config = ModelMergerConfig(
        operation="merge",
        backend="fsdp",
        local_dir=str(actor_dir),
        hf_model_config_path=str(hf_dir),
        target_dir=None,
        trust_remote_code=trust_remote_code,
    )
    return FSDPModelMerger(config)


def empty_model(spec: ModelSpec, dtype: torch.dtype | None = None) -> torch.nn.Module:
    """Build the model with parameters on the meta device (no memory) and buffers real on the CPU.

    `accelerate.init_empty_weights` keeps buffers off the meta device, so non-persistent buffers that the
    constructor computes (rotary ``inv_freq``) are correct; parameters are filled in later.
    """
    from accelerate import init_empty_weights

    with init_empty_weights(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = {"dtype": dtype} if dtype is not None else {}
        return spec.auto_class.from_config(spec.config, trust_remote_code=spec.trust_remote_code, **kwargs)


def load_model_spec(hf_dir: str | Path, actor_dir: str | Path, *, trust_remote_code: bool = False) -> ModelSpec:
    """Read `hf_dir`'s config and return the `ModelSpec`; `UserError` if the config cannot be used."""
    from verl.utils.transformers_compat import drop_tied_target_keys

    hf_dir = Path(hf_dir)
    try:
        merger = _verl_merger(hf_dir, Path(actor_dir), trust_remote_code)
        if getattr(merger.model_config, "architectures", None):
            auto_class = merger.get_transformers_auto_model_class()
        else:
            # verl indexes architectures[0]; a config saved on its own (not by a model) has none, and the
            # actor of a verl RL run is a causal LM, whose class AutoModelForCausalLM finds from model_type.
            from transformers import AutoModelForCausalLM

            auto_class = AutoModelForCausalLM
    except (OSError, ValueError, KeyError, NotImplementedError, TypeError) as err:
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UserError(f"{hf_dir / 'config.json'}: cannot build a model from it ({first})") from err
    spec = ModelSpec(merger.model_config, auto_class, {}, frozenset(), trust_remote_code)
    model = empty_model(spec)
    state = model.state_dict()
    spec.shapes = {k: tuple(v.shape) for k, v in state.items()}
    names = dict.fromkeys(state)
    drop_tied_target_keys(names, model, spec.config)
    spec.tied_aliases = frozenset(k for k in state if k not in names)
    return spec
