"""Helpers for the analysis tests (a uniquely named module, so it never clashes with other test packages).

The prompt templates are typed here from docs/original-system.md §3.1, §3.2 and §10.4, not taken from
the code under test; the recomputations re-grade logged responses with `sparkle.reward.is_equivalent`
and aggregate with plain loops, not with `sparkle.analysis`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"
PREVIEW = SAMPLES / "sparkle_preview.jsonl"
RECORDED = Path(__file__).resolve().parent / "data" / "recorded"

DOC_INSTRUCTION = (
    "A conversation between User and Assistant. The user asks a math question, and the Assistant solves it step by "
    "step. The Assistant first thinks about the complete reasoning process in the mind enclosed within <think> "
    "</think> tags. Then the Assistant provides a clear, concise answer to the user within <answer> </answer> tags, "
    "with the final result enclosed in \\boxed{} notation.\n\nFor example:\n<think>\nreasoning process here\n"
    "</think>\n<answer>\nThe answer is \\boxed{...}.\n</answer>"
)


def doc_vanilla(problem: str) -> str:
    return DOC_INSTRUCTION + "\n\nUser: " + problem + " Assistant:"


def doc_plan(problem: str, planning: str) -> str:
    return (
        DOC_INSTRUCTION + "\n\nUser: " + problem + "\nConsider the following planning skeleton to guide your "
        "reasoning. You may adapt or extend this outline as needed based on your analysis of the problem:\n"
        + planning + "\nAssistant:"
    )  # fmt: skip


def doc_knowledge(problem: str, knowledge: str) -> str:
    return (
        DOC_INSTRUCTION + "\n\nUser: " + problem + "\nThe following is a reference knowledge base for concepts you "
        "might not be familiar with. If you already understand these concepts, you don't need to rely on this "
        "information. Otherwise, you can refer to this as needed:\n" + knowledge + "\nAssistant:"
    )  # fmt: skip


def doc_subproblem(augmented_problem: str) -> str:
    return DOC_INSTRUCTION + "\n\nUser: " + augmented_problem + " Assistant:"


def doc_prompt(condition: str, row: dict[str, Any]) -> str:
    """The documented prompt of `condition` for a hub row of the sample."""
    if condition == "vanilla":
        return doc_vanilla(row["problem"])
    if condition == "plan":
        return doc_plan(row["problem"], row["planning"])
    if condition == "knowledge":
        return doc_knowledge(row["problem"], row["knowledge"])
    return doc_subproblem(row["augmented_problem"])


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def preview_rows() -> list[dict[str, Any]]:
    """The embedded sample's hub rows (one per subproblem)."""
    return read_jsonl(PREVIEW)


def problem_rows() -> dict[str, dict[str, Any]]:
    """The first hub row of each sample problem, keyed ``<source>/<problem ID>``."""
    firsts: dict[str, dict[str, Any]] = {}
    for row in preview_rows():
        firsts.setdefault(f"{row['source']}/{row['problem ID']}", row)
    return firsts


def chat(tokenizer: Any, text: str) -> str:
    return tokenizer.apply_chat_template(
        [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
    )


def correctness(responses: list[str], gold: str) -> list[bool]:
    from sparkle.reward import is_equivalent

    return [bool(is_equivalent(r, gold)) for r in responses]


def recompute_problem_scores(samples: list[dict[str, Any]]) -> dict[str, float]:
    """Problem key -> share of correct responses, from a problem-level pair's logged rows."""
    scores = {}
    for row in samples:
        (responses,) = row["filtered_resps"]
        right = correctness(responses, ", ".join(row["doc"]["answer"]))
        scores[row["doc"]["problem_key"]] = sum(right) / len(right)
    return scores


def recompute_chains(samples: list[dict[str, Any]]) -> tuple[dict[str, float], dict[str, list[float]]]:
    """From a subproblems pair's logged rows: problem key -> chain success, and -> step accuracies in order."""
    steps: dict[str, list[tuple[int, list[bool]]]] = defaultdict(list)
    for row in samples:
        (responses,) = row["filtered_resps"]
        steps[row["doc"]["problem_key"]].append(
            (row["doc"]["subproblem_sequence"], correctness(responses, row["doc"]["subproblem_answer"]))
        )
    chain, per_step = {}, {}
    for key, members in steps.items():
        members.sort()
        k = len(members[0][1])
        runs_ok = 0
        for j in range(k):
            ok = True
            for _, right in members:
                if not right[j]:
                    ok = False
            runs_ok += ok
        chain[key] = runs_ok / k
        per_step[key] = [sum(right) / k for _, right in members]
    return chain, per_step


def mean(values: list[float]) -> float:
    return sum(values) / len(values)
