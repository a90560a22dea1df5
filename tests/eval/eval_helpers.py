"""Helpers for the evaluation tests (a uniquely named module, so it never clashes with other test packages).

`train_answering_model` turns the random tiny model into one whose sampled answers vary: a few steps of
supervised training on the benchmark prompts teach it to answer every problem with one of a few fixed
responses, drawn from `ANSWER_MIX`. At temperature 0.6 some problems are then sometimes right (gold 4,
5, 6 or 23), some never, and some samples have no answer or an equivalent spelling of another (4.0 vs
4), so avg@k, pass@k and maj@k take values other than 0 and 1 and the vote has groups to merge.
"""

from __future__ import annotations

import json
import random
from itertools import combinations
from pathlib import Path
from typing import Any

from sparkle.data.prompts import plain_prompt

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
REPO = Path(__file__).resolve().parents[2]

ANSWER_MIX: tuple[tuple[str | None, int], ...] = (("4", 1), ("4.0", 1), ("6", 2), ("5", 2), ("23", 2), (None, 2))
"""Answers and their counts in every training batch (balanced batches keep the learnt mix close to this)."""


def response_for(answer: str | None) -> str:
    if answer is None:
        return "<answer>\nI am not sure.\n</answer>"
    return f"<answer>\nThe answer is \\boxed{{{answer}}}.\n</answer>"


def sample_problems() -> list[str]:
    problems = []
    for path in sorted((SAMPLES / "benchmarks").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                problems.append(row.get("problem") or row["question"])
    return problems


def train_answering_model(
    source: Path,
    target: Path,
    *,
    steps: int = 120,
    seed: int = 0,
    prompts: list[str] | None = None,
    answer_mix: tuple[tuple[str | None, int], ...] = ANSWER_MIX,
) -> Path:
    """Fine-tune the tiny model at `source` to answer `prompts` (default: the plain prompts of the sample
    problems) from `answer_mix`; save to `target`."""
    import torch

    if prompts is None:
        prompts = [plain_prompt(p) for p in sample_problems()]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model trains faster on one thread, and much faster on a busy machine
    try:
        return _train(source, target, steps, seed, prompts, answer_mix)
    finally:
        torch.set_num_threads(threads)


def _train(
    source: Path,
    target: Path,
    steps: int,
    seed: int,
    prompt_texts: list[str],
    answer_mix: tuple[tuple[str | None, int], ...],
) -> Path:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    prompts = [
        tokenizer.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True, tokenize=False)
        for p in prompt_texts
    ]
    prompt_ids = [tokenizer(p, add_special_tokens=False).input_ids for p in prompts]
    answers = [a for a, count in answer_mix for _ in range(count)]
    response_ids = {
        a: tokenizer(response_for(a) + tokenizer.eos_token, add_special_tokens=False).input_ids for a in answers
    }
    rng = random.Random(seed)
    batch = len(answers)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 - step / steps)
    model.train()
    for _ in range(steps):
        pairs = [(rng.choice(prompt_ids), response_ids[a]) for a in answers]
        width = max(len(p) + len(r) for p, r in pairs)
        ids = torch.full((batch, width), tokenizer.pad_token_id)
        labels = torch.full((batch, width), -100)
        mask = torch.zeros((batch, width), dtype=torch.long)
        for row, (p, r) in enumerate(pairs):
            ids[row, : len(p) + len(r)] = torch.tensor(p + r)
            labels[row, len(p) : len(p) + len(r)] = torch.tensor(r)
            mask[row, : len(p) + len(r)] = 1
        model(input_ids=ids, attention_mask=mask, labels=labels).loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def brute_force_pass_at_k(correct: list[bool], k: int) -> float:
    """pass@k by enumeration: the share of all k-subsets of the samples that hold a correct one."""
    subsets = list(combinations(range(len(correct)), k))
    return sum(any(correct[i] for i in s) for s in subsets) / len(subsets)


def reference_majority(preds: list[str | None], correct: list[bool], k: int, same: Any) -> float:
    """maj@k written out plainly: groups by first-match against earlier groups' first answers, most votes
    among the first k wins, ties to the group seen first; 0 when nobody answered."""
    firsts: list[int] = []
    owner: dict[int, int] = {}
    for i in range(len(preds)):
        if preds[i] is None:
            continue
        match = next((f for f in firsts if same(preds[i], preds[f])), None)
        if match is None:
            firsts.append(i)
            match = i
        owner[i] = match
    tally = {f: sum(1 for i in range(k) if owner.get(i) == f) for f in firsts}
    tally = {f: n for f, n in tally.items() if n > 0}
    if not tally:
        return 0.0
    best = max(tally.values())
    winner = min(f for f, n in tally.items() if n == best)
    return float(correct[winner])


def same_by_verifier(pred: str, representative: str) -> bool:
    from sparkle.reward import compare_answers

    return pred == representative or compare_answers(pred, representative).equivalent


def recompute_doc(responses: list[str], gold: str) -> dict[str, float]:
    """One logged problem's metrics from its responses: each response re-graded by `sparkle.reward`, then
    pass@k by enumeration and maj@k by `reference_majority` (not `sparkle.eval.metrics`)."""
    from sparkle.reward import extract_answer, is_equivalent

    n = len(responses)
    correct = [is_equivalent(r, gold) for r in responses]
    preds = [extract_answer(r) for r in responses]
    ks = sorted({2**i for i in range(n.bit_length()) if 2**i <= n} | {n})
    metrics = {f"avg@{n}": sum(correct) / n}
    metrics.update({f"pass@{k}": brute_force_pass_at_k(correct, k) for k in ks})
    metrics.update({f"maj@{k}": reference_majority(preds, correct, k, same_by_verifier) for k in ks})
    return metrics


def mean(values: list[float]) -> float:
    return sum(values) / len(values)
