"""Publish a converted model to the Hugging Face hub.

The token comes from ``HF_TOKEN`` by preference; a token passed explicitly (the original script's
``--hf_token``) is used only when the variable is unset, since a command-line token is visible to other
users in the process list and stays in shell history. The token is never printed: error messages from
the hub are passed through `_scrub`, which blanks it out should a library ever echo it.

Preconditions (a repo id of the right form, a token) are checked before the conversion starts, so a
long conversion never ends in "you forgot the token".
"""

from __future__ import annotations

import os
from pathlib import Path

from sparkle.errors import UserError

TOKEN_ENV = "HF_TOKEN"


def resolve_token(explicit: str | None = None) -> str | None:
    """``HF_TOKEN`` if set and non-empty, else `explicit`, else None."""
    return os.environ.get(TOKEN_ENV) or explicit or None


def check_upload_args(repo_id: str | None, token: str | None) -> None:
    """`UserError` unless `repo_id` is a valid ``owner/name`` and a token is available."""
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if not repo_id:
        raise UserError("--upload needs --repo-id OWNER/NAME")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as err:
        raise UserError(f"--repo-id {repo_id!r}: not a valid hub repository id") from err
    if "/" not in repo_id:
        raise UserError(f"--repo-id {repo_id!r}: expected OWNER/NAME")
    if not token:
        raise UserError(f"--upload needs a hub token: set {TOKEN_ENV} (it is never printed)")


def _scrub(text: str, token: str) -> str:
    return text.replace(token, "***") if token else text


def upload_folder(folder: str | Path, repo_id: str, *, token: str, private: bool = False) -> str:
    """Create `repo_id` if needed (private if asked) and upload `folder`; return the repo URL."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    try:
        url = api.create_repo(repo_id=repo_id, private=private, exist_ok=True, repo_type="model")
        api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type="model",
            commit_message="Upload model converted from FSDP shards by sparkle convert",
        )
    except Exception as err:  # network, HTTP and auth errors come in many types
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise UserError(
            _scrub(f"uploading {folder} to {repo_id} failed: {type(err).__name__}: {first}", token)
        ) from None
    return str(url)
