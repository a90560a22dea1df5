"""`sparkle convert`: turn a verl FSDP checkpoint into a validated Hugging Face model directory."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

DESCRIPTION = "\n\n".join(
    textwrap.fill(p, width=96)
    for p in (
        "Merge the actor's FSDP shards of a verl checkpoint into a Hugging Face model (safetensors, config, "
        "tokenizer, chat template, generation config) that transformers, vLLM, lm-eval and the hub load.",
        "CHECKPOINT may be an experiment directory (the step in latest_checkpointed_iteration.txt is used), "
        "a global_step_N directory or its actor/ directory. Shards may be DTensors (FSDP2, or FSDP1 with a "
        "device mesh) or plain tensors, with or without fsdp_config.json (the world size then comes from the "
        "file names). The merge streams tensor by tensor, so memory stays near the size of one tensor, not "
        "the model.",
        "The output appears only when complete: it is written to a temporary directory beside DIR and renamed. "
        "Unless --no-validate, the written model is loaded and its logits on a fixed prompt are compared with "
        "those of the model assembled from the shards (the max abs difference is printed), and the tokenizer, "
        "chat template and generation_config EOS ids are checked.",
    )
)

EPILOG = textwrap.dedent(
    """\
    examples:
      sparkle convert --checkpoint checkpoints/sparkle/stage1 --output models/stage1
      sparkle convert --checkpoint checkpoints/sparkle/stage1/global_step_200/actor --output models/s1 --dtype fp32
      HF_TOKEN=... sparkle convert --checkpoint ckpt/s2 --output models/s2 --upload --repo-id me/s2 --private
    """
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `sparkle convert` to the top-level parser."""
    parser = subparsers.add_parser(
        "convert",
        help="convert a verl FSDP checkpoint into a validated Hugging Face model",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--checkpoint",
        required=True,
        type=Path,
        metavar="PATH",
        help="experiment, global_step_N or actor directory",
    )
    parser.add_argument("--output", required=True, type=Path, metavar="DIR", help="output model directory")
    parser.add_argument(
        "--dtype",
        choices=("bf16", "fp16", "fp32"),
        default="bf16",
        help="precision of the written weights (default: bf16; fp16 fails if a weight overflows it)",
    )
    parser.add_argument(
        "--base-model",
        metavar="PATH",
        help="take config and tokenizer from this directory (or hub id) instead of <actor>/huggingface/, "
        "e.g. for old checkpoints without it",
    )
    parser.add_argument(
        "--no-validate",
        dest="validate",
        action="store_false",
        help="skip loading the written model and comparing its logits, tokenizer and EOS ids",
    )
    parser.add_argument("--overwrite", action="store_true", help="replace DIR if it exists and is not empty")
    parser.add_argument(
        "--trust-pickle",
        action="store_true",
        help="load shards with full unpickling (only for trusted files that safe loading refuses)",
    )
    parser.add_argument(
        "--trust-remote-code", action="store_true", help="allow model code from the config directory (auto_map)"
    )
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    hub = parser.add_argument_group("upload to the Hugging Face hub (token from HF_TOKEN, never printed)")
    hub.add_argument("--upload", action="store_true", help="upload DIR after a successful conversion")
    hub.add_argument("--repo-id", metavar="ID", help="hub repository OWNER/NAME (created if missing)")
    hub.add_argument("--private", action="store_true", help="create the repository as private")
    parser.set_defaults(func=run_convert)


def run_convert(args: argparse.Namespace) -> int:
    """Run `sparkle convert`; `UserError` propagates to `sparkle.cli.main` (one line, exit 2)."""
    from sparkle.checkpoint.pipeline import convert

    convert(
        args.checkpoint,
        args.output,
        dtype=args.dtype,
        base_model=args.base_model,
        validate=args.validate,
        upload=args.upload,
        repo_id=args.repo_id,
        private=args.private,
        overwrite=args.overwrite,
        trust_pickle=args.trust_pickle,
        trust_remote_code=args.trust_remote_code,
        progress=args.progress,
    )
    return 0
