"""Token-aware stage 2: prompt lengths as verl measures them, trimming at step boundaries, the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_helpers import read_parquet, run_cli, sample_rows

from sparkle.data.prompts import augmented_prompt, chat_messages, plain_prompt
from sparkle.data.tokens import PromptMeasurer, step_cuts, trim_hint

MARK = "Assistant: <think>\n"


def _verl_length(tokenizer, content: str) -> int:
    """What verl 0.9.1's RLHFDataset filter computes for one row."""
    out = tokenizer.apply_chat_template(chat_messages(content), add_generation_prompt=True, tokenize=True)
    return len(out["input_ids"] if hasattr(out, "keys") else out)


def _hint(row: dict) -> str:
    return row["prompt"][0]["content"].split(MARK, 1)[1][:-1]


def test_measurer_counts_what_apply_chat_template_counts(tiny_tokenizer):
    prompts = [augmented_prompt("What is 2+2?", "We add.\nSo 4."), "short", "x" * 50, "Ünïcode $\\frac{1}{2}$"]
    measured = PromptMeasurer(tiny_tokenizer, batch_size=3).count(prompts)
    assert measured == [_verl_length(tiny_tokenizer, p) for p in prompts]


def _exact_levels(measurer: PromptMeasurer, problems) -> list[list[int]]:
    return [
        [measurer.count_one(plain_prompt(p))] + [measurer.count_one(augmented_prompt(p, h)) for h in hints]
        for p, hints in problems
    ]


def test_counts_derived_from_offsets_equal_exact_counts(tiny_tokenizer, samples):
    from sparkle.data.stage2 import sparkle_hints

    rows = sample_rows("hardmath.jsonl")
    problems = [(r["problem"], [h.text for h in sparkle_hints(r["CoT"] or r["solution"]).hints]) for r in rows]
    measurer = PromptMeasurer(tiny_tokenizer, batch_size=7)
    measured, stats = measurer.measure_problems(problems, limit=600, sample=0)
    assert stats.method == "offsets" and stats.sample_mismatches == 0 and stats.derived_counts > 20
    assert [m.levels for m in measured] == _exact_levels(measurer, problems)


