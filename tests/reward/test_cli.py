"""`sparkle reward score`: scored output, summary, and errors that name the file, line and field."""

import json

import pytest

from sparkle.cli import main


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_scores_a_file_and_writes_rows(tmp_path, capsys) -> None:
    source = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps({"response": "<think>a</think><answer>\\boxed{5}</answer>", "gold": "5"}),
            json.dumps({"response": "it is \\boxed{4}", "gold": "5", "id": 7}),
        ],
    )
    assert main(["reward", "score", "--input", str(source), "--workers", "0"]) == 0
    rows = [json.loads(line) for line in (tmp_path / "in.scored.jsonl").read_text().splitlines()]
    assert [(r["score"], r["acc"], r["pred"]) for r in rows] == [(2.0, 1.0, "5"), (-1.0, 0.0, "4")]
    assert rows[1]["id"] == 7  # input fields are kept
    out = capsys.readouterr().out
    assert "accuracy     0.5000" in out and "timeouts     0" in out


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "in.jsonl:2: not valid JSON"),
        (json.dumps({"gold": "5"}), "in.jsonl:2: missing field 'response'"),
        (json.dumps({"response": "x", "gold": 5}), "in.jsonl:2: field 'gold' must be str or list of strings"),
        (json.dumps({"response": "x", "gold": "5", "extra_info": 3}), "in.jsonl:2: field 'extra_info'"),
        (json.dumps([1, 2]), "in.jsonl:2: expected a JSON object"),
    ],
)
def test_bad_rows_fail_with_file_line_and_field(tmp_path, capsys, line, message) -> None:
    source = _write(tmp_path / "in.jsonl", [json.dumps({"response": "x", "gold": "1"}), line])
    assert main(["reward", "score", "--input", str(source)]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "in.scored.jsonl").exists()


def test_missing_input_file(tmp_path, capsys) -> None:
    assert main(["reward", "score", "--input", str(tmp_path / "nope.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_help_explains_the_command(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["reward", "score", "--help"])
    assert exit_info.value.code == 0
    assert "extra_info" in capsys.readouterr().out
