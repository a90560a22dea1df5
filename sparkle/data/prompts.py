"""The prompt texts of the original SPARKLE, character for character.

Source: `scripts/data/prepare_stage_one_data.py`, `scripts/data/prepare_stage_two_data_aug.py` and
`eval/lm-evaluation-harness/lm_eval/tasks/sparkle/utils.py` of sparkle-reasoning/sparkle (see
docs/original-system.md §3 and §10.4). Every space and newline is significant:

- plain (stage 1, stage-2 level 0, evaluation): ``{INSTRUCTION}\\n\\nUser: {problem} Assistant:``
- augmented (stage-2 level L >= 1): ``{INSTRUCTION}\\n\\nUser: {problem} Assistant: <think>\\n{hint}\\n``

The prompt text is the content of a single user message; verl's `RLHFDataset` and lm-eval's
`--apply_chat_template` wrap it with the tokenizer's chat template (`chat_messages`).
"""

from __future__ import annotations

INSTRUCTION = (
    "A conversation between User and Assistant. The user asks a math question, and the Assistant "
    "solves it step by step. The Assistant first thinks about the complete reasoning process in the "
    "mind enclosed within <think> </think> tags. Then the Assistant provides a clear, concise answer "
    "to the user within <answer> </answer> tags, with the final result enclosed in \\boxed{} notation."
    "\n\nFor example:\n<think>\nreasoning process here\n</think>\n<answer>\nThe answer is \\boxed{...}."
    "\n</answer>"
)
"""The shared instruction (no trailing newline)."""

SRL_INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}."
"""The short instruction of the `_srl` / distill / direct-CoT variants (unused by the original YAMLs)."""

PLAN_INTRO = (
    "Consider the following planning skeleton to guide your reasoning. You may adapt or extend this "
    "outline as needed based on your analysis of the problem:"
)
KNOWLEDGE_INTRO = (
    "The following is a reference knowledge base for concepts you might not be familiar with. If you "
    "already understand these concepts, you don't need to rely on this information. Otherwise, you can "
    "refer to this as needed:"
)

AUGMENTED_MARKER = "Assistant: <think>\n"
"""The literal after which a stage-2 partial solution starts."""


def plain_prompt(problem: str) -> str:
    """The plain prompt: stage 1, stage-2 level 0 and evaluation (`doc_to_text`)."""
    return f"{INSTRUCTION}\n\nUser: {problem} Assistant:"


def augmented_prompt(problem: str, hint: str) -> str:
    """The stage-2 prompt of level L >= 1: the cumulative partial solution after `Assistant: <think>\\n`."""
    return f"{INSTRUCTION}\n\nUser: {problem} {AUGMENTED_MARKER}{hint}\n"


def plan_prompt(problem: str, planning: str) -> str:
    """`doc_to_text_plan`: the problem plus a planning skeleton (newline, not space, before `Assistant:`)."""
    return f"{INSTRUCTION}\n\nUser: {problem}\n{PLAN_INTRO}\n{planning}\nAssistant:"


def knowledge_prompt(problem: str, knowledge: str) -> str:
    """`doc_to_text_knowledge`: the problem plus a reference knowledge base."""
    return f"{INSTRUCTION}\n\nUser: {problem}\n{KNOWLEDGE_INTRO}\n{knowledge}\nAssistant:"


def subproblem_prompt(augmented_problem: str) -> str:
    """`doc_to_text_subproblem`: one query per `sparkle_preview` row (previous answers + current question)."""
    return f"{INSTRUCTION}\n\nUser: {augmented_problem} Assistant:"


def srl_prompt(problem: str) -> str:
    """`doc_to_text_srl` (defined in the original, used by no task)."""
    return f"User: {problem}\n{SRL_INSTRUCTION}\nAssistant:"


def plan_srl_prompt(problem: str, planning: str) -> str:
    """`doc_to_text_plan_srl` (defined in the original, used by no task)."""
    return f"User: {problem}\n{PLAN_INTRO}\n{planning}\n{SRL_INSTRUCTION}\nAssistant:"


def knowledge_srl_prompt(problem: str, knowledge: str) -> str:
    """`doc_to_text_knowledge_srl` (defined in the original, used by no task)."""
    return f"User: {problem}\n{KNOWLEDGE_INTRO}\n{knowledge}\n{SRL_INSTRUCTION}\nAssistant:"


def distill_prompt(problem: str) -> str:
    """`doc_to_text_distill` (defined in the original, used by no task)."""
    return f"{SRL_INSTRUCTION}\n\nUser: {problem} {AUGMENTED_MARKER}"


def direct_cot_prompt(problem: str) -> str:
    """`doc_to_text_direct_cot` (defined in the original, used by no task)."""
    return f"{problem}\n{SRL_INSTRUCTION}"


def simple_cot_prompt(problem: str) -> str:
    """`doc_to_text_simple_cot` (defined in the original, used by no task)."""
    return f"Question:{problem}\nAnswer:\nLet's think step by step."


def chat_messages(prompt: str) -> list[dict[str, str]]:
    """The verl `prompt` column: the prompt text as the content of one user message."""
    return [{"role": "user", "content": prompt}]
