"""The tiny offline model builder: tokenizer specials, chat template, model shape, generation."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparkle.tiny_model import build_tiny_model, train_tokenizer


def test_saved_folder_loads_with_auto_classes(tiny_model_dir: Path, tiny_tokenizer):
    from transformers import AutoModelForCausalLM

    assert {"config.json", "model.safetensors", "tokenizer.json"} <= {p.name for p in tiny_model_dir.iterdir()}
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    config = model.config
    assert type(model).__name__ == "Qwen2ForCausalLM"
    assert config.hidden_size // config.num_attention_heads >= 32
    assert (config.hidden_size, config.num_hidden_layers, config.num_attention_heads, config.num_key_value_heads) == (
        128,
        2,
        4,
        2,
    )
    assert config.vocab_size % 64 == 0 and config.vocab_size >= len(tiny_tokenizer)
    assert config.eos_token_id == tiny_tokenizer.convert_tokens_to_ids("<|im_end|>")


def test_tokenizer_special_tokens_and_chat_template(tiny_tokenizer):
    assert tiny_tokenizer.eos_token == "<|im_end|>" and tiny_tokenizer.pad_token == "<|endoftext|>"
    ids = tiny_tokenizer.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    assert ids == [0, 1, 2]
    text = tiny_tokenizer.apply_chat_template(
        [{"role": "user", "content": "What is 2+3?"}], add_generation_prompt=True, tokenize=False
    )
    assert text == (
        "<|im_start|>system\nPlease reason step by step, and put your final answer within \\boxed{}.<|im_end|>\n"
        "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n"
    )
    with_system = tiny_tokenizer.apply_chat_template(
        [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}], tokenize=False
    )
    assert with_system == "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n"
    encoded = tiny_tokenizer("a <|im_end|> b", add_special_tokens=False)["input_ids"]
    assert 2 in encoded  # the special token stays one token
    assert tiny_tokenizer.decode(tiny_tokenizer("Ünïcode \\frac{1}{2}")["input_ids"]) == "Ünïcode \\frac{1}{2}"


def test_generation_runs_and_is_seeded(tiny_model_dir: Path, tiny_tokenizer):
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    inputs = tiny_tokenizer(["Hello"], return_tensors="pt")
    outs = []
    for _ in range(2):
        torch.manual_seed(0)
        outs.append(model.generate(**inputs, max_new_tokens=5, do_sample=True).tolist())
    assert outs[0] == outs[1] and len(outs[0][0]) > inputs["input_ids"].shape[1]


def test_bpe_vocab_size_is_capped_and_head_dim_is_checked(tmp_path: Path):
    texts = [f"word{i} other{i % 7} text" for i in range(500)]
    assert len(train_tokenizer(texts, vocab_size=300)) <= 300
    with pytest.raises(ValueError, match="head_dim"):
        build_tiny_model(tmp_path / "m", hidden_size=64, num_heads=4)
