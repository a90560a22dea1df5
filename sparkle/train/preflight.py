"""Checks run before a training launch, so that mistakes fail in seconds with a clear message
instead of minutes into a cluster job (or, as in the original, silently inside the trainer).

- data files exist (train and validation parquet);
- a local model directory has `config.json` and tokenizer files (hub ids are left to the trainer);
- `data.max_prompt_length` is at least the longest chat-templated prompt in the data (verl would
  otherwise drop rows with `filter_overlong_prompts` or fail with `truncation=error`);
- `max_prompt_length + max_response_length` fits the model's `max_position_embeddings`
  (Qwen2.5-Math-7B has 4,096);
- DAPO group filtering (`algorithm.filter_groups.enable`) is not combined with a custom replay
  buffer (`trainer.v1.sampler.custom_sampler`, set by the `cpu` preset): verl hands filtering to
  the custom buffer, which would skip it silently.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from sparkle.errors import UserError

TOKENIZER_FILES = ("tokenizer.json", "tokenizer.model", "vocab.json", "tokenizer_config.json")


@dataclass(frozen=True)
class PromptLengths:
    """The longest chat-templated prompt (in tokens) of each data file."""

    longest: dict[str, int]


def _files(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple, ListConfig)):
        return [str(v) for v in value]
    return [str(value)]


def check_data_files(config: DictConfig) -> list[Path]:
    """Return the train and validation files, or fail naming the missing one."""
    paths = []
    for key in ("train_files", "val_files"):
        for name in _files(config.data.get(key)):
            path = Path(name).expanduser()
            if not path.is_file():
                raise UserError(f"data.{key}: {path} does not exist (prepare it with `sparkle data ...`)")
            paths.append(path)
    return paths


def check_model_dir(model_path: str) -> dict[str, Any] | None:
    """Return the model's config.json if `model_path` is a local directory (None for a hub id)."""
    path = Path(model_path).expanduser()
    if not path.exists():
        if model_path.startswith((".", "/", "~")) or model_path.count("/") != 1:
            raise UserError(f"actor_rollout_ref.model.path: {model_path} is neither a directory nor a hub id")
        return None
    if not path.is_dir():
        raise UserError(f"actor_rollout_ref.model.path: {path} is not a directory")
    if not (path / "config.json").is_file():
        raise UserError(f"actor_rollout_ref.model.path: {path} has no config.json (is it a converted HF model?)")
    if not any((path / f).is_file() for f in TOKENIZER_FILES):
        raise UserError(f"actor_rollout_ref.model.path: {path} has no tokenizer files ({', '.join(TOKENIZER_FILES)})")
    return json.loads((path / "config.json").read_text())


def longest_prompts(files: list[Path], model_path: str, prompt_key: str = "prompt") -> PromptLengths:
    """Tokenize every prompt as verl's RLHFDataset does (chat template + generation prompt)."""
    import pyarrow.parquet as pq
    from tqdm import tqdm
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    longest = {}
    for path in files:
        column = pq.read_table(path, columns=[prompt_key]).column(prompt_key).to_pylist()
        texts = [
            tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
            for messages in tqdm(column, desc=f"templating {path.name}", unit="row", leave=False)
        ]
        lengths = [len(ids) for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
        longest[str(path)] = max(lengths, default=0)
    return PromptLengths(longest)


def check_lengths(config: DictConfig, model_config: dict[str, Any] | None, prompts: PromptLengths | None) -> None:
    """Fail if a prompt exceeds `data.max_prompt_length` or the sequence exceeds the model's positions."""
    max_prompt = int(config.data.max_prompt_length)
    max_response = int(config.data.max_response_length)
    if prompts is not None:
        for path, longest in prompts.longest.items():
            if longest > max_prompt:
                raise UserError(
                    f"{path}: the longest prompt has {longest} tokens but data.max_prompt_length={max_prompt}; "
                    f"raise it (data.max_prompt_length={longest}) or trim the data (sparkle data stage2 "
                    "--max-prompt-length)"
                )
    if model_config is not None:
        positions = model_config.get("max_position_embeddings")
        if positions is not None and max_prompt + max_response > positions:
            raise UserError(
                f"data.max_prompt_length + data.max_response_length = {max_prompt} + {max_response} = "
                f"{max_prompt + max_response} exceeds the model's max_position_embeddings={positions}"
            )


def check_sampler(config: DictConfig) -> None:
    """Refuse group filtering with a custom replay buffer, which verl does not filter for."""
    sampler = OmegaConf.select(config, "trainer.v1.sampler.custom_sampler.path")
    if sampler and OmegaConf.select(config, "algorithm.filter_groups.enable", default=False):
        raise UserError(
            f"algorithm.filter_groups.enable=true needs verl's own replay buffer, but "
            f"trainer.v1.sampler.custom_sampler.path={sampler} (the cpu preset's) replaces it; "
            "drop one of the two"
        )


def preflight(config: DictConfig, check_prompts: bool = True) -> None:
    """Run every check on a composed training config."""
    files = check_data_files(config)
    model_path = str(config.actor_rollout_ref.model.path)
    model_config = check_model_dir(model_path)
    prompts = None
    if check_prompts and model_config is not None:
        prompts = longest_prompts(files, model_path, str(config.data.get("prompt_key", "prompt")))
    check_lengths(config, model_config, prompts)
    check_sampler(config)
