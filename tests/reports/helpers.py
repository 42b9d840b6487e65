"""Builders and readers for report tests: a family history through the real services, and the
PDF read back with pypdf / pikepdf / qpdf as a court's clerk would."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pikepdf
from pypdf import PdfReader

from coparent.families.models import Membership
from coparent.messaging import services as messaging
from coparent.messaging.models import Message, Thread
from coparent.reports.build import ReportResult, report_write
from tests.cast import Cast
from tests.messaging.helpers import member, png_bytes

UNICODE_NAMES = {
    "alice": "Siobhán Zoë Łukasz",
    "bob": "Δημήτρης Παπαδόπουλος",
    "gran": "فاطمة الزهراء",
}
CJK_BODY = "王小明会在三点接孩子。"


def small_pdf() -> bytes:
    out = io.BytesIO()
    with pikepdf.new() as pdf:
        pdf.add_blank_page(page_size=(200, 200))
        pdf.save(out)
    return out.getvalue()


def history(cast: Cast) -> tuple[Thread, list[Message]]:
    """A conversation with both sides, a correction, a read receipt, a photo and a PDF."""
    for attr, name in UNICODE_NAMES.items():
        user = getattr(cast, attr)
        user.display_name = name
        user.save(update_fields=["display_name"])
    thread = messaging.thread_create(
        family=cast.family_a,
        actor=cast.alice,
        subject="School trip",
        body="The trip leaves at 07:30 on Friday.",
        others=[member(cast, cast.bob), member(cast, cast.gran)],
    )
    first = Message.objects.get(thread=thread)
    reply = messaging.message_send(
        family=cast.family_a, actor=cast.bob, thread=thread, body=CJK_BODY
    )
    fix = messaging.message_send(
        family=cast.family_a,
        actor=cast.alice,
        thread=thread,
        body="Sorry: it leaves at 07:15.",
        corrects=first,
    )
    photo = messaging.message_send(
        family=cast.family_a,
        actor=cast.gran,
        thread=thread,
        body="مرحبا، هذه الصورة",
        uploads=[
            messaging.Upload("timetable.png", png_bytes((40, 30))),
            messaging.Upload("permission.pdf", small_pdf()),
        ],
    )
    messaging.message_view(family=cast.family_a, actor=cast.bob, messages=[first])
    return thread, [first, reply, fix, photo]


def write(
    cast: Cast,
    path: Path,
    *,
    reader: Membership | None = None,
    sections: list[str] | None = None,
    csv: Path | None = None,
    bates: str = "FENWICK",
    start: dt.datetime | None = None,
) -> ReportResult:
    zone = ZoneInfo("America/Chicago")
    return report_write(
        path,
        csv,
        family=cast.family_a,
        reader=reader,
        generated_by="Test",
        start=start or dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        end=dt.datetime(2026, 12, 31, tzinfo=dt.UTC),
        zone=zone,
        sections=sections or ["messages", "calendar", "exchanges", "access"],
        thread_ids=None,
        bates_prefix=bates,
        report_id="TEST0001",
        paper="A4",
    )


def qpdf_check(path: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(str(path)).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def bundle_of(path: Path) -> bytes:
    return PdfReader(str(path)).attachments["record-bundle.zip"][0]


def replace_bundle(path: Path, out: Path, bundle: bytes) -> None:
    """The same report with another file in place of its attached bundle (a forger's edit)."""
    with pikepdf.open(path) as pdf:
        spec = pikepdf.AttachedFileSpec(pdf, bundle, filename="record-bundle.zip")
        pdf.attachments["record-bundle.zip"] = spec
        pdf.save(out)


def rezip(bundle: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(bundle))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, edit(name, source.read(name)))
    return out.getvalue()
