"""Answer equivalence per category, both directions, true and false pairs."""

import pytest

from sparkle.reward import compare_answers, is_equivalent

EQUAL = [
    ("1,000", "1000"),
    (r"1{,}000", "1000"),
    (r"1\,000", "1000"),
    ("1 000 000", "1000000"),
    ("007", "7"),
    ("0.5", r"\frac{1}{2}"),
    ("0.50", "1/2"),
    (r"\dfrac{3}{4}", "3/4"),
    (r"\frac34", "0.75"),
    ("2/4", r"\frac12"),
    (r"\sqrt{8}", r"2\sqrt{2}"),
    (r"\frac{\sqrt{2}}{2}", r"\frac{1}{\sqrt{2}}"),
    (r"\sqrt[3]{8}", "2"),
    (r"2\pi", r"\pi \cdot 2"),
    (r"\frac{\pi}{3}", r"\frac{1}{3}\pi"),
    ("1.2e5", "120000"),
    (r"1.2\times10^5", "120000"),
    (r"1.2 \cdot 10^{5}", "1.2e5"),
    ("(1,3]", r"1<x\le 3"),
    (r"[2,\infty)", r"x\ge 2"),
    (r"x < -1 \text{ or } x > 2", r"(-\infty,-1)\cup(2,\infty)"),
    (r"\{1,2\}", r"\{2,1\}"),
    ("(1,2)", "(1, 2)"),
    ("2, 3", "3, 2"),
    (r"x=2 \text{ or } x=3", "2, 3"),
    ("x = 2, y = 3", "y = 3, x = 2"),
    (r"2\pm\sqrt{3}", r"2+\sqrt{3}, 2-\sqrt{3}"),
    (r"15\text{ m}", "15"),
    ("15", r"15 \text{ meters}"),
    (r"12\text{ cm}^2", "12"),
    (r"50\%", "50"),
    (r"50\%", "0.5"),
    ("0.5", r"50\%"),
    (r"30^\circ", "30"),
    (r"\$5.00", "5"),
    (r"\text{Tuesday}", "tuesday"),
    ("Yes", r"\text{yes}"),
    (r"\text{(A)}", "A"),
    (r"\textbf{(C)}", "C"),
    ("x=5", "5"),
    ("y = 2x+1", "2x+1"),
    ("5", "x = 5"),
    (r"\begin{pmatrix}1&2\\3&4\end{pmatrix}", r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"),
    (r"\emptyset", r"\varnothing"),
    (r"\{\}", r"\emptyset"),
    (r"0.\overline{3}", r"\frac{1}{3}"),
    (r"0.\overline{12}", r"\frac{4}{33}"),
    ("0.1666...", r"\frac16"),
    ("x^2+2x+1", "(x+1)^2"),
    (r"\frac{x^2-1}{x-1}", "x+1"),
]
DIFFERENT = [
    ("1000", "100"),
    ("1,001", "1000"),
    (r"\frac{1}{2004!}", r"\frac{1}{2006!}"),
    (r"\frac{2}{2004!}", r"\frac{1}{2004!}"),
    ("0.25", "0.3"),
    ("0.3", r"\frac13"),
    ("1.2e4", "120000"),
    ("(1,3)", r"1<x\le 3"),
    ("[1,3]", "(1,3]"),
    ("(1,2)", "(2,1)"),
    ("2", "2, 3"),
    ("x = 3, y = 2", "x = 2, y = 3"),
    ("(a) 7, (b) 5", "(a) 5, (b) 7"),
    (r"15\text{ m}", r"15\text{ cm}"),
    ("5 km", "5 m"),
    (r"45^\circ", "30"),
    (r"\text{Tuesday}", r"\text{Wednesday}"),
    ("x=6", "5"),
    (r"\begin{pmatrix}1&3\\2&4\end{pmatrix}", r"\begin{pmatrix}1&2\\3&4\end{pmatrix}"),
    (r"\{\emptyset\}", r"\emptyset"),
    (r"\{0\}", r"\emptyset"),
    ("2x", "x^2"),
    ("x+1", "y+1"),
    ("-5", "5"),
]


@pytest.mark.parametrize(("pred", "gold"), EQUAL)
def test_equal_pairs_match_in_both_directions(pred: str, gold: str) -> None:
    assert compare_answers(pred, gold).equivalent
    assert compare_answers(gold, pred).equivalent


@pytest.mark.parametrize(("pred", "gold"), DIFFERENT)
def test_different_pairs_do_not_match_in_either_direction(pred: str, gold: str) -> None:
    assert not compare_answers(pred, gold).equivalent
    assert not compare_answers(gold, pred).equivalent


# Rules that depend on which side is the gold answer.
ONE_WAY = [
    ("3.14", r"\pi", False),  # a decimal is not the exact value it approximates...
    (r"\pi", "3.14", True),  # ...but a gold given as a rounded decimal fixes the precision
    ("1.414", r"\sqrt{2}", False),
    (r"\sqrt{2}", "1.41", True),
    (r"\sqrt{2}", "1.42", False),
    ("0.333", r"\frac{1}{3}", False),
    (r"\frac{1}{3}", "0.333", True),  # non-terminating exact value, gold rounded to 3 places
    (r"\frac{1}{3}", "0.3", False),  # one decimal could be an exact 3/10: not treated as rounded
    (r"\frac{1}{4}", "0.25", True),
    (r"\frac{1}{8}", "0.13", False),  # 1/8 terminates (0.125): it is not a rounding of anything
    ("(B) 12", "B", True),  # a multiple-choice gold: the letter decides
    ("B", "A", False),
    ("12", "B", False),
]


@pytest.mark.parametrize(("pred", "gold", "expected"), ONE_WAY)
def test_gold_side_rules(pred: str, gold: str, expected: bool) -> None:
    assert compare_answers(pred, gold).equivalent is expected


def test_is_equivalent_extracts_from_the_full_response() -> None:
    response = "<think>\n6 * 7 = 42, minus 2\n</think>\n<answer>\nThe answer is \\boxed{40}.\n</answer>"
    assert is_equivalent(response, "40")
    assert not is_equivalent(response, "42")


def test_truncated_response_is_never_equivalent_even_if_the_number_appears() -> None:
    assert not is_equivalent("First, 6 * 7 = 42. Next we", "42")


def test_gold_written_with_a_box_is_unwrapped() -> None:
    assert is_equivalent(r"\boxed{12}", r"The answer is \boxed{12}")
