"""Final-answer extraction: which part of a response is the answer, and when there is none."""

import pytest

from sparkle.reward.extract import extract_answer, find_boxes, response_text


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (r"<think>a=3</think><answer>The answer is \boxed{\frac{1}{2}}.</answer>", r"\frac{1}{2}"),
        (r"nested \boxed{\frac{a^{2}}{\sqrt{b}}} done", r"\frac{a^{2}}{\sqrt{b}}"),
        (r"so the result is $\boxed 5$ indeed", "5"),
        (r"\fbox{42}", "42"),
        (r"first \boxed{7}. Then a long argument follows here, many words. Finally \boxed{9}", "9"),
        (r"x = \boxed{2} and y = \boxed{3}", "x = 2, y = 3"),
        (r"<answer>(a) \boxed{5} (b) \boxed{7}</answer>", "(a) 5, (b) 7"),
        (r"<answer>12</answer>", "12"),
        (r"<answer>The answer is 12.</answer>", "12"),
        (r"<answer>The probability is $\frac{2}{9}$.</answer>", r"\frac{2}{9}"),
        ("<answer>He eats 48 pieces.</answer>", "48"),
        (r"<answer>\frac{\pi}{4}</answer>", r"\frac{\pi}{4}"),
        (r"<answer>5 \text{ g}</answer>", r"5 \text{ g}"),
        ("<answer>He eats 48 pieces, 3 per day.</answer>", "He eats 48 pieces, 3 per day"),
        ("Therefore the answer is 15.", "15"),
        ("Final answer: $3.5$", "3.5"),
        ("Final Answer: The final answer is $7$. I hope it is correct.", "7"),
        (r"\boxed{\{1, 2\}}", r"\{1, 2\}"),
        (r"<think>try \boxed{4}</think><answer>we get \boxed{6}</answer>", "6"),
    ],
)
def test_extracts_the_final_answer(response: str, expected: str) -> None:
    assert extract_answer(response) == expected


@pytest.mark.parametrize(
    "response",
    [
        "We compute 5 + 7 = 12 and then we need to subtract",  # truncated: numbers but no answer
        r"<think>the sum is 12, so \boxed{1",  # unclosed box
        r"\boxed{}",
        "<think>still thinking about 42",
        "",
    ],
)
def test_no_final_answer_means_none(response: str) -> None:
    assert extract_answer(response) is None


def test_box_inside_answer_block_wins_over_later_reasoning_box() -> None:
    response = r"<answer>\boxed{3}</answer> Let me double-check: \boxed{4}"
    assert extract_answer(response) == "3"


def test_response_text_drops_prompt_and_special_tokens() -> None:
    full = "<|im_start|>user\nthe answer is 1<|im_end|>\n<|im_start|>assistant\nthe answer is 2<|im_end|>"
    assert response_text(full) == "\nthe answer is 2"
    assert extract_answer(full) == "2"


def test_find_boxes_reports_spans() -> None:
    text = r"a \boxed{1} b \fbox{2}"
    boxes = find_boxes(text)
    assert [b.content for b in boxes] == ["1", "2"]
    assert text[boxes[0].start : boxes[0].end] == r"\boxed{1}"
