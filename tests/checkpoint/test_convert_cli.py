"""`sparkle convert` and `scripts/eval/fsdp2hf.py`: exit codes, one-line errors, and the hub token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from ckpt_helpers import actor, assert_matches_reference, leftovers, reference

from sparkle.cli import main

REPO = Path(__file__).resolve().parents[2]
SECRET = "hf_sparkleTESTtoken0123456789"
# A closed local port: the hub client fails at once, without touching the network.
DEAD_HUB = {"HF_ENDPOINT": "http://127.0.0.1:9", "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_ETAG_TIMEOUT": "2"}


def test_convert_succeeds_and_prints_the_validation(experiments, tmp_path, capsys) -> None:
    status = main(["convert", "--checkpoint", str(experiments.fsdp2), "--output", str(tmp_path / "m"), "--no-progress"])
    assert status == 0
    out = capsys.readouterr().out
    assert "checkpoint:" in out and "global_step_2/actor (step 2, FSDP2, world size 2" in out
    assert "validation: logits max abs diff 0 (tolerance " in out
    assert_matches_reference(tmp_path / "m", reference(experiments.fsdp2, 2), torch.bfloat16, tied=True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--checkpoint", "{tmp}/nope"], "nope: no such checkpoint directory"),
        (["--checkpoint", "{fsdp2}", "--repo-id", "me/x"], "--repo-id and --private only apply with --upload"),
        (["--checkpoint", "{fsdp2}", "--upload"], "--upload needs --repo-id OWNER/NAME"),
        (["--checkpoint", "{fsdp2}", "--upload", "--repo-id", "no slash"], "not a valid hub repository id"),
        (["--checkpoint", "{fsdp2}", "--upload", "--repo-id", "me/x"], "--upload needs a hub token: set HF_TOKEN"),
    ],
)
def test_errors_are_one_line_with_exit_2(experiments, tmp_path, capsys, monkeypatch, args, message) -> None:
    monkeypatch.delenv("HF_TOKEN", raising=False)
    argv = [a.format(tmp=tmp_path, fsdp2=experiments.fsdp2) for a in args]
    status = main(["convert", *argv, "--output", str(tmp_path / "m"), "--no-progress"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("sparkle convert: error: ") and message in err
    assert err.count("\n") == 1  # one line, no traceback
    assert not (tmp_path / "m").exists() and leftovers(tmp_path, "m") == []


def test_argparse_rejects_unknown_dtype(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["convert", "--checkpoint", "x", "--output", "y", "--dtype", "int8"])
    assert exc.value.code == 2
    assert "invalid choice: 'int8'" in capsys.readouterr().err


def test_help_describes_inputs_and_validation(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["convert", "--help"])
    text = capsys.readouterr().out
    for phrase in ("latest_checkpointed_iteration.txt", "fsdp_config.json", "--base-model", "HF_TOKEN", "max abs"):
        assert phrase in text


def test_failed_upload_keeps_the_model_and_never_shows_the_token(experiments, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("HF_TOKEN", SECRET)
    for key, value in DEAD_HUB.items():
        monkeypatch.setenv(key, value)
    argv = ["convert", "--checkpoint", str(experiments.fsdp2_untied), "--output", str(tmp_path / "m"), "--no-progress"]
    status = main([*argv, "--upload", "--repo-id", "me/sparkle-test", "--private"])
    captured = capsys.readouterr()
    assert status == 2
    assert "uploading" in captured.err and "to me/sparkle-test failed" in captured.err
    assert SECRET not in captured.out + captured.err
    assert (tmp_path / "m" / "model.safetensors").is_file()  # the conversion itself succeeded


@pytest.mark.slow
def test_fsdp2hf_script_keeps_the_original_flags(experiments, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"} | DEAD_HUB
    script = [sys.executable, str(REPO / "scripts" / "eval" / "fsdp2hf.py")]
    base = [*script, "--fsdp_path", str(actor(experiments.fsdp2_untied)), "--base_model", str(experiments.base_untied)]
    command = [*base, "--output_path", str(tmp_path / "m"), "--dtype", "fp32", "--no-progress"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "validation: logits max abs diff 0" in done.stdout
    assert_matches_reference(tmp_path / "m", reference(experiments.fsdp2_untied), torch.float32, tied=False)

    # --hf_token is used (with a warning) when HF_TOKEN is unset, and never echoed.
    upload = [*base, "--output_path", str(tmp_path / "u"), "--no-progress", "--no-validate"]
    upload += ["--upload", "--repo_id", "me/x", "--hf_token", SECRET]
    done = subprocess.run(upload, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 2
    assert "set HF_TOKEN instead" in done.stderr and "to me/x failed" in done.stderr
    assert SECRET not in done.stdout + done.stderr

    missing = [*script, "--fsdp_path", str(tmp_path / "none"), "--output_path", str(tmp_path / "x")]
    missing = subprocess.run(missing, env=env, capture_output=True, text=True, timeout=600)
    assert missing.returncode == 2 and "no such checkpoint directory" in missing.stderr
