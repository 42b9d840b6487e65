"""The report as a PDF (fpdf2): bundled fonts, a header with the report id, a footer with
"Page N of M" and the Bates number on every page, an outline and table of contents, and the
record bundle attached as a file. Sections write through `PdfOut`; appendices wait in
temporary files so a long report never holds its attachments in memory."""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import TextMode, XPos, YPos
from fpdf.fonts import FontFace
from fpdf.outline import OutlineSection
from fpdf.util import escape_parens

FONTS = Path(__file__).parent / "fonts"
FONT = "dejavu"
FALLBACK = "droid"
# Scripts written right to left or joined (Arabic, Hebrew, Syriac, Thaana, N'Ko, Indic...) are
# shaped with HarfBuzz; Latin, Greek, Cyrillic and CJK lines skip it, which keeps big reports fast.
_NEEDS_SHAPING = re.compile(r"[\u0590-\u08ff\u0900-\u0dff\ufb1d-\ufdff\ufe70-\ufeff]")
# A character fpdf2's core cannot put in a PDF string at all (a lone surrogate) is dropped.
_UNPRINTABLE = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f]")
# Letter where it is the paper in use (the US, Canada, Mexico and most of the Americas, the
# Philippines); A4 everywhere else.
LETTER_ZONES = ("America/", "US/", "Canada/", "Asia/Manila", "Pacific/Honolulu")


def mark(index: int) -> str:
    """How a printed entry names its log index; the no-break space keeps it on one line, so
    `coparent verify REPORT.pdf` finds every one in the extracted text."""
    return f"log\u00a0#{index}"


def paper_for_zone(zone: str) -> str:
    return "Letter" if zone.startswith(LETTER_ZONES) else "A4"


def bates(prefix: str, number: int) -> str:
    return f"{prefix}-{number:06d}" if prefix else f"{number:06d}"


class ReportPDF(FPDF):  # type: ignore[misc]
    def __init__(self, *, paper: str, report_id: str, bates_prefix: str, title: str) -> None:
        super().__init__(orientation="P", unit="mm", format=paper)
        self.report_id = report_id
        self.bates_prefix = bates_prefix
        self.report_title = title
        self._word_units: dict[str, dict[str, float]] = {}
        self._glyph_codes: dict[str, _GlyphCodes] = {}
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font(FALLBACK, "", str(FONTS / "DroidSansFallbackFull.ttf"))
        self.set_fallback_fonts([FALLBACK], exact_match=False)
        self.set_margins(18, 20, 18)
        self.set_auto_page_break(auto=True, margin=22)
        self.alias_nb_pages("{nb}")
        self.set_font(FONT, size=10)
        self.set_title(title)
        self.set_creator("coparent")
        self.set_producer("coparent")
        self.set_lang("en")

    def header(self) -> None:
        self.set_font(FONT, size=7.5)
        self.set_text_color(90)
        self.set_y(8)
        self.cell(0, 4, f"{self.report_title} · Report {self.report_id}", align="L")
        self.set_text_color(0)
        self.set_y(20)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=8)
        self.set_text_color(60)
        self.cell(
            0,
            4,
            _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"},
            align="C",
        )
        self.set_x(self.l_margin)
        self.cell(0, 4, bates(self.bates_prefix, self.page_no()), align="R")
        self.set_text_color(0)

    def text_block(self, text: str, *, size: float = 10, bold: bool = False, grey: int = 0) -> None:
        text = _UNPRINTABLE.sub("", text)
        self.set_font(FONT, "B" if bold else "", size=size)
        self.set_text_color(grey)
        if _NEEDS_SHAPING.search(text) or not set(text) <= _covered():
            self._slow_block(text, size)
        else:
            self._fast_block(text, size)
        self.set_text_color(0)

    def _slow_block(self, text: str, size: float) -> None:
        """fpdf2's own line breaking, with the CJK fallback font and HarfBuzz shaping."""
        shaped = bool(_NEEDS_SHAPING.search(text))
        if shaped:
            self.set_text_shaping(True)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if shaped:
            self.set_text_shaping(False)

    def _fast_block(self, text: str, size: float) -> None:
        """Text the main font covers, needing no shaping (most of a long report): wrapped here
        from the font's advance widths and drawn line by line, about thirty times faster than
        multi_cell with fallback fonts on, which measures every character of every line."""
        height = size * 0.5
        units = self._units()
        scale = self.font_size_pt * 0.001 / self.k
        baseline = height / 2 + 0.3 * self.font_size
        self.set_fallback_fonts([])
        try:
            for line in _wrap(text, self.epw, lambda s: units(s) * scale):
                if self.y + height > self.page_break_trigger:
                    self.add_page()
                if line:
                    self.line_out(self.l_margin, self.y + baseline, line)
                self.y += height
        finally:
            self.set_fallback_fonts([FALLBACK], exact_match=False)
        self.x = self.l_margin

    def _units(self) -> Callable[[str], float]:
        """A string's advance width in the current font's units (1/1000 em), each distinct
        word summed once per report: a long conversation repeats its words."""
        cache = self._word_units.setdefault(self.current_font.fontkey, {})
        widths = self.current_font.cw

        def units(word: str) -> float:
            found = cache.get(word)
            if found is None:
                found = sum(map(widths.__getitem__, map(ord, word)))
                if len(cache) < _WORDS_KEPT:
                    cache[word] = found
            return found

        return units

    def line_out(self, x: float, y: float, text: str) -> None:
        """`FPDF.text` (fpdf2 2.8.3) for a TrueType font in fill mode, the same PDF operators,
        with each character's subset code looked up once per report instead of once per
        character printed (tests/reports/test_pdf.py compares the two)."""
        if (
            self.text_mode != TextMode.FILL
            or self.underline
            or self.strikethrough
            or self._record_text_quad_points
            or not self.is_ttf_font
        ):
            self.text(x, y, text)
            return
        font = self.current_font
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))
        codes = self._glyph_codes.get(font.fontkey)
        if codes is None:
            codes = self._glyph_codes[font.fontkey] = _GlyphCodes(font.subset.pick)
        mapped = text.translate(codes).encode("utf-16-be").decode("latin-1")
        operators = (
            f"BT {x * self.k:.2f} {(self.h - y) * self.k:.2f} Td ({escape_parens(mapped)}) Tj ET"
        )
        if self.fill_color != self.text_color:
            operators = f"q {self.text_color.serialize().lower()} {operators} Q"
        self._out(operators)


