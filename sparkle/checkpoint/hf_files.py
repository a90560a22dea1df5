"""The non-weight files of the output: config, tokenizer, chat template, generation config.

verl's saver puts the model's config and tokenizer into ``<actor>/huggingface/`` on rank 0 (verl-notes
§10.2). That is what training actually used, so it is the default source. ``--base-model`` replaces it,
for old checkpoints without that directory or to take the files from elsewhere; it may be a local
directory or a hub id (then only the small files are downloaded, never the weights).

We copy the files byte for byte instead of re-saving a loaded tokenizer (what `verl.model_merger` does):
re-saving can rewrite ``tokenizer_config.json``, drop files the loader does not know, and move a chat
template between ``chat_template.jinja`` and the tokenizer config. Every top-level file is copied except
weights (which are the merge's job) and the only edit is ``config.json``'s dtype, set to the output
dtype so that ``dtype="auto"`` loaders (vLLM, transformers) pick the precision actually stored.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from sparkle.errors import UserError

_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf", ".onnx")
_WEIGHT_INDEXES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
_HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
_SMALL_FILE_PATTERNS = ["*.json", "*.jinja", "*.txt", "*.model", "*.py", "*.tiktoken", "*.vocab"]


def is_weight_file(name: str) -> bool:
    """Whether `name` holds weights (never copied: the merge writes the weights)."""
    return name.endswith(_WEIGHT_SUFFIXES) or name in _WEIGHT_INDEXES


def _download_small_files(repo_id: str, token: str | None) -> Path:
    from huggingface_hub import snapshot_download

    try:
        return Path(snapshot_download(repo_id, allow_patterns=_SMALL_FILE_PATTERNS, token=token))
    except Exception as err:  # the hub raises many types (HTTP, offline, validation)
        raise UserError(
            f"--base-model {repo_id}: not a local directory, and fetching it from the hub failed ({type(err).__name__})"
        ) from err


def resolve_hf_source(actor_dir: str | Path, base_model: str | Path | None, *, token: str | None = None) -> Path:
    """The directory to take config and tokenizer from (see the module docstring)."""
    if base_model is not None:
        path = Path(base_model).expanduser()
        if path.is_dir():
            source = path
        elif path.exists():
            raise UserError(f"--base-model {base_model}: not a directory")
        elif not _HUB_ID.fullmatch(str(base_model)):
            raise UserError(f"--base-model {base_model}: no such directory")
        else:
            source = _download_small_files(str(base_model), token)
    else:
        source = Path(actor_dir) / "huggingface"
        if not source.is_dir():
            raise UserError(
                f"{source}: not found, so the model's config and tokenizer are unknown; pass --base-model PATH "
                "(the model this run started from)"
            )
    if not (source / "config.json").is_file():
        raise UserError(f"{source}: no config.json")
    return source


def copy_hf_files(source: str | Path, target: str | Path, dtype_name: str) -> list[str]:
    """Copy every non-weight top-level file of `source` into `target`; set config.json's dtype.

    `dtype_name` is torch's name of the output dtype (``bfloat16``, ``float16`` or ``float32``).
    Returns the names copied, sorted.
    """
    source, target = Path(source), Path(target)
    copied = []
    for path in sorted(source.iterdir()):
        if path.is_file() and not is_weight_file(path.name):
            try:
                shutil.copy2(path, target / path.name)
            except OSError as err:
                raise UserError(f"{path}: cannot copy ({err.strerror or err})") from err
            copied.append(path.name)
    config_path = target / "config.json"
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, json.JSONDecodeError) as err:
        raise UserError(f"{source / 'config.json'}: unreadable ({err})") from err
    keys = [k for k in ("dtype", "torch_dtype") if k in config] or ["dtype"]
    for key in keys:
        config[key] = dtype_name
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return copied