def test_a_tokenizer_that_merges_across_newlines_falls_back_to_exact_counts():
    from tokenizers import Tokenizer, models, trainers
    from transformers import PreTrainedTokenizerFast

    from sparkle.tiny_model import CHATML_TEMPLATE

    raw = Tokenizer(models.BPE())  # no pre-tokenizer: merges may span "\n"
    texts = [f"Step {i}.\nNext {i}.\nThen {i % 7}.\nDone." for i in range(300)]
    trainer = trainers.BpeTrainer(vocab_size=600, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    raw.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=raw, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.chat_template = CHATML_TEMPLATE
    measurer = PromptMeasurer(tokenizer)
    problems = [
        (f"Problem {i}", [f"Step {i}.", f"Step {i}.\nNext {i}.", f"Step {i}.\nNext {i}.\nThen 3."]) for i in range(9)
    ]
    measured, stats = measurer.measure_problems(problems, limit=10_000)
    assert stats.method == "exact" and stats.sample_mismatches > 0
    assert all(m.tokens is None for m in measured)
    assert [m.levels for m in measured] == _exact_levels(measurer, problems)


HINT = "Line one.\nLine two. Still two.\nLine three."


def test_step_cuts_are_line_ends_and_sentence_ends():
    assert [HINT[:cut] for cut in step_cuts(HINT)] == [
        "Line one.",
        "Line one.\nLine two.",
        "Line one.\nLine two. Still two.",
    ]


def test_trim_hint_keeps_the_longest_fitting_step_prefix():
    def fits_in(budget):
        return lambda text: len(text) <= budget

    assert trim_hint(HINT, fits_in(25)) == "Line one.\nLine two."
    assert trim_hint(HINT, fits_in(100)) == "Line one.\nLine two. Still two."
    assert trim_hint(HINT, fits_in(8)) is None
    assert trim_hint(HINT, fits_in(25), longer_than=19) is None  # would not add to a 19-char lower level
    # with an estimate, the choice is confirmed by `fits`, stepping down when the estimate was optimistic
    assert trim_hint(HINT, fits_in(25), estimate=lambda t: len(t) - 20, limit=25) == "Line one.\nLine two."
    assert trim_hint(HINT, fits_in(100), estimate=len, limit=25) == "Line one.\nLine two."


@pytest.fixture(scope="module")
def untrimmed(tmp_path_factory, samples: Path, tiny_model_dir: Path):
    out = tmp_path_factory.mktemp("untrimmed")
    args = ("data", "stage2", "--source", samples / "hardmath.jsonl", "--tokenizer", tiny_model_dir)
    assert run_cli(*args, "--max-prompt-length", "100000", "--output", out) == 0
    rows = read_parquet(out / "sparkle_hardmath_aug_all_train.parquet")
    report = json.loads((out / "sparkle_hardmath_aug_all_train.report.json").read_text())
    # a limit every level-0 prompt fits while many hinted prompts do not
    limit = int(report["per_level"]["2"]["mean_tokens"])
    assert report["per_level"]["0"]["max_tokens"] < limit
    return out, rows, limit


def test_trimming_fits_every_row_and_the_report_adds_up(
    untrimmed, samples, tiny_model_dir, tiny_tokenizer, tmp_path, capsys
):
    _full_out, full_rows, limit = untrimmed
    full = {r["extra_info"]["index"]: r for r in full_rows}
    lengths = {index: _verl_length(tiny_tokenizer, r["prompt"][0]["content"]) for index, r in full.items()}
    n_overlong = sum(n > limit for n in lengths.values())

    args = ("data", "stage2", "--source", samples / "hardmath.jsonl", "--tokenizer", tiny_model_dir)
    assert run_cli(*args, "--max-prompt-length", str(limit), "--output", tmp_path) == 0
    printed = capsys.readouterr().out
    assert "level  built  kept  trimmed  dropped_overlong  dropped_duplicate  max_tokens  mean_tokens" in printed
    rows = read_parquet(tmp_path / "sparkle_hardmath_aug_all_train.parquet")
    report = json.loads((tmp_path / "sparkle_hardmath_aug_all_train.report.json").read_text())
    levels = report["per_level"]

    assert all(_verl_length(tiny_tokenizer, r["prompt"][0]["content"]) <= limit for r in rows)
    for level, counts in levels.items():
        assert counts["built"] == counts["kept"] + counts["dropped_overlong"] + counts["dropped_duplicate"], level
        assert counts["max_tokens"] <= limit
    n_trimmed = sum(c["trimmed"] for c in levels.values())
    n_dropped = sum(c["dropped_overlong"] + c["dropped_duplicate"] for c in levels.values())
    assert n_trimmed > 0 and n_dropped > 0  # the limit was chosen so both happen
    assert n_trimmed + n_dropped == n_overlong == len(report["overlong_rows"])
    assert sum(c["kept"] for c in levels.values()) == len(rows)
    assert sum(r["extra_info"]["trimmed"] for r in rows) == n_trimmed
    counting = report["token_check"]["counting"]
    assert counting["method"] == "offsets" and counting["sample_mismatches"] == 0

    kept = {r["extra_info"]["index"]: r for r in rows}
    for index, row in kept.items():
        if not row["extra_info"]["trimmed"]:
            assert row == full[index]
            continue
        full_hint, hint = _hint(full[index]), _hint(row)
        assert full_hint.startswith(hint) and len(hint) < len(full_hint)
        assert full_hint[len(hint)] in "\n \t"  # cut at a line or sentence boundary
        problem, level = index.split("_")
        lower = [kept[f"{problem}_{lv}"] for lv in range(1, int(level)) if f"{problem}_{lv}" in kept]
        if lower:
            assert len(hint) > len(_hint(lower[-1]))  # still adds to the previous kept level


def test_drop_mode_drops_exactly_the_overlong_rows(untrimmed, samples, tiny_model_dir, tiny_tokenizer, tmp_path):
    _, full_rows, limit = untrimmed
    expected = [r for r in full_rows if _verl_length(tiny_tokenizer, r["prompt"][0]["content"]) <= limit]
    args = ("data", "stage2", "--source", samples / "hardmath.jsonl", "--tokenizer", tiny_model_dir)
    assert run_cli(*args, "--max-prompt-length", str(limit), "--overlong", "drop", "--output", tmp_path) == 0
    rows = read_parquet(tmp_path / "sparkle_hardmath_aug_all_train.parquet")

    def key(row: dict) -> str:
        return row["extra_info"]["index"]

    assert sorted(rows, key=key) == sorted(expected, key=key)  # the same rows (shuffled after dropping)
    report = json.loads((tmp_path / "sparkle_hardmath_aug_all_train.report.json").read_text())
    assert sum(c["dropped_overlong"] for c in report["per_level"].values()) == len(full_rows) - len(rows)
    assert all(c["trimmed"] == 0 for c in report["per_level"].values())


def test_verl_rlhf_dataset_drops_nothing_from_the_trimmed_set(
    untrimmed, samples, tiny_model_dir, tiny_tokenizer, tmp_path
):
    from omegaconf import OmegaConf
    from verl.utils.dataset.rl_dataset import RLHFDataset

    full_out, full_rows, limit = untrimmed
    args = ("data", "stage2", "--source", samples / "hardmath.jsonl", "--tokenizer", tiny_model_dir)
    assert run_cli(*args, "--max-prompt-length", str(limit), "--output", tmp_path) == 0
    config = OmegaConf.create(
        {
            "max_prompt_length": limit,
            "filter_overlong_prompts": True,
            "filter_overlong_prompts_workers": 1,
            "cache_dir": str(tmp_path / "verl_cache"),
        }
    )

    def verl_len(path: Path) -> int:
        return len(RLHFDataset(data_files=[str(path)], tokenizer=tiny_tokenizer, config=config))

    trimmed_rows = read_parquet(tmp_path / "sparkle_hardmath_aug_all_train.parquet")
    assert verl_len(tmp_path / "sparkle_hardmath_aug_all_train.parquet") == len(trimmed_rows)
    fits = sum(_verl_length(tiny_tokenizer, r["prompt"][0]["content"]) <= limit for r in full_rows)
    assert verl_len(full_out / "sparkle_hardmath_aug_all_train.parquet") == fits < len(full_rows)
