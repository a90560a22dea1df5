#!/usr/bin/env python3
"""The original checkpoint-merge entry point, now a thin wrapper over `sparkle convert`.

    python scripts/eval/fsdp2hf.py --fsdp_path CKPT/global_step_N/actor --output_path DIR
        [--base_model PATH_OR_HUB_ID] [--upload --repo_id OWNER/NAME [--private]] [sparkle convert options]

--fsdp_path may also be the experiment or global_step_N directory. --base_model, as in the original,
supplies the config and tokenizer (default here: the checkpoint's own huggingface/ directory). Further
options (e.g. --dtype fp32, --no-validate) are passed to `sparkle convert`.

The hub token is read from HF_TOKEN. --hf_token still works when HF_TOKEN is unset, but a token on the
command line is visible to other users in the process list and stays in shell history; it is handed to
the conversion through the environment of this process only, and never printed.
"""

from __future__ import annotations

import argparse
import os
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fsdp_path", required=True, help="actor, global_step_N or experiment directory")
    parser.add_argument("--output_path", required=True, help="output model directory")
    parser.add_argument("--base_model", default=None, help="config and tokenizer source (directory or hub id)")
    parser.add_argument("--upload", action="store_true", help="upload the converted model to the hub")
    parser.add_argument("--repo_id", default=None, help="hub repository OWNER/NAME")
    parser.add_argument("--hf_token", default=None, help="hub token (prefer the HF_TOKEN environment variable)")
    parser.add_argument("--private", action="store_true", help="create the hub repository as private")
    args, rest = parser.parse_known_args(argv)

    if args.hf_token:
        if os.environ.get("HF_TOKEN"):
            print("fsdp2hf: HF_TOKEN is set; ignoring --hf_token", file=sys.stderr)
        else:
            print(
                "fsdp2hf: warning: a token on the command line is visible in the process list and shell history; "
                "set HF_TOKEN instead",
                file=sys.stderr,
            )
            os.environ["HF_TOKEN"] = args.hf_token

    from sparkle.cli import main as sparkle_main

    command = ["convert", "--checkpoint", args.fsdp_path, "--output", args.output_path]
    if args.base_model:
        command += ["--base-model", args.base_model]
    if args.upload:
        command.append("--upload")
    if args.repo_id:
        command += ["--repo-id", args.repo_id]
    if args.private:
        command.append("--private")
    return sparkle_main([*command, *rest])


if __name__ == "__main__":
    sys.exit(main())
