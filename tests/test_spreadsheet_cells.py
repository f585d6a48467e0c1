import pytest
from hypothesis import given
from hypothesis import strategies as st

from recommendations.exports import FORMULA_PREFIXES, neutralise, restore


@pytest.mark.parametrize(
    ("text", "exported"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1 555", "'+1 555"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'=already quoted", "''=already quoted"),
        ("'Tis the season", "'Tis the season"),
        ("Plain text", "Plain text"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_exported_as_text(text, exported):
    assert neutralise(text) == exported
    assert restore(exported) == text


@given(st.text(alphabet=st.sampled_from(["'", "=", "+", "-", "@", "a", " ", "\t"]), max_size=8))
def test_export_then_import_gives_back_any_text(text):
    exported = neutralise(text)
    assert not exported.startswith(FORMULA_PREFIXES)
    assert restore(exported) == text
