"""The prompt texts must equal the original's character for character (docs/original-system.md §3, §10.4).

The expected strings are typed here from the documentation, not derived from the code under test.
"""

from __future__ import annotations

from data_helpers import DOC_INSTRUCTION

from sparkle.data import prompts

DOC_SRL = r"Please reason step by step, and put your final answer within \boxed{}."


def test_instruction_is_the_original_text_without_trailing_newline():
    assert prompts.INSTRUCTION == DOC_INSTRUCTION
    assert not prompts.INSTRUCTION.endswith("\n")
    assert prompts.INSTRUCTION.count("\\boxed{") == 2  # single backslashes after unescaping


def test_plain_prompt_has_one_space_before_assistant_and_nothing_after_the_colon():
    got = prompts.plain_prompt("What is $1+1$?")
    assert got == DOC_INSTRUCTION + "\n\nUser: What is $1+1$? Assistant:"


def test_augmented_prompt_puts_the_hint_after_assistant_think():
    got = prompts.augmented_prompt("Find x.", "Step one.\nStep two.")
    assert got == DOC_INSTRUCTION + "\n\nUser: Find x. Assistant: <think>\nStep one.\nStep two.\n"


def test_chat_messages_is_one_user_message():
    assert prompts.chat_messages("abc") == [{"role": "user", "content": "abc"}]


def test_fine_grained_templates():
    plan_intro = (
        "Consider the following planning skeleton to guide your reasoning. You may adapt or extend this "
        "outline as needed based on your analysis of the problem:"
    )
    knowledge_intro = (
        "The following is a reference knowledge base for concepts you might not be familiar with. If you "
        "already understand these concepts, you don't need to rely on this information. Otherwise, you "
        "can refer to this as needed:"
    )
    assert prompts.plan_prompt("P", "1. a\n2. b") == (
        DOC_INSTRUCTION + "\n\nUser: P\n" + plan_intro + "\n1. a\n2. b\nAssistant:"
    )
    assert prompts.knowledge_prompt("P", "Fact: f") == (
        DOC_INSTRUCTION + "\n\nUser: P\n" + knowledge_intro + "\nFact: f\nAssistant:"
    )
    assert prompts.subproblem_prompt("Q1 ctx") == DOC_INSTRUCTION + "\n\nUser: Q1 ctx Assistant:"
    assert prompts.srl_prompt("P") == "User: P\n" + DOC_SRL + "\nAssistant:"
    assert prompts.plan_srl_prompt("P", "pl") == "User: P\n" + plan_intro + "\npl\n" + DOC_SRL + "\nAssistant:"
    assert prompts.knowledge_srl_prompt("P", "kn") == (
        "User: P\n" + knowledge_intro + "\nkn\n" + DOC_SRL + "\nAssistant:"
    )
    assert prompts.distill_prompt("P") == DOC_SRL + "\n\nUser: P Assistant: <think>\n"
    assert prompts.direct_cot_prompt("P") == "P\n" + DOC_SRL
    assert prompts.simple_cot_prompt("P") == "Question:P\nAnswer:\nLet's think step by step."
