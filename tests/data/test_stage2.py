"""Stage 2: hint levels, first_half, the fraction style, shuffling, names and bad options."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path

import datasets
import pytest
from data_helpers import DOC_INSTRUCTION, read_parquet, run_cli, sample_rows

from sparkle.data.split import smart_split_thinking_process
from sparkle.data.stage2 import HARD_FIELDS, HintConfig, augment, fraction_hints, fraction_prefix, shuffled
from sparkle.data.validate import load_valid


def _stage2(samples: Path, out: Path, *extra: str) -> list[dict]:
    assert run_cli("data", "stage2", "--source", samples / "hardmath.jsonl", "--output", out, *extra) == 0
    return read_parquet(next(out.glob("*.parquet")))


def _by_problem(rows: list[dict]) -> dict[int, dict[int, dict]]:
    grouped: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        problem, level = row["extra_info"]["index"].split("_")
        assert int(level) == row["extra_info"]["thinking_level"]
        grouped[int(problem)][int(level)] = row
    return grouped


def _trace(src: dict) -> str:
    return src["CoT"] or src["solution"]


def test_levels_are_cumulative_chunks_after_assistant_think(samples: Path, tmp_path: Path):
    rows = _stage2(samples, tmp_path / "o")
    source = sample_rows("hardmath.jsonl")
    grouped = _by_problem(rows)
    assert sorted(grouped) == list(range(20))
    for idx, levels in grouped.items():
        src = source[idx]
        chunks = [c for c in smart_split_thinking_process(_trace(src), 4) if c]
        assert sorted(levels) == list(range(len(chunks) + 1))
        assert len(levels) <= 5
        base = f"{DOC_INSTRUCTION}\n\nUser: {src['problem']} Assistant:"
        assert levels[0]["prompt"][0]["content"] == base
        for level, row in levels.items():
            info = row["extra_info"]
            assert row["data_source"] == "sparkle_hardmath"
            assert row["reward_model"] == {"style": "rule", "ground_truth": src["answer"]}
            assert info["question"] == src["problem"] and info["split"] == "train"
            assert info["total_thinking_levels"] == len(chunks)
            assert info["augmented"] is (level > 0)
            assert info["hint_style"] == ("sparkle" if level else None) and info["trimmed"] is False
            if level:
                hint = "\n".join(chunks[:level])
                assert row["prompt"][0]["content"] == f"{base} <think>\n{hint}\n"
        hints = [levels[lv]["prompt"][0]["content"] for lv in sorted(levels)[1:]]
        assert all(b.startswith(a[:-1]) for a, b in itertools.pairwise(hints))


def test_report_counts_levels_branches_and_dropped_empty_chunks(samples: Path, tmp_path: Path):
    rows = _stage2(samples, tmp_path / "o")
    report = json.loads((tmp_path / "o" / "sparkle_hardmath_aug_all_train.report.json").read_text())
    per_level = report["per_level"]
    assert per_level["0"]["built"] == 20
    assert sum(level["kept"] for level in per_level.values()) == len(rows) == report["rows_written"]
    assert sum(report["split_branches"].values()) == 20
    assert set(report["split_branches"]) == {"paragraphs", "numbered", "bullets", "headers", "sentences"}
    # traces that start with "1." or a header give the original an empty first chunk; we drop it
    assert report["problems"]["empty_chunks_dropped"] >= 3
    # problem 1 starts with "1.": the original's chunks are ["", items 1-2, item 3, items 4-5]
    numbered = _by_problem(rows)[1]
    assert sorted(numbered) == [0, 1, 2, 3]
    level1 = numbered[1]["prompt"][0]["content"].split("Assistant: <think>\n", 1)[1]
    assert level1.startswith("1. We need") and "\n2. The squares" in level1 and "3." not in level1


def test_empty_cot_falls_back_to_the_solution(samples: Path, tmp_path: Path):
    source = sample_rows("hardmath.jsonl")
    idx = next(i for i, s in enumerate(source) if not s["CoT"])
    levels = _by_problem(_stage2(samples, tmp_path / "o"))[idx]
    first_paragraph = source[idx]["solution"].split("\n\n")[0]
    assert levels[1]["prompt"][0]["content"].endswith(f"<think>\n{first_paragraph}\n")


def test_hint_source_solution_prefers_the_solution(samples: Path, tmp_path: Path):
    rows = _stage2(samples, tmp_path / "o", "--hint-source", "solution")
    source = sample_rows("hardmath.jsonl")
    level1 = _by_problem(rows)[0][1]["prompt"][0]["content"]
    assert source[0]["solution"].split(". ")[0] in level1


def test_first_half_has_at_most_two_levels_and_paragraph_traces_are_complete_at_level_2(samples, tmp_path):
    rows = _stage2(samples, tmp_path / "o", "--aug-version", "first_half")
    assert (tmp_path / "o" / "sparkle_hardmath_aug_first_half_train.parquet").exists()
    source = sample_rows("hardmath.jsonl")
    grouped = _by_problem(rows)
    assert all(max(levels) <= 2 for levels in grouped.values())
    six_paragraphs = source[0]["CoT"]  # problem 0's CoT has 6 paragraphs
    assert six_paragraphs.count("\n\n") == 5
    level2 = grouped[0][2]["prompt"][0]["content"]
    assert all(paragraph in level2 for paragraph in six_paragraphs.split("\n\n"))
    # the sentence fallback keeps a true first half: the last sentence of problem 17 is absent
    assert source[17]["CoT"].split(". ")[-1] not in grouped[17][2]["prompt"][0]["content"]


def test_more_levels_get_their_own_file_name(samples: Path, tmp_path: Path):
    rows = _stage2(samples, tmp_path / "o", "--levels", "6")
    assert (tmp_path / "o" / "sparkle_hardmath_aug_all_k6_train.parquet").exists()
    grouped = _by_problem(rows)
    assert max(max(levels) for levels in grouped.values()) == 6
    assert grouped[14][6]["extra_info"]["total_thinking_levels"] == 6  # 8 paragraphs -> 6 chunks


def test_fraction_style_uses_prefixes_of_the_trace(samples: Path, tmp_path: Path):
    rows = _stage2(samples, tmp_path / "o", "--hint-style", "fraction", "--fractions", "0.5,0.25")
    assert (tmp_path / "o" / "sparkle_hardmath_aug_fraction_25_50_train.parquet").exists()
    source = sample_rows("hardmath.jsonl")
    for idx, levels in _by_problem(rows).items():
        trace = _trace(source[idx])
        assert sorted(levels) == [0, 1, 2]
        previous = ""
        for level, fraction in ((1, 0.25), (2, 0.5)):
            info = levels[level]["extra_info"]
            assert info["hint_fraction"] == fraction and info["hint_style"] == "fraction"
            content = levels[level]["prompt"][0]["content"]
            hint = content.split("Assistant: <think>\n", 1)[1][:-1]
            assert trace.startswith(hint) and len(hint) > len(previous)
            assert len(trace) == len(hint) or trace[len(hint)].isspace()  # no word is cut
            assert abs(len(hint) - fraction * len(trace)) < 40
            previous = hint


def test_fraction_prefix_cuts_back_to_a_word_boundary_and_skips_short_hints():
    assert fraction_prefix("alpha beta gamma delta", 0.5) == "alpha beta"  # 11 chars end on a space
    assert fraction_prefix("alpha beta gamma delta", 0.6) == "alpha beta"  # 13 chars end inside "gamma"
    assert fraction_prefix("alpha beta gamma delta", 0.8) == "alpha beta gamma"
    assert fraction_prefix("alpha beta gamma delta", 1.0) == "alpha beta gamma delta"
    hints = fraction_hints("short words here and then a much longer tail of text", (0.1, 0.6)).hints
    assert [h.fraction for h in hints] == [0.6]  # the 10% prefix is under 10 characters


def test_shuffle_matches_datasets_shuffle_with_the_seed(samples: Path):
    validated = load_valid(str(samples / "hardmath.jsonl"), HARD_FIELDS)
    rows, _ = augment(validated, HintConfig(), "sparkle_hardmath")
    ours = [r["extra_info"]["index"] for r in shuffled(rows, 10000)]
    theirs = datasets.Dataset.from_list(rows).shuffle(seed=10000)["extra_info"]
    assert ours == [info["index"] for info in theirs]
    assert ours != [r["extra_info"]["index"] for r in shuffled(rows, 1)]


def test_output_is_byte_identical_across_runs(samples: Path, tmp_path: Path):
    _stage2(samples, tmp_path / "a")
    _stage2(samples, tmp_path / "b")
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--levels", "1", "--aug-version", "first_half"), "gives no hint level"),
        (("--tokenizer", "/nonexistent/tokenizer"), "cannot load a tokenizer"),
    ],
)
def test_bad_options_exit_non_zero(samples: Path, tmp_path: Path, capsys, args, message):
    assert run_cli("data", "stage2", "--source", samples / "hardmath.jsonl", "--output", tmp_path, *args) == 2
    assert message in capsys.readouterr().err


def test_bad_fractions_are_rejected_by_the_parser(samples: Path, tmp_path: Path):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("data", "stage2", "--hint-style", "fraction", "--fractions", "0,1.5", "--output", tmp_path)
    assert exit_info.value.code == 2
