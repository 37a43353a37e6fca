"""Each normalisation rule of the content model, and nothing more."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefgen.document.textmap import normalise


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("a  b\n\tc", "a b c"),  # whitespace runs
        ("a\u00a0b\u202fc\u2009d", "a b c d"),  # no-break, narrow no-break and thin spaces
        ("‘it’s’", "'it's'"),  # typographic apostrophes and single quotes
        ("“quoted” „low“ «guillemets»", '"quoted" "low" "guillemets"'),
        ("a–b—c‑d−e", "a-b-c-d-e"),  # en, em, non-breaking hyphen, minus
        ("Cafe\u0301", "Café"),  # NFC: a combining accent composes
    ],
)
def test_rule(written: str, expected: str) -> None:
    assert normalise(written).text == expected


def test_case_and_letters_are_not_folded() -> None:
    assert normalise("Kyiv").text != normalise("kyiv").text
    assert normalise("Kiev").text != normalise("Kyiv").text


def test_original_span_maps_back_to_the_source_characters() -> None:
    source = "He said \u201cno\u00a0\u00a0way\u201d."
    norm = normalise(source)
    start = norm.text.index('"no way"')
    s, e = norm.original_span(start, start + len('"no way"'))
    assert source[s:e] == "\u201cno\u00a0\u00a0way\u201d"


def test_combining_sequence_maps_to_whole_cluster() -> None:
    source = "x Cafe\u0301 y"
    norm = normalise(source)
    start = norm.text.index("Café")
    s, e = norm.original_span(start, start + 4)
    assert source[s:e] == "Cafe\u0301"


PIECES = ["a", "B", " ", "  ", "\u00a0", "\n\n", "“", "”", "’", "—", "e\u0301", "é", "x"]


@given(st.lists(st.sampled_from(PIECES), max_size=14))
def test_any_normalised_span_maps_back_to_text_that_normalises_to_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    norm = normalise(text)
    for i in range(len(norm.text)):
        for j in range(i + 1, len(norm.text) + 1):
            s, e = norm.original_span(i, j)
            assert normalise(text[s:e]).text.strip() == norm.text[i:j].strip()
    for offset in range(len(text) + 1):
        assert 0 <= norm.index_of_original(offset) <= len(norm.text)
