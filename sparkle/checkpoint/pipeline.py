"""Convert a verl FSDP checkpoint into a Hugging Face model directory: the whole pipeline.

1. Check the arguments that can fail late (dtype, output directory, upload repo id and token).
2. Locate the actor directory (`locate`), list and check its shards (`shards`), pick the config and
   tokenizer source (`hf_files`), read the target model's keys and shapes (`model_spec`), and plan the
   merge from shard metadata (`plan`). All of this reads no weights, so every structural problem is
   reported within seconds and before anything is created.
3. In a temporary directory beside the output: stream the weights into safetensors (`merge`), copy the
   config and tokenizer files, and validate the result (`validate`, on by default).
4. Rename the temporary directory onto the output (atomic on one filesystem), so the output exists
   only when complete and validated; any failure removes the temporary directory.
5. Upload if asked (`upload`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sparkle.checkpoint.dtypes import OUTPUT_DTYPES, OutputDtype, output_dtype
from sparkle.checkpoint.locate import CheckpointLocation, locate_actor_dir
from sparkle.checkpoint.safetensors_writer import DEFAULT_MAX_FILE_BYTES
from sparkle.checkpoint.validate import ValidationReport
from sparkle.errors import UserError

MIN_WINDOW = 128 << 20
MAX_WINDOW = 1 << 30


@dataclass(frozen=True)
class ConversionReport:
    """What `convert` did."""

    output: Path
    location: CheckpointLocation
    world_size: int
    fsdp_version: int | None
    storage_kind: str
    source_dtypes: tuple[str, ...]
    hf_source: Path
    dtype: str
    weight_files: tuple[str, ...]
    weight_bytes: int
    seconds: float
    validation: ValidationReport | None
    uploaded_to: str | None


def _window_bytes(output_bytes: int) -> int:
    """How much mapped shard data may stay resident: a quarter of the output, within [128 MiB, 1 GiB].

    Each time a rank passes its share, its file is re-opened, which re-runs the (weights_only, pure
    Python) unpickler: ~0.1 s for a few hundred DTensors. A quarter of the output keeps that to a
    handful of re-opens per rank while staying well inside the 1.3x memory budget.
    """
    return max(MIN_WINDOW, min(MAX_WINDOW, output_bytes // 4))


def _check_output(output: Path, overwrite: bool) -> None:
    if output.exists() and not output.is_dir():
        raise UserError(f"{output}: exists and is not a directory")
    if output.is_dir() and any(output.iterdir()) and not overwrite:
        raise UserError(f"{output}: exists and is not empty; pass --overwrite to replace it")


def _publish(tmp: Path, output: Path) -> None:
    """Move the finished `tmp` onto `output`, replacing an existing output only after the move succeeds."""
    if output.is_dir():
        old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
        os.replace(output, old / output.name)
        try:
            os.replace(tmp, output)
        except BaseException:
            os.replace(old / output.name, output)
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, output)


def _human(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if nbytes < 1000 or unit == "GB":
            return f"{nbytes:.1f} {unit}" if unit != "B" else f"{int(nbytes)} B"
        nbytes /= 1000
    return f"{nbytes:.1f} GB"


def convert(
    checkpoint: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    dtype: str = "bf16",
    base_model: str | os.PathLike[str] | None = None,
    validate: bool = True,
    upload: bool = False,
    repo_id: str | None = None,
    private: bool = False,
    hf_token: str | None = None,
    overwrite: bool = False,
    trust_pickle: bool = False,
    trust_remote_code: bool = False,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: bool = True,
    log: Callable[[str], None] | None = print,
) -> ConversionReport:
    """Convert `checkpoint` (experiment, ``global_step_N`` or actor directory) into an HF model at `output`.

    See the module docstring for the steps. Raises `UserError` with a one-line message for every problem
    a user can fix; `output` is then left as it was.
    """
    from sparkle.checkpoint.upload import check_upload_args, resolve_token, upload_folder

    started = time.monotonic()
    say = log or (lambda _msg: None)
    try:
        out: OutputDtype = output_dtype(dtype)
    except ValueError as err:
        raise UserError(str(err)) from None
    output = Path(output).expanduser().absolute()
    token = resolve_token(hf_token)
    if upload:
        check_upload_args(repo_id, token)
    elif repo_id or private:
        raise UserError("--repo-id and --private only apply with --upload")
    _check_output(output, overwrite)

    from sparkle.checkpoint.hf_files import copy_hf_files, resolve_hf_source
    from sparkle.checkpoint.merge import write_weights
    from sparkle.checkpoint.model_spec import load_model_spec
    from sparkle.checkpoint.plan import build_plan
    from sparkle.checkpoint.shards import ShardReader, find_shard_files
    from sparkle.checkpoint.validate import validate_output

    location = locate_actor_dir(checkpoint)
    files = find_shard_files(location.actor_dir)
    source = resolve_hf_source(location.actor_dir, base_model, token=token)
    spec = load_model_spec(source, location.actor_dir, trust_remote_code=trust_remote_code)
    reader = ShardReader(files, trust_pickle=trust_pickle)
    plan = build_plan(reader, spec)
    output_bytes = plan.output_bytes(out.torch_dtype)
    reader.window_bytes = _window_bytes(output_bytes)
    reader.release()
    step = f"step {location.step}, " if location.step is not None else ""
    version = f"FSDP{files.fsdp_version}" if files.fsdp_version else "no fsdp_config.json"
    source_dtypes = tuple(sorted(str(d).removeprefix("torch.") for d in plan.source_dtypes))
    say(
        f"checkpoint: {location.actor_dir} ({step}{version}, world size {files.world_size}, "
        f"{len(plan.tensors)} tensors as {plan.storage_kind}, {'/'.join(source_dtypes)})"
    )
    say(f"config and tokenizer: {source}")

    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.parent / f".{output.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()  # unlike mkdtemp, honours the umask: the published directory gets normal permissions
    try:
        from tqdm import tqdm

        with tqdm(
            total=output_bytes, unit="B", unit_scale=True, desc=f"Writing {out.name} weights", disable=not progress
        ) as bar:
            written = write_weights(plan, reader, tmp, out, max_file_bytes=max_file_bytes, on_tensor=bar.update)
        reader.release()
        copy_hf_files(source, tmp, str(out.torch_dtype).removeprefix("torch."))
        report = None
        if validate:
            report = validate_output(tmp, source, reader, plan, spec, out)
            reader.release()
        _publish(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        reader.release()
    seconds = time.monotonic() - started
    say(
        f"wrote {output} ({out.name}, {len(written.files)} weight file{'s' if len(written.files) != 1 else ''}, "
        f"{_human(written.total_bytes)}) in {seconds:.1f} s"
    )
    if report is not None:
        template = "chat template ok" if report.chat_template else "no chat template"
        say(
            f"validation: logits max abs diff {report.max_abs_diff:.3g} (tolerance {report.tolerance:.2g}) on a "
            f"{report.prompt_tokens}-token prompt; tokenizer loads, {template}, EOS {report.tokenizer_eos} in "
            f"generation EOS ids {list(report.eos_ids)}"
        )
    else:
        say("validation: skipped (--no-validate)")
    uploaded = None
    if upload:
        assert repo_id is not None and token is not None
        say(f"uploading to {repo_id}{' (private)' if private else ''} ...")
        uploaded = upload_folder(output, repo_id, token=token, private=private)
        say(f"uploaded: {uploaded}")
    return ConversionReport(
        output=output,
        location=location,
        world_size=files.world_size,
        fsdp_version=files.fsdp_version,
        storage_kind=plan.storage_kind,
        source_dtypes=source_dtypes,
        hf_source=source,
        dtype=out.name,
        weight_files=tuple(written.files),
        weight_bytes=written.total_bytes,
        seconds=seconds,
        validation=report,
        uploaded_to=uploaded,
    )


def convert_checkpoint(
    checkpoint: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    dtype: str = "bf16",
    base_model: str | os.PathLike[str] | None = None,
    validate: bool = True,
    overwrite: bool = False,
    progress: bool = True,
    log: Callable[[str], None] | None = print,
) -> Path:
    """Convert `checkpoint` into a validated HF model at `output` and return its path.

    The entry point for code (e.g. the training launcher turning a stage-1 experiment into the stage-2
    starting model): `checkpoint` may be the experiment directory (its latest step is used), a
    ``global_step_N`` directory or an actor directory. `UserError` on any problem, with `output` untouched.
    """
    return convert(
        checkpoint,
        output,
        dtype=dtype,
        base_model=base_model,
        validate=validate,
        overwrite=overwrite,
        progress=progress,
        log=log,
    ).output


__all__ = ["OUTPUT_DTYPES", "ConversionReport", "convert", "convert_checkpoint"]
