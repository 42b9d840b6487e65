"""Demo documents and journal entries for the first demo family, made through the real
services: a fictional court order (a PDF drawn here), a passport scan that expires in five
months, and a few entries of Morgan's private journal, one of them shared with Dana."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
from django.utils import timezone
from PIL import Image, ImageDraw

from coparent.accounts.models import User
from coparent.families.models import Child, Family, Membership, Role
from coparent.messaging.services import Upload


def court_order_pdf() -> bytes:
    """A one-page PDF with a few lines of text in a standard font (nothing embedded)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica
        )
    )
    lines = [
        "SUPERIOR COURT OF THE STATE OF EXAMPLE (FICTIONAL)",
        "In re the Marriage of Morgan Brightwater and Casey Brightwater",
        "ORDER ON CUSTODY AND PARENTING TIME",
        "1. The parents share joint legal custody of Robin and Sky.",
        "2. Parenting time follows the 2-2-3 schedule in the parties' plan.",
        "3. The parents communicate about the children through coparent.",
        "This document is a demonstration and has no legal effect.",
    ]
    text = "BT /F1 12 Tf 60 760 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    page = pikepdf.Page(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Page,
            MediaBox=[0, 0, 612, 792],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(text.encode("latin-1")),
        )
    )
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def passport_scan() -> bytes:
    image = Image.new("RGB", (640, 420), (232, 236, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 620, 400), outline=(30, 60, 110), width=4)
    draw.rectangle((40, 80, 200, 280), fill=(190, 200, 215))
    for row, text in enumerate(
        (
            "PASSPORT (SPECIMEN, FICTIONAL)",
            "Surname: BRIGHTWATER",
            "Given names: ROBIN",
            "Date of birth: 14 MAR 2015",
            "No. X0000000",
        )
    ):
        draw.text((230, 90 + row * 36), text, fill=(20, 30, 50))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def load_documents(family: Family, people: dict[str, User]) -> None:
    from coparent.documents import services as documents
    from coparent.documents.models import Document
    from coparent.journal import services as journal

    if Document.objects.filter(family=family).exists():
        return
    morgan = people["morgan"]
    children = list(Child.objects.filter(family=family))
    documents.document_create(
        family=family,
        actor=morgan,
        title="Custody order",
        category="court_order",
        visibility="everyone",
        notes="Signed order; the parenting plan is attached to it.",
        children=children,
        upload=Upload("custody-order.pdf", court_order_pdf()),
    )
    robin = [c for c in children if c.first_name == "Robin"]
    documents.document_create(
        family=family,
        actor=morgan,
        title="Robin's passport",
        category="identity",
        visibility="parents",
        notes="Renew before the summer trip.",
        expires_on=timezone.localdate() + dt.timedelta(days=152),
        children=robin,
        upload=Upload("passport.png", passport_scan()),
    )
    first = journal.entry_write(
        family=family,
        actor=morgan,
        body="Handover at school went smoothly. Sky was excited about the science fair.",
    )
    journal.entry_write(
        family=family,
        actor=morgan,
        body="Pickup was 40 minutes late today; Robin waited in the school office.",
    )
    dana = Membership.objects.filter(
        family=family, user=people["dana"], role=Role.PROFESSIONAL, revoked_at__isnull=True
    ).first()
    if dana is not None:
        journal.share_create(family=family, actor=morgan, professional=dana, entry=first)
