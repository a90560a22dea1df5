"""Build a tiny random Qwen2 causal LM and a small byte-level BPE tokenizer, offline, in seconds.

For tests and the CPU demo: no hub access. Recipe from docs/offline-models.md §4.1 (b):

- **Tokenizer**: a byte-level BPE trained with `tokenizers` on the given texts, with the Qwen2 pipeline
  (NFC normaliser, the Qwen split regex then ByteLevel pre-tokenizer, ByteLevel decoder and
  post-processor) and special tokens ``<|endoftext|>``, ``<|im_start|>``, ``<|im_end|>``. Wrapped as a
  transformers `PreTrainedTokenizerFast` with eos ``<|im_end|>``, pad ``<|endoftext|>``, no bos, and a
  ChatML chat template whose default system message is the Qwen2.5-Math one.
- **Model**: `Qwen2ForCausalLM` with random weights (torch seed), tied embeddings, vocab = tokenizer
  size rounded up to a multiple of 64, head_dim >= 32 (so vLLM's CPU backend can load it), and a
  sampling `GenerationConfig` with the tokenizer's eos/pad ids.

`build_tiny_model(directory)` writes both with `save_pretrained`, so `AutoTokenizer` /
`AutoModelForCausalLM.from_pretrained(directory)` load them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from pathlib import Path

ENDOFTEXT = "<|endoftext|>"
IM_START = "<|im_start|>"
IM_END = "<|im_end|>"
SPECIAL_TOKENS = (ENDOFTEXT, IM_START, IM_END)

DEFAULT_SYSTEM_PROMPT = "Please reason step by step, and put your final answer within \\boxed{}."

QWEN_SPLIT_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

CHATML_TEMPLATE = (
    "{%- if messages and messages[0]['role'] == 'system' -%}"
    "{{ '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}"
    "{%- else -%}"
    "{{ '<|im_start|>system\\n" + DEFAULT_SYSTEM_PROMPT.replace("\\", "\\\\") + "<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- for message in messages -%}"
    "{%- if not (loop.first and message['role'] == 'system') -%}"
    "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}{{ '<|im_start|>assistant\\n' }}{%- endif -%}"
)
"""ChatML; a missing system message becomes the Qwen2.5-Math default system prompt."""


_GENERAL_TEXT = (
    "A conversation between User and Assistant. The user asks a math question, and the Assistant solves "
    "it step by step. The Assistant first thinks about the complete reasoning process in the mind.",
    "Let us find the number of integers, the sum of the roots, the area of the triangle and the "
    "probability that the point lies inside the circle. Therefore the remainder is the answer.",
    "First, note that the equation has two real solutions. Next, substitute and simplify. Finally, "
    "we conclude that the minimum value is attained when both sides are equal.",
    "Step 1: Understanding the problem. Step 2: Calculating the total. Thus, hence, so, because, since.",
    "\\sqrt{2} \\pi \\cdot \\le \\ge \\neq \\left( \\right) \\binom{n}{k} \\sum_{i=1}^{n} \\int_0^1 dx",
)


def synthetic_math_corpus(n: int = 2000, seed: int = 0) -> list[str]:
    """Deterministic math chat snippets (word problems, equations, LaTeX, think/answer tags) to train on."""
    rng = random.Random(seed)
    texts = list(_GENERAL_TEXT)
    for _ in range(n):
        a, b, c = rng.randint(2, 99), rng.randint(2, 99), rng.randint(2, 9)
        kind = rng.randrange(5)
        if kind == 0:
            question, answer = f"Sam has {a} apples and buys {b} more. How many apples does Sam have?", a + b
        elif kind == 1:
            question, answer = f"What is ${a} \\times {c}$?", a * c
        elif kind == 2:
            question, answer = f"Solve for $x$: ${c}x + {a} = {c * b + a}$.", b
        elif kind == 3:
            question, answer = f"Compute $\\frac{{{a * c}}}{{{c}}} - {b}$.", a - b
        else:
            question, answer = f"Let $f(x) = x^2 + {c}x$. Find $f({b % 10})$.", (b % 10) ** 2 + c * (b % 10)
        texts.append(
            f"{IM_START}user\nUser: {question} Assistant:{IM_END}\n{IM_START}assistant\n<think>\n"
            f"We compute step by step. The result is {answer}.\n</think>\n<answer>\n"
            f"The answer is \\boxed{{{answer}}}.\n</answer>{IM_END}"
        )
    return texts


def train_tokenizer(texts: Iterable[str], vocab_size: int = 1024, model_max_length: int = 4096):
    """Train a byte-level BPE on `texts` and wrap it as a `PreTrainedTokenizerFast` (see module docstring)."""
    from tokenizers import (
        Regex,
        Tokenizer,
        decoders,
        models,
        normalizers,
        pre_tokenizers,
        processors,
        trainers,
    )
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token=None, fuse_unk=False, byte_fallback=False))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(QWEN_SPLIT_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=list(SPECIAL_TOKENS),
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(list(texts), trainer=trainer)
    wrapped = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        eos_token=IM_END,
        pad_token=ENDOFTEXT,
        model_max_length=model_max_length,
        clean_up_tokenization_spaces=False,
        split_special_tokens=False,
    )
    wrapped.chat_template = CHATML_TEMPLATE
    return wrapped


def qwen2_config(
    tokenizer,
    *,
    vocab_size: int,
    hidden_size: int,
    intermediate_size: int,
    num_layers: int,
    num_heads: int,
    num_kv_heads: int,
    max_position_embeddings: int,
    tie_word_embeddings: bool = True,
):
    """A small `Qwen2Config` whose special-token ids are the tokenizer's (no bos, as Qwen2.5)."""
    from transformers import Qwen2Config

    return Qwen2Config(
        vocab_size=vocab_size,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=max_position_embeddings,
        rope_theta=10000.0,
        rms_norm_eps=1e-6,
        tie_word_embeddings=tie_word_embeddings,
        use_sliding_window=False,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )


def build_tiny_model(
    directory: str | Path,
    *,
    texts: Sequence[str] | None = None,
    vocab_size: int = 1024,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    intermediate_size: int = 512,
    max_position_embeddings: int = 4096,
    seed: int = 0,
) -> Path:
    """Train a tokenizer on `texts` (default: `synthetic_math_corpus()`), build a random Qwen2, save both.

    Returns `directory`, loadable with `AutoTokenizer` / `AutoModelForCausalLM.from_pretrained`.
    """
    import torch
    from transformers import GenerationConfig, Qwen2ForCausalLM

    if hidden_size // num_heads < 32:
        raise ValueError(f"head_dim = {hidden_size}/{num_heads} < 32; vLLM's CPU attention needs >= 32")
    directory = Path(directory)
    tokenizer = train_tokenizer(texts if texts is not None else synthetic_math_corpus(), vocab_size)
    config = qwen2_config(
        tokenizer,
        vocab_size=-(-len(tokenizer) // 64) * 64,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_layers=num_layers,
        num_heads=num_heads,
        num_kv_heads=num_kv_heads,
        max_position_embeddings=max_position_embeddings,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
        do_sample=True,
        temperature=1.0,
        top_p=1.0,
        top_k=0,
    )
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
