"""The hf rollout server without Ray: batching, log-probs, EOS handling, weight loading."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from verl.workers.config import HFModelConfig

from sparkle.engine.hf_server import HFRolloutServer


def _server(model_dir) -> HFRolloutServer:
    rollout = SimpleNamespace(prompt_length=64, response_length=12)
    return HFRolloutServer(rollout, HFModelConfig(path=str(model_dir)), replica_rank=0)


@pytest.fixture(scope="module")
def server(tiny_model_dir) -> HFRolloutServer:
    return _server(tiny_model_dir)


@pytest.fixture(scope="module")
def prompts(tiny_model_dir) -> list[list[int]]:
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    texts = ["What is 2 + 3?", "Compute 7 * 8 and explain.", "Solve x + 1 = 4.", "A longer prompt about triangles."]
    return [tokenizer(t)["input_ids"] for t in texts]


async def _generate_all(server, prompts, params):
    return await asyncio.gather(
        *(server.generate(prompt_ids=p, sampling_params=dict(params), request_id=str(i)) for i, p in enumerate(prompts))
    )


def test_concurrent_requests_are_batched_into_one_generate_call(server, prompts) -> None:
    before = len(server.batch_sizes)
    outputs = asyncio.run(_generate_all(server, prompts * 2, {"temperature": 1.0, "top_p": 1.0, "top_k": -1}))
    assert server.batch_sizes[before:] == [8]
    assert all(1 <= len(o.token_ids) <= 12 for o in outputs)
    assert all(len(o.log_probs) == len(o.token_ids) for o in outputs)


def test_log_probs_match_a_forward_pass_of_the_same_weights(server, prompts, tiny_model_dir) -> None:
    temperature = 0.6
    outputs = asyncio.run(_generate_all(server, prompts, {"temperature": temperature, "top_p": 1.0, "top_k": -1}))
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, dtype=torch.float32).eval()
    for prompt, output in zip(prompts, outputs, strict=True):
        ids = torch.tensor([prompt + output.token_ids])
        with torch.no_grad():
            logits = model(ids).logits[0, len(prompt) - 1 : -1] / temperature
        expected = torch.log_softmax(logits, dim=-1).gather(-1, torch.tensor(output.token_ids)[:, None]).squeeze(-1)
        assert torch.allclose(torch.tensor(output.log_probs), expected, atol=1e-4)


def test_greedy_is_deterministic_and_stops_at_eos(server, prompts) -> None:
    greedy = {"temperature": 0.0, "top_p": 1.0, "top_k": -1}
    first = asyncio.run(_generate_all(server, prompts, greedy))
    second = asyncio.run(_generate_all(server, prompts, greedy))
    assert [o.token_ids for o in first] == [o.token_ids for o in second]
    for output in first:
        eos_positions = [i for i, t in enumerate(output.token_ids) if t in server.eos_ids]
        assert eos_positions in ([], [len(output.token_ids) - 1])  # EOS only as the last token


def test_max_tokens_respects_the_prompt_budget(server) -> None:
    assert server._max_tokens(60, {}) == 12  # min(response_length, 64 + 12 - 60)
    assert server._max_tokens(70, {}) == 6
    assert server._max_tokens(10, {"max_tokens": 3}) == 3


def test_load_weights_changes_what_is_sampled_and_rejects_unknown_tensors(tiny_model_dir, prompts) -> None:
    server = _server(tiny_model_dir)  # its own copy: this test changes the weights
    greedy = {"temperature": 0.0, "top_p": 1.0, "top_k": -1}
    before = asyncio.run(_generate_all(server, prompts[:1], greedy))[0]
    state = {k: v.clone() for k, v in server.model.state_dict().items()}
    # zero the final norm: every logit becomes 0 and greedy decoding picks token 0
    state["model.norm.weight"] = torch.zeros_like(state["model.norm.weight"])
    assert before.token_ids[0] != 0
    assert asyncio.run(server.load_weights(state)) == len(state)
    after = asyncio.run(_generate_all(server, prompts[:1], greedy))[0]
    assert after.token_ids[0] == 0
    with pytest.raises(RuntimeError, match="weight sync mismatch"):
        asyncio.run(server.load_weights({**state, "not.a.weight": torch.zeros(1)}))
    with pytest.raises(RuntimeError, match="weight sync mismatch"):
        asyncio.run(server.load_weights({"model.norm.weight": state["model.norm.weight"]}))  # partial: a bug
