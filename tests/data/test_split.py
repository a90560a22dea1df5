"""The split algorithm on the original's documented examples and on each branch (docs §4.4)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparkle.data.split import smart_split_thinking_process, split_steps

SIX_PARAGRAPHS = "\n\n".join(f"Paragraph {word} says something." for word in "ABCDEF")


def test_six_paragraphs_all_gives_chunk_sizes_1_2_1_2():
    result = split_steps(SIX_PARAGRAPHS, 4, first_half=False)
    assert result.branch == "paragraphs"
    assert [chunk.count("Paragraph") for chunk in result.chunks] == [1, 2, 1, 2]
    assert result.chunks[1] == "Paragraph B says something.\n\nParagraph C says something."


def test_six_paragraphs_first_half_gives_3_3_covering_the_whole_trace():
    chunks = smart_split_thinking_process(SIX_PARAGRAPHS, 4, use_first_half=True)
    assert [chunk.count("Paragraph") for chunk in chunks] == [3, 3]
    # the measured first_half semantics: the two chunks hold the whole trace
    assert "\n\n".join(chunks) == SIX_PARAGRAPHS


def test_exactly_four_paragraphs_are_returned_as_they_are():
    text = "One.\n\n  Two.  \n \nThree.\n\nFour."
    assert smart_split_thinking_process(text, 4) == ["One.", "Two.", "Three.", "Four."]


SIX_SENTENCES = "Alpha holds. Beta follows. Gamma is next. Delta comes. Epsilon ends. Zeta closes."


def test_six_short_sentences_give_three_groups():
    result = split_steps(SIX_SENTENCES, 4)
    assert result.branch == "sentences"
    assert result.chunks == ["Alpha holds. Beta follows.", "Gamma is next. Delta comes.", "Epsilon ends. Zeta closes."]


def test_sentence_fallback_first_half_is_a_true_first_half():
    chunks = smart_split_thinking_process(SIX_SENTENCES, 4, use_first_half=True)
    assert chunks == ["Alpha holds. Beta follows.", "Gamma is next. Delta comes."]


def test_five_sentences_give_three_groups_and_a_tail_without_punctuation_is_kept():
    assert smart_split_thinking_process("A one. B two. C three. D four. E five.", 4) == [
        "A one. B two.",
        "C three. D four.",
        "E five.",
    ]
    assert smart_split_thinking_process("First part. Second part! and a tail", 4) == [
        "First part.",
        "Second part!",
        "and a tail",
    ]


NUMBERED = "We set up.\n1. Compute x.\n2. Compute y.\n3. Add them.\n4. Conclude."


def test_numbered_sections_are_consolidated_from_the_digit_positions():
    result = split_steps(NUMBERED, 4)
    assert result.branch == "numbered"
    assert result.chunks == ["We set up.", "1. Compute x.", "2. Compute y.", "3. Add them.\n4. Conclude."]


def test_numbered_first_half_covers_the_whole_trace():
    assert smart_split_thinking_process(NUMBERED, 4, use_first_half=True) == [
        "We set up.\n1. Compute x.",
        "2. Compute y.\n3. Add them.\n4. Conclude.",
    ]


def test_numbered_text_starting_with_1_gives_the_original_empty_first_chunk():
    # position 0 is both the implicit start and the first item: the original yields "" first
    assert smart_split_thinking_process("1. Alpha.\n2. Beta.\n3. Gamma.", 4) == [
        "",
        "1. Alpha.",
        "2. Beta.",
        "3. Gamma.",
    ]


BULLETS = "- **Setup** x is two.\n- **Square** its square is four.\n- **Add** the sum is six.\n- **Done** so six."


def test_bullet_headers_use_the_sentence_fallback():
    result = split_steps(BULLETS, 4)
    assert result.branch == "bullets"
    assert result.chunks == [
        "- **Setup** x is two.",
        "- **Square** its square is four.",
        "- **Add** the sum is six.",
        "- **Done** so six.",
    ]
    assert smart_split_thinking_process(BULLETS, 4, True) == result.chunks[:2]


HEADERS = "We solve it in parts. **Part one**: compute a. **Part two**: compute b. **Part three**: add."


def test_bold_headers_split_at_their_positions():
    result = split_steps(HEADERS, 4)
    assert result.branch == "headers"
    assert result.chunks == [
        "We solve it in parts.",
        "**Part one**: compute a.",
        "**Part two**: compute b.",
        "**Part three**: add.",
    ]


def test_header_first_half_also_covers_the_whole_trace():
    assert smart_split_thinking_process(HEADERS, 4, True) == [
        "We solve it in parts.",
        "**Part one**: compute a. **Part two**: compute b. **Part three**: add.",
    ]


def test_section_words_count_as_headers():
    text = "Understanding the problem: we need y. Calculating: y is 3 times 4. Finally: y is 12."
    result = split_steps(text, 4)
    assert result.branch == "headers"
    assert "".join("".join(result.chunks).split()) == "".join(text.split())


def test_too_few_header_breaks_fall_back_to_sentences():
    result = split_steps("Note: alpha holds. Beta follows. Gamma is next. Delta comes. Epsilon ends.", 4)
    assert result.branch == "sentences"
    assert result.chunks[0] == "Note: alpha holds. Beta follows."


def test_more_steps_and_invalid_steps():
    text = "\n\n".join(f"P{i}." for i in range(12))
    assert [c.count("P") for c in smart_split_thinking_process(text, 8)] == [1, 2, 1, 2, 1, 2, 1, 2]
    with pytest.raises(ValueError):
        split_steps("x", 1, first_half=True)


ATOMS = [
    "First:",
    "Step",
    "1.",
    "2.",
    "3.",
    " ",
    "\n",
    "\n\n",
    ".",
    "?",
    "x = 2",
    "So y",
    "- **a**",
    "**Key**:",
    "Note:",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ATOMS), max_size=25).map("".join), st.integers(2, 6), st.booleans())
def test_chunks_are_bounded_and_covering_branches_keep_every_character(text, target, first_half):
    result = split_steps(text, target, first_half)
    steps = target // 2 if first_half else target
    assert len(result.chunks) <= steps
    assert all(chunk == chunk.strip() for chunk in result.chunks)
    if result.branch in ("paragraphs", "numbered", "headers"):
        assert "".join("".join(result.chunks).split()) == "".join(text.split())
