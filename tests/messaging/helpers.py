"""Small builders for messaging tests, all through the real services."""

from __future__ import annotations

import io

import pikepdf
from django.db.models import Exists, OuterRef
from PIL import Image

from coparent.families.models import Membership
from coparent.messaging import services
from coparent.messaging.models import Message, MessageView, Thread, ThreadParticipant
from coparent.worker.runner import run_due_tasks
from tests.cast import Cast
from tests.tasks import run_tasks


def member(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user, revoked_at__isnull=True)


def open_thread(
    cast: Cast,
    *,
    subject: str = "School pickup",
    body: str = "Can you get Kit at 3?",
    others=(),
    delivered: bool = True,
) -> Thread:
    """A thread as the worker leaves it: the first message's notifications written and their
    emails and pushes sent, or with delivered=False, written but not sent yet (the deliveries
    are queued after a commit, which a test's transaction never makes)."""
    thread = services.thread_create(
        family=cast.family_a,
        actor=cast.alice,
        subject=subject,
        body=body,
        others=[member(cast, u) for u in others],
    )
    if delivered:
        run_tasks()
    else:
        run_due_tasks(worker_id="test")
    return thread


def send(cast: Cast, thread: Thread, user, body: str, **extra) -> Message:
    return services.message_send(
        family=cast.family_a, actor=user, thread=thread, body=body, **extra
    )


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (16, 16), (200, 50, 50))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes(pdf: pikepdf.Pdf | None = None) -> bytes:
    if pdf is None:
        pdf = pikepdf.new()
        pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, compress_streams=False)  # so a test can see the payload in the bytes
    return out.getvalue()


def pdf_with_payload() -> bytes:
    """A one-page PDF carrying everything an upload must lose: a script that runs on opening,
    document-level JavaScript, an action on the page, an embedded file, XMP and docinfo."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    script = pdf.make_indirect(
        pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('opened')"))
    )
    pdf.Root.OpenAction = script
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("doc"), script]))
    )
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=script)
    pdf.attachments["tracker.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ-SECRET-ATTACHMENT")
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:creator"] = ["Jordan Example-Xmp"]
    pdf.docinfo["/Author"] = "Jordan Example-Author"
    return pdf_bytes(pdf)


PDF = pdf_bytes()


def exact_unread(seat: ThreadParticipant) -> int:
    """The definition, as the badge used to compute it: an anti-join over the whole thread."""
    return (
        Message.objects.filter(thread_id=seat.thread_id)
        .exclude(sender_id=seat.membership.user_id)
        .exclude(
            Exists(
                MessageView.objects.filter(
                    message=OuterRef("pk"), viewer_id=seat.membership.user_id
                )
            )
        )
        .count()
    )


def assert_exact(family) -> None:
    seats = ThreadParticipant.objects.filter(family=family).select_related("membership")
    for seat in seats:
        assert seat.unread == exact_unread(seat), seat