_WORDS_KEPT = 200_000


class _GlyphCodes(dict[int, str]):
    """Character code -> the character fpdf2 writes for it in one font's subset, asked of
    fpdf2's own `Subset.pick` (as `TTFFont.encode_text` does) once per character."""

    def __init__(self, pick: Callable[[int], int]) -> None:
        super().__init__()
        self.pick = pick

    def __missing__(self, code: int) -> str:
        value = self[code] = chr(self.pick(code))
        return value


@cache
def _covered() -> frozenset[str]:
    """Characters both bundled DejaVu Sans faces have a glyph for."""
    from fontTools.ttLib import TTFont

    sets = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with TTFont(FONTS / name, lazy=True) as font:
            sets.append({chr(code) for code in font.getBestCmap()})
    return frozenset(sets[0] & sets[1]) | {"\n"}


def _wrap(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Greedy word wrap: lines break at spaces, words longer than a line break anywhere."""
    lines: list[str] = []
    space = measure(" ")
    for paragraph in text.split("\n"):
        line, line_width = "", 0.0
        for word in paragraph.split(" "):
            word_width = measure(word)
            if line and line_width + space + word_width <= width:
                line, line_width = f"{line} {word}", line_width + space + word_width
                continue
            if line:
                lines.append(line)
            while word_width > width:
                cut = len(word)
                while cut > 1 and measure(word[:cut]) > width:
                    cut = max(1, cut * 3 // 4) if measure(word[: cut * 3 // 4]) > width else cut - 1
                lines.append(word[:cut])
                word = word[cut:]
                word_width = measure(word)
            line, line_width = word, word_width
        lines.append(line)
    return lines


def _toc(pdf: FPDF, outline: list[OutlineSection]) -> None:
    assert isinstance(pdf, ReportPDF)
    pdf.set_font(FONT, "B", size=16)
    pdf.cell(0, 10, _("Contents"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    for section in outline:
        indent = 6 * section.level
        pdf.set_x(pdf.l_margin + indent)
        width = pdf.epw - indent - 20
        name = _UNPRINTABLE.sub("", section.name)
        pdf.cell(width, 6, name[:90], link=pdf.add_link(page=section.page_number))
        pdf.cell(20, 6, str(section.page_number), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


class PdfOut:
    """The ReportOut sections write to; also collects the indexes printed and the CSV tables."""

    def __init__(
        self,
        pdf: ReportPDF,
        csv_zip: zipfile.ZipFile | None,
        progress: Callable[[float], None] | None = None,
    ) -> None:
        self.pdf = pdf
        self.indexes: set[int] = set()
        self.appendices: list[tuple[str, str, IO[bytes]]] = []
        self.csv_zip = csv_zip
        self._csv_files: dict[str, Any] = {}
        self._progress = progress or (lambda fraction: None)
        self.section_share = (0.0, 1.0)

    def progress(self, fraction: float) -> None:
        low, high = self.section_share
        self._progress(low + (high - low) * max(0.0, min(1.0, fraction)))

    def heading(self, text: str, level: int = 1) -> None:
        pdf = self.pdf
        if level <= 1 or pdf.will_page_break(20):
            pdf.add_page()
        pdf.start_section(_UNPRINTABLE.sub("", text)[:120], level=max(0, level - 1))
        pdf.text_block(text, size={1: 16, 2: 13}.get(level, 11), bold=True)
        pdf.ln(2)

    def paragraph(self, text: str) -> None:
        self.pdf.text_block(text)
        self.pdf.ln(1.5)

    def note(self, text: str) -> None:
        self.pdf.text_block(text, size=8.5, grey=80)
        self.pdf.ln(1)

    def item(self, title: str, body: str = "", details: Sequence[str] = ()) -> None:
        pdf = self.pdf
        if pdf.will_page_break(14):
            pdf.add_page()
        pdf.text_block(title, size=9, bold=True)
        if body:
            pdf.text_block(body, size=10)
        for line in details:
            pdf.text_block(line, size=8, grey=70)
        pdf.ln(2.5)

    def table(
        self, headers: Sequence[str], widths: Sequence[float], rows: Iterable[Sequence[str]]
    ) -> None:
        pdf = self.pdf
        total = sum(widths)
        col_widths = tuple(w / total * pdf.epw for w in widths)
        chunk: list[Sequence[str]] = []

        def flush() -> None:
            pdf.set_font(FONT, size=8)
            with pdf.table(
                col_widths=col_widths,
                width=pdf.epw,
                text_align="LEFT",
                line_height=4,
                first_row_as_headings=True,
                headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
            ) as table:
                for values in [headers, *chunk]:
                    row = table.row()
                    for value in values:
                        row.cell(_UNPRINTABLE.sub("", str(value)))
            chunk.clear()

        empty = True
        for values in rows:
            empty = False
            chunk.append(values)
            if len(chunk) >= 200:
                flush()
        if chunk:
            flush()
        if empty:
            self.note(_("None in this period."))
        pdf.set_font(FONT, size=10)
        pdf.ln(3)

    def entry(self, index: int | None) -> str:
        """Registers a printed record entry and returns its mark; `coparent verify` finds these
        marks in the text and checks each is in the attached bundle."""
        if index is None:
            return ""
        self.indexes.add(index)
        return mark(index)

    def appendix(self, title: str, content: bytes, media_type: str) -> str:
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed when the appendix is written
        spool.write(content)
        spool.seek(0)
        self.appendices.append((title, media_type, spool))
        return _("Appendix %(n)s") % {"n": len(self.appendices)}

    def csv(self, name: str, headers: Sequence[str]) -> Callable[[Sequence[Any]], None]:
        from coparent.core import csv as safe_csv

        if self.csv_zip is None:
            return lambda row: None
        # A zip takes one writer at a time and a section may fill several tables at once:
        # each table goes to a temporary file, copied into the zip when the section ends.
        stream = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        writer = safe_csv.writer(stream)
        writer.writerow(headers)
        self._csv_files[name] = stream
        return writer.writerow

    def close_csv(self) -> None:
        for name, stream in self._csv_files.items():
            with stream:
                stream.seek(0)
                assert self.csv_zip is not None
                with self.csv_zip.open(f"{name}.csv", "w", force_zip64=True) as target:
                    while chunk := stream.read(1 << 16):
                        target.write(chunk.encode("utf-8"))
        self._csv_files.clear()

    def write_appendices(self) -> None:
        if not self.appendices:
            return
        pdf = self.pdf
        pdf.add_page()
        pdf.start_section(_("Appendices"), level=0)
        pdf.text_block(_("Appendices"), size=16, bold=True)
        pdf.text_block(
            _(
                "Photos and PDF files attached to the messages above, in the order they are "
                "listed. A PDF file is shown as images of its pages (at most 30 pages each); the "
                "file itself is in the attached record bundle."
            ),
            size=9,
            grey=60,
        )
        for number, (title, media_type, spool) in enumerate(self.appendices, start=1):
            with spool:
                data = spool.read()
            images = _pdf_pages(data) if media_type == "application/pdf" else [data]
            for page, image in enumerate(images, start=1):
                pdf.add_page()
                label = _("Appendix %(n)s: %(title)s") % {"n": number, "title": title}
                if len(images) > 1:
                    label += " " + _("(page %(page)s of %(pages)s)") % {
                        "page": page,
                        "pages": len(images),
                    }
                if page == 1:
                    pdf.start_section(_("Appendix %(n)s") % {"n": number}, level=1)
                pdf.text_block(label, size=10, bold=True)
                try:
                    pdf.image(
                        io.BytesIO(image),
                        x=pdf.l_margin,
                        w=pdf.epw,
                        h=pdf.eph - (pdf.get_y() - pdf.t_margin) - 4,
                        keep_aspect_ratio=True,
                    )
                except Exception:
                    pdf.text_block(_("This file cannot be shown as an image."), size=9, grey=60)
        self.appendices.clear()


def _pdf_pages(data: bytes, limit: int = 30) -> list[bytes]:
    """A PDF attachment's pages as JPEG images (pypdfium2, pages rendered at 100 dpi)."""
    import pypdfium2

    pages: list[bytes] = []
    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        return []
    try:
        for number in range(min(len(document), limit)):
            bitmap = document[number].render(scale=100 / 72)
            out = io.BytesIO()
            bitmap.to_pil().convert("RGB").save(out, "JPEG", quality=80)
            pages.append(out.getvalue())
    finally:
        document.close()
    return pages


def toc(pdf: ReportPDF, pages: int) -> None:
    pdf.insert_toc_placeholder(_toc, pages=pages, allow_extra_pages=True)
