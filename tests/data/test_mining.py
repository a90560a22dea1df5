"""mine-hard and the learning-signal probe: a tiny real model end to end, and a scripted sampler for the
pass-rate logic (the random model never solves anything). Scoring is always the real sparkle.reward."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from data_helpers import read_jsonl, read_parquet, run_cli, sample_rows

from sparkle.data.mining import mine_hard, parse_levels, probe_signal
from sparkle.data.sampler import SamplingSettings, TransformersSampler
from sparkle.errors import UserError

FAST = ("--samples", "2", "--max-new-tokens", "6", "--batch-size", "2")


@pytest.fixture(scope="module")
def stage1_parquet(tmp_path_factory, samples: Path) -> Path:
    out = tmp_path_factory.mktemp("stage1")
    assert run_cli("data", "stage1", "--source", samples / "dsr40k.jsonl", "--no-val", "--output", out) == 0
    return out / "sparkle_dsr40k.parquet"


@pytest.fixture(scope="module")
def augmented_parquet(tmp_path_factory, samples: Path) -> Path:
    out = tmp_path_factory.mktemp("stage2")
    assert run_cli("data", "stage2", "--source", samples / "hardmath.jsonl", "--output", out) == 0
    return out / "sparkle_hardmath_aug_all_train.parquet"


def test_mine_hard_with_a_tiny_model_feeds_stage2(tiny_model_dir, stage1_parquet, tmp_path):
    out = tmp_path / "mined"
    args = ("data", "mine-hard", "--model", tiny_model_dir, "--input", stage1_parquet, "--limit", "3")
    assert run_cli(*args, *FAST, "--backend", "transformers", "--output", out) == 0
    mined = read_parquet(out / "mined_hard.parquet")
    source = sample_rows("dsr40k.jsonl")[:3]
    assert [m["problem"] for m in mined] == [s["problem"] for s in source]  # a random model solves nothing
    assert all(m["num_samples"] == 2 and m["pass_rate"] == 0.0 for m in mined)
    assert len(read_jsonl(out / "mined_hard.pass_rates.jsonl")) == 3
    report = json.loads((out / "mined_hard.report.json").read_text())
    assert report["backend"] == "transformers" and report["num_correct_histogram"] == {"0": 3}
    # the mined file is a valid stage-2 source (no trace: level 0 only)
    assert run_cli("data", "stage2", "--source", out / "mined_hard.parquet", "--output", tmp_path / "s2") == 0
    assert len(read_parquet(tmp_path / "s2" / "sparkle_hardmath_aug_all_train.parquet")) == 3


def test_probe_with_a_tiny_model_reports_each_level(tiny_model_dir, augmented_parquet, tmp_path, capsys):
    args = ("data", "mine-hard", "--model", tiny_model_dir, "--input", augmented_parquet, "--levels", "0,2")
    assert run_cli(*args, "--limit", "2", *FAST, "--output", tmp_path) == 0
    report = json.loads((tmp_path / "sparkle_hardmath_aug_all_train.signal_probe.json").read_text())
    assert sorted(report["per_level"]) == ["0", "2"]
    assert all(level["prompts"] == 2 and level["samples"] == 4 for level in report["per_level"].values())
    assert "share_all_equal" in capsys.readouterr().out


def test_transformers_sampler_is_seeded_and_returns_n_per_prompt(tiny_model_dir):
    conversations = [[{"role": "user", "content": f"What is {i} + {i}?"}] for i in range(3)]
    settings = SamplingSettings(n=2, max_new_tokens=8, temperature=1.0, seed=0, batch_size=2)
    first = TransformersSampler(str(tiny_model_dir), settings).generate(conversations)
    again = TransformersSampler(str(tiny_model_dir), settings).generate(conversations)
    other = TransformersSampler(str(tiny_model_dir), SamplingSettings(**{**vars(settings), "seed": 1})).generate(
        conversations
    )
    assert [len(group) for group in first] == [2, 2, 2]
    assert first == again and first != other
    assert all(isinstance(text, str) and "<|im_end|>" not in text for group in first for text in group)


class ScriptedSampler:
    """A `Sampler` whose responses are fixed per problem: k correct answers out of n."""

    name = "scripted"

    def __init__(self, answers: dict[str, tuple[str, int]], n: int, augmented: bool = False) -> None:
        self.answers, self.n, self.augmented = answers, n, augmented

    def _response(self, answer: str) -> str:
        opening = "" if self.augmented else "<think>\n"
        return f"{opening}work\n</think>\n<answer>\nThe answer is \\boxed{{{answer}}}.\n</answer>"

    def generate(self, conversations: Sequence[list[dict[str, str]]]) -> list[list[str]]:
        out = []
        for conversation in conversations:
            content = conversation[-1]["content"]
            key = content if content in self.answers else next(k for k in self.answers if k in content)
            gold, k = self.answers[key]
            out.append([self._response(gold if i < k else "-12345") for i in range(self.n)])
        return out


def test_mine_hard_keeps_problems_at_or_under_the_pass_rate(samples: Path, tmp_path: Path):
    rows = sample_rows("dsr40k.jsonl")[:4]
    correct = [4, 1, 0, 2]
    sampler = ScriptedSampler({r["problem"]: (r["answer"], k) for r, k in zip(rows, correct, strict=True)}, n=4)
    report = mine_hard(
        str(samples / "dsr40k.jsonl"),
        tmp_path,
        settings=SamplingSettings(n=4),
        max_pass_rate=0.25,
        limit=4,
        sampler=sampler,
    )
    mined = read_parquet(tmp_path / "mined_hard.parquet")
    assert [(m["problem"], m["pass_rate"], m["num_correct"]) for m in mined] == [
        (rows[1]["problem"], 0.25, 1),
        (rows[2]["problem"], 0.0, 0),
    ]
    assert [m["solution"] for m in mined] == [rows[1]["solution"], rows[2]["solution"]]  # carried for stage 2
    assert report["num_correct_histogram"] == {"0": 1, "1": 1, "2": 1, "4": 1}
    assert report["mean_pass_rate"] == pytest.approx((1 + 0.25 + 0 + 0.5) / 4)


def test_probe_counts_groups_with_equal_rewards(augmented_parquet: Path, tmp_path: Path):
    rows = read_parquet(augmented_parquet)
    problems = {r["extra_info"]["question"]: r["reward_model"]["ground_truth"] for r in rows}
    # keyed by the exact prompt: level 0 all wrong; hinted prompts 1 of 2 right, so their rewards differ
    answers = {
        row["prompt"][0]["content"]: (
            problems[row["extra_info"]["question"]],
            min(row["extra_info"]["thinking_level"], 1),
        )
        for row in rows
    }
    sampler = ScriptedSampler(answers, n=2, augmented=True)
    report = probe_signal(
        str(augmented_parquet), tmp_path, settings=SamplingSettings(n=2), levels=[0, 1], limit=3, sampler=sampler
    )
    level0, level1 = report["per_level"]["0"], report["per_level"]["1"]
    assert (level0["pass_rate"], level0["share_all_equal"], level0["groups_all_wrong"]) == (0.0, 1.0, 3)
    assert (level1["pass_rate"], level1["share_all_equal"]) == (0.5, 0.0)
    assert level1["mean_score"] == pytest.approx((2.0 - 1.0) / 2)  # spk_h_aug: 2 for right and well-formed, -1 wrong


def test_parse_levels_and_bad_settings():
    assert parse_levels(None) is None and parse_levels("all") is None
    assert parse_levels("2,0, 2") == [0, 2]
    with pytest.raises(UserError):
        parse_levels("one")
    with pytest.raises(UserError):
        SamplingSettings(n=4, temperature=0)


def test_mine_hard_on_a_missing_input_fails_cleanly(tiny_model_dir, tmp_path, capsys):
    args = ("data", "mine-hard", "--model", tiny_model_dir, "--input", tmp_path / "none.parquet", "--output", tmp_path)
    assert run_cli(*args) == 2
    assert "no such file" in capsys.readouterr().err
