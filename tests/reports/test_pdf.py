"""The report PDF as a court's clerk reads it: qpdf finds nothing wrong, every message and time
is in the text, every page says "Page N of M" and carries its Bates number, names in any script
render in an embedded font, and the attached bundle verifies (and a forged one does not)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from fontTools.ttLib import TTFont

from coparent.reports import verify as report_verify
from coparent.reports.pdf import FONTS
from coparent.reports.sections import ReportScope
from coparent.tlog.verify import verify_bundle
from tests.cast import Cast
from tests.reports.helpers import (
    CJK_BODY,
    UNICODE_NAMES,
    bundle_of,
    flat,
    history,
    page_texts,
    qpdf_check,
    replace_bundle,
    rezip,
    write,
)


@pytest.fixture
def report(cast: Cast, tmp_path: Path) -> tuple[Path, list]:
    _thread, messages = history(cast)
    path = tmp_path / "report.pdf"
    result = write(cast, path, csv=tmp_path / "tables.zip")
    assert result.pages > 3
    assert result.entries > 0
    return path, messages


def test_qpdf_finds_no_error(report) -> None:
    qpdf_check(report[0])


def test_the_report_claims_no_tagging_that_fpdf2_cannot_give_its_text(report) -> None:
    """fpdf2 2.8.3 tags no text (docs/ARCHITECTURE.md, "Tagged PDF"); a structure tree of
    images alone would mark the PDF as tagged and hide its text from assistive technology."""
    with pikepdf.open(report[0]) as pdf:
        assert "/MarkInfo" not in pdf.Root
        assert "/StructTreeRoot" not in pdf.Root
        assert str(pdf.Root.Lang) == "en"


def test_every_page_has_page_n_of_m_and_its_bates_number(report) -> None:
    texts = page_texts(report[0])
    total = len(texts)
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text, number
        assert f"FENWICK-{number:06d}" in text, number
        assert "Report TEST0001" in text, number


def test_every_message_body_and_its_time_is_printed(report, cast: Cast) -> None:
    path, messages = report
    text = flat(" ".join(page_texts(path)))
    zone = "America/Chicago"
    scope = ReportScope(
        cast.family_a, None, None, None, __import__("zoneinfo").ZoneInfo(zone), None, 0
    )  # type: ignore[arg-type]
    for message in messages:
        assert flat(message.body) in text or message.body == "مرحبا، هذه الصورة"
        assert scope.when(message.created_at) in text
    assert CJK_BODY in text
    assert "Correction of the message sent" in text
    assert "First viewed by" in text
    assert "America/Chicago" in text  # the cover says the zone of every time


def test_names_in_any_script_render_with_an_embedded_font(report) -> None:
    path, _messages = report
    text = " ".join(page_texts(path))
    assert UNICODE_NAMES["alice"] in text
    assert UNICODE_NAMES["bob"] in text
    # Every font in the PDF is embedded (a TrueType subset with its glyphs).
    with pikepdf.open(path) as pdf:
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                fonts[str(font.get("/BaseFont"))] = font
        assert fonts
        for base, font in fonts.items():
            descriptor = font.DescendantFonts[0].FontDescriptor
            assert "/FontFile2" in descriptor, base
    # The bundled fonts have glyphs for every character of the names and the CJK body.
    dejavu = TTFont(FONTS / "DejaVuSans.ttf").getBestCmap()
    droid = TTFont(FONTS / "DroidSansFallbackFull.ttf").getBestCmap()
    for name in [*UNICODE_NAMES.values(), CJK_BODY]:
        for char in name.replace(" ", ""):
            assert ord(char) in dejavu or ord(char) in droid, char


def test_the_attached_bundle_verifies_and_holds_every_printed_entry(report, capsys) -> None:
    path, _messages = report
    bundle = bundle_of(path)
    result = verify_bundle(io.BytesIO(bundle))
    assert result.ok, result.problem
    printed = report_verify.printed_indexes(path)
    assert printed
    assert set(printed) <= report_verify.bundle_indexes(bundle)
    assert report_verify.main([str(path)]) == 0
    assert "is in the attached bundle" in capsys.readouterr().out
    with zipfile.ZipFile(io.BytesIO(bundle)) as zf:
        assert any(name.startswith("attachments/") for name in zf.namelist())


def test_a_tampered_bundle_fails_verify(report, tmp_path: Path, capsys) -> None:
    path, _messages = report

    def edit(name: str, data: bytes) -> bytes:
        if name == "entries.jsonl":
            return data.replace(b"07:30 on Friday", b"09:30 on Friday")
        return data

    forged = tmp_path / "forged.pdf"
    replace_bundle(path, forged, rezip(bundle_of(path), edit))
    assert report_verify.main([str(forged)]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_a_printed_entry_missing_from_the_bundle_fails_verify(
    report, cast: Cast, tmp_path: Path, capsys
) -> None:
    """A bundle that verifies on its own, with proofs, but lacks one entry the report prints."""
    from coparent.records import selectors
    from coparent.records.disclosure import disclose
    from coparent.records.export import bundle_write
    from coparent.records.models import LogEntry

    path, _messages = report
    printed = sorted(report_verify.printed_indexes(path))
    left_out = printed[-1]
    entries = list(
        LogEntry.objects.filter(family=cast.family_a, index__in=printed[:-1]).order_by("index")
    )
    bundle = io.BytesIO()
    bundle_write(
        bundle,
        family=cast.family_a,
        entries=entries,
        checkpoint=selectors.checkpoint_get(cast.family_a),
        disclosed=disclose(entries),
        partial=True,
        description="one entry short",
    )
    assert verify_bundle(io.BytesIO(bundle.getvalue())).ok
    other = tmp_path / "other.pdf"
    replace_bundle(path, other, bundle.getvalue())
    assert report_verify.main([str(other)]) == 1
    out = capsys.readouterr().out
    assert f"log #{left_out} is printed on page" in out
    assert "is not in the attached bundle" in out


def test_the_csv_tables_are_formula_safe(cast: Cast, tmp_path: Path) -> None:
    history(cast)
    from tests.messaging.helpers import open_thread, send

    thread = open_thread(cast, subject="Costs", body='=HYPERLINK("http://x")')
    send(cast, thread, cast.bob, "+1 for that")
    tables = tmp_path / "tables.zip"
    write(cast, tmp_path / "r.pdf", csv=tables)
    with zipfile.ZipFile(tables) as zf:
        assert {"messages.csv", "exchanges.csv", "parenting_time.csv"} <= set(zf.namelist())
        text = zf.read("messages.csv").decode("utf-8")
    assert text.startswith("\ufeff")
    assert "'=HYPERLINK" in text
    assert "'+1 for that" in text


def test_a_letter_report_for_a_reader_in_chicago(cast: Cast, tmp_path: Path) -> None:
    from coparent.reports.pdf import paper_for_zone

    assert paper_for_zone("America/Chicago") == "Letter"
    assert paper_for_zone("Europe/Dublin") == "A4"
