"""The report's own line wrapping (used for text the main font covers): no text is lost or
reordered, and every line fits the page, whatever the words."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.reports.pdf import _wrap

WIDTH = 40.0


def measure(text: str) -> float:
    return sum(2.0 if c.isupper() else 1.0 for c in text)


words = st.text(alphabet=st.sampled_from("abcXYZ-.é"), min_size=0, max_size=70)


@settings(max_examples=300, deadline=None)
@given(st.lists(words, max_size=30), st.sampled_from([" ", "\n"]))
def test_wrapping_keeps_every_character_in_order_and_fits(parts: list[str], joiner: str) -> None:
    text = joiner.join(parts)
    lines = _wrap(text, WIDTH, measure)
    assert all(measure(line) <= WIDTH for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_a_short_text_is_one_line_and_an_empty_one_is_an_empty_line() -> None:
    assert _wrap("see you at 3", WIDTH, measure) == ["see you at 3"]
    assert _wrap("", WIDTH, measure) == [""]
    assert _wrap("a\n\nb", WIDTH, measure) == ["a", "", "b"]


def _page_stream(draw: str, lines: list[tuple[str, bool, int]]) -> bytes:
    from coparent.reports.pdf import FONT, ReportPDF

    pdf = ReportPDF(paper="A4", report_id="R", bates_prefix="B", title="T")
    pdf.add_page()
    for number, (text, bold, grey) in enumerate(lines):
        pdf.set_font(FONT, "B" if bold else "", size=9 + number % 3)
        pdf.set_text_color(grey)
        getattr(pdf, draw)(20, 30 + 5 * number, text)
    return bytes(pdf.pages[1].contents)


def test_line_out_writes_what_fpdf_text_writes() -> None:
    """The report's fast line drawing gives the page the same operators as fpdf2's `text`."""
    lines = [
        ("Plain words, then more words", False, 0),
        ("Parentheses (and a backslash \\) are escaped", True, 60),
        ("Siobhán, Zoë, Łukasz, Ωμέγα, Жанна €5 — · #12", False, 90),
        ("", False, 0),
        ("Bold again (grey)", True, 90),
        ("Plain words, then more words", False, 0),
    ]
    assert _page_stream("line_out", lines) == _page_stream("text", lines)
