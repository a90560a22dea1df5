"""`sparkle data` help texts and dispatch."""

from __future__ import annotations

import pytest
from data_helpers import run_cli


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("stage1", ["--source", "--val-source", "--output", "--skip-invalid", "sparkle_dsr40k"]),
        (
            "stage2",
            [
                "--aug-version",
                "--levels",
                "--hint-style",
                "--fractions",
                "--tokenizer",
                "--max-prompt-length",
                "WHOLE trace",
            ],
        ),
        ("hard", ["--source", "sparkle_hardmath_hard_train"]),
        ("mix", ["--stage1-source", "--stage1-share"]),
        ("mine-hard", ["--model", "--input", "--samples", "--max-pass-rate", "--levels", "learning-signal probe"]),
        ("benchmarks", ["--only", "--fine-grained-source", "olympiad_bench"]),
    ],
)
def test_each_subcommand_has_a_helpful_help(command, expected, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("data", command, "--help")
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for word in expected:
        assert word in text, word


def test_data_without_a_subcommand_prints_help_and_fails(capsys):
    assert run_cli("data") == 2
    assert "stage1" in capsys.readouterr().out


def test_required_arguments_are_enforced(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("data", "mine-hard", "--input", "x.parquet")
    assert exit_info.value.code == 2
    assert "--model" in capsys.readouterr().err
