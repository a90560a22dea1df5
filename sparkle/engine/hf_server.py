"""The `hf` rollout server: verl 0.9.1's token-in/token-out server contract on transformers `generate`.

One Ray actor per rollout replica. verl's agent loop sends every sample of a batch as its own
concurrent `generate` request; the server queues them and a single batcher task turns each burst of
requests that share sampling settings into one left-padded `model.generate` call (run in a thread
so the actor keeps accepting requests), so a CPU step is not serialised per sample.

For every generated token the server returns its log-probability under the distribution it was
sampled from before truncation: `log_softmax(logits / temperature)` (raw logits when greedy). This
is what the actor recomputes (verl divides logits by the rollout temperature), so the two agree when
the synced weights are the ones being sampled; verl logs the gap as
`training/rollout_probs_diff_*` when `rollout.calculate_log_probs=True`.

Semantics follow verl's vLLM server: `max_tokens` defaults to
min(response_length, prompt_length + response_length - len(prompt)); the returned token ids end
with the EOS token when one was generated; `extra_fields["global_steps"]` carries the weight version.

Sampling draws from the actor process's global torch generator, and a batch is whatever arrived within
the batching window, so which random numbers a sample gets depends on timing: two GRPO runs with the
same seed are not bit-reproducible (the demo's seed 3 got 0.125 and 0.016 of unhinted groups with reward
variance in two runs; README).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

import torch
from transformers import AutoConfig, AutoModelForCausalLM, GenerationConfig
from verl.utils.config import omega_conf_to_dataclass
from verl.workers.rollout.replica import TokenOutput

logger = logging.getLogger(__name__)

_BATCH_WINDOW_SECONDS = 0.02


@dataclass
class _Request:
    prompt_ids: list[int]
    max_tokens: int
    temperature: float
    top_p: float
    top_k: int
    future: asyncio.Future = field(repr=False)

    def batch_key(self) -> tuple[float, float, int]:
        return self.temperature, self.top_p, self.top_k


class HFRolloutServer:
    """Ray actor holding one copy of the policy for generation (fp32 on CPU)."""

    def __init__(self, config: Any, model_config: Any, replica_rank: int, max_batch_size: int = 256) -> None:
        self.config = config
        self.replica_rank = replica_rank
        self.max_batch_size = max_batch_size
        model_config = omega_conf_to_dataclass(model_config)  # replicas receive the raw DictConfig
        path = model_config.local_path
        attn = (model_config.override_config or {}).get("attn_implementation", "sdpa")
        hf_config = AutoConfig.from_pretrained(path, trust_remote_code=model_config.trust_remote_code)
        self.model = AutoModelForCausalLM.from_pretrained(
            path, config=hf_config, dtype=torch.float32, attn_implementation=attn
        ).eval()
        generation = GenerationConfig.from_model_config(hf_config)
        with contextlib.suppress(OSError):  # a model directory without generation_config.json
            generation = GenerationConfig.from_pretrained(path)
        eos = generation.eos_token_id if generation.eos_token_id is not None else hf_config.eos_token_id
        self.eos_ids: list[int] = [eos] if isinstance(eos, int) else list(eos or [])
        pad = generation.pad_token_id if generation.pad_token_id is not None else hf_config.pad_token_id
        self.pad_id: int = pad if pad is not None else (self.eos_ids[0] if self.eos_ids else 0)
        self.global_steps: int | None = None
        self._queue: list[_Request] = []
        self._batcher: asyncio.Task | None = None
        self.batch_sizes: list[int] = []

    # ---- generation -------------------------------------------------------------------------

    def _max_tokens(self, prompt_len: int, sampling_params: dict[str, Any]) -> int:
        budget = self.config.prompt_length + self.config.response_length - prompt_len
        requested = sampling_params.get("max_tokens", sampling_params.get("max_new_tokens"))
        limit = min(self.config.response_length, budget) if requested is None else requested
        return max(1, int(limit))

    async def generate(
        self,
        prompt_ids: list[int],
        sampling_params: dict[str, Any],
        request_id: str,
        image_data: Any = None,
        video_data: Any = None,
        **kwargs: Any,
    ) -> TokenOutput:
        """Queue one request and wait for its batch; see the module docstring."""
        if image_data is not None or video_data is not None:
            raise NotImplementedError("the hf rollout backend is text-only")
        prompt_ids = [int(t) for t in prompt_ids]
        loop = asyncio.get_running_loop()
        request = _Request(
            prompt_ids=prompt_ids,
            max_tokens=self._max_tokens(len(prompt_ids), sampling_params),
            temperature=float(sampling_params.get("temperature", 1.0)),
            top_p=float(sampling_params.get("top_p", 1.0)),
            top_k=int(sampling_params.get("top_k", -1)),
            future=loop.create_future(),
        )
        self._queue.append(request)
        if self._batcher is None or self._batcher.done():
            self._batcher = asyncio.create_task(self._run_batches())
        token_ids, log_probs = await request.future
        return TokenOutput(
            token_ids=token_ids,
            log_probs=log_probs,
            stop_reason="completed",
            extra_fields={"global_steps": self.global_steps},
        )

    async def _run_batches(self) -> None:
        while self._queue:
            # Let the rest of a burst of concurrent requests arrive before cutting a batch.
            await asyncio.sleep(_BATCH_WINDOW_SECONDS)
            key = self._queue[0].batch_key()
            batch = [r for r in self._queue if r.batch_key() == key][: self.max_batch_size]
            taken = {id(r) for r in batch}
            self._queue = [r for r in self._queue if id(r) not in taken]
            try:
                results = await asyncio.to_thread(self._generate_batch, batch)
            except Exception as err:  # a failed batch fails its requests, not the server
                for request in batch:
                    request.future.set_exception(err)
                continue
            for request, result in zip(batch, results, strict=True):
                request.future.set_result(result)

    @torch.no_grad()
    def _generate_batch(self, batch: list[_Request]) -> list[tuple[list[int], list[float]]]:
        """Left-pad the prompts, run one `generate`, and cut each row at its first EOS."""
        self.batch_sizes.append(len(batch))
        width = max(len(r.prompt_ids) for r in batch)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, request in enumerate(batch):
            input_ids[row, width - len(request.prompt_ids) :] = torch.tensor(request.prompt_ids)
            attention_mask[row, width - len(request.prompt_ids) :] = 1
        first = batch[0]
        greedy = first.temperature <= 0
        # A fresh GenerationConfig: the model's own defaults (top_k=50, repetition penalties) must
        # not leak into RL sampling. top_k=0 disables top-k, as verl's -1 does for vLLM.
        generation = GenerationConfig(
            max_new_tokens=max(r.max_tokens for r in batch),
            do_sample=not greedy,
            temperature=1.0 if greedy else first.temperature,
            top_p=1.0 if greedy else first.top_p,
            top_k=0 if greedy or first.top_k <= 0 else first.top_k,
            eos_token_id=self.eos_ids or None,
            pad_token_id=self.pad_id,
            return_dict_in_generate=True,
            output_logits=True,
        )
        output = self.model.generate(input_ids=input_ids, attention_mask=attention_mask, generation_config=generation)
        new_tokens = output.sequences[:, width:]
        logits = torch.stack(output.logits, dim=1).float()  # (batch, steps, vocab), unprocessed
        if not greedy:
            logits = logits / first.temperature
        log_probs = torch.log_softmax(logits, dim=-1).gather(-1, new_tokens.unsqueeze(-1)).squeeze(-1)
        results = []
        for row, request in enumerate(batch):
            tokens = new_tokens[row, : request.max_tokens].tolist()
            end = next((i + 1 for i, t in enumerate(tokens) if t in self.eos_ids), len(tokens))
            results.append((tokens[:end], log_probs[row, :end].tolist()))
        return results

    # ---- weights -------------------------------------------------------------------------------

    async def load_weights(self, state_dict: dict[str, torch.Tensor]) -> int:
        """Copy synced actor weights into the generation model; return how many tensors were loaded."""
        missing, unexpected = self.model.load_state_dict(state_dict, strict=False)
        tied = {"lm_head.weight"} if getattr(self.model.config, "tie_word_embeddings", False) else set()
        if unexpected or set(missing) - tied:
            raise RuntimeError(f"weight sync mismatch: missing={missing} unexpected={unexpected}")
        return len(state_dict)

    async def set_global_steps(self, global_steps: int | None) -> None:
        self.global_steps = global_steps

    # ---- lifecycle: nothing to free or pause on CPU ------------------------------------------

    async def wake_up(self) -> None: ...

    async def sleep(self) -> None: ...

    async def clear_kv_cache(self) -> None: ...

    async def release_kv_cache(self) -> None: ...

    async def resume_kv_cache(self) -> None: ...

    async def abort_all_requests(self, reject_request: bool = False) -> None: ...

    async def resume_generation(self) -> None: ...

    async def start_profile(self, **kwargs: Any) -> None: ...

    async def stop_profile(self) -> None: ...

    async def wait_for_requests_to_drain(self) -> None:
        while self._queue or (self._batcher is not None and not self._batcher.done()):
            await asyncio.sleep(0.01)
