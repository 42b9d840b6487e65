"""Attachment files: allow-listed by content (never by name or the client's type), size-limited,
images re-encoded so their metadata (EXIF, GPS included) is gone, PDFs rewritten without scripts,
attachments or metadata, stored under random names in a private directory that the web server
never serves."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from coparent.core.errors import ServiceError

MAX_PIXELS = 40_000_000
_IMAGE_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg"}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}


def max_bytes() -> int:
    return int(settings.MESSAGING_ATTACHMENT_MAX_BYTES)


def too_large(field: str) -> ServiceError:
    """The refusal of a file over `max_bytes()`, for the field it came in."""
    limit = max_bytes()
    return ServiceError(
        _("Files can be at most %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)}, field=field
    )


def storage() -> FileSystemStorage:
    """Outside STATIC and MEDIA URLs: files leave only through the family-scoped download view."""
    return FileSystemStorage(location=str(settings.MESSAGING_ATTACHMENT_DIR), base_url=None)


@dataclass(frozen=True)
class CleanFile:
    data: bytes
    media_type: str


def _reencode(data: bytes) -> CleanFile | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = probe.format
                if kind not in _IMAGE_TYPES:
                    return None
                if probe.width * probe.height > MAX_PIXELS:
                    raise ServiceError(_("That image is too large to process."), field="file")
                probe.load()
                image = ImageOps.exif_transpose(probe)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ServiceError(_("That image is too large to process."), field="file") from exc
    except (OSError, SyntaxError, ValueError):
        return None
    # A fresh image from the pixels alone: no EXIF, GPS, XMP, ICC or text chunks survive.
    clean = Image.frombytes(image.mode, image.size, image.tobytes())
    if image.mode == "P" and image.getpalette():
        clean.putpalette(image.getpalette())  # type: ignore[arg-type]
    out = io.BytesIO()
    if kind == "JPEG":
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=90)
    else:
        clean.save(out, format="PNG", optimize=False)
    return CleanFile(out.getvalue(), _IMAGE_TYPES[kind])


# Keys whose values run code, carry other files or describe the author; dropped wherever they are.
_PDF_DROP_KEYS = frozenset(
    {
        "/AA",  # additional actions: on open, close, print, page view...
        "/OpenAction",
        "/JS",
        "/JavaScript",  # the document-level scripts in /Names
        "/EmbeddedFiles",
        "/EF",  # a file specification's embedded file
        "/AF",  # associated files (PDF 2.0), another way to attach one
        "/RichMediaContent",
        "/XFA",  # XML forms, which carry scripts of their own
        "/Metadata",  # XMP, on the document and on any object
        "/PieceInfo",  # private data of the application that wrote the file
    }
)
# Actions are allowed by name, not refused by name: the rest run programs or scripts, submit
# forms, or open other files (a /GoToR to \\\\host\\share makes Windows readers send the
# user's credentials there).
_PDF_ACTIONS_KEPT = frozenset({"/GoTo", "/URI", "/Named"})
_PDF_ANNOTATIONS_DROPPED = frozenset({"/FileAttachment", "/RichMedia", "/Screen", "/Movie"})


def _kept_action(value: object) -> bool:
    return isinstance(value, pikepdf.Dictionary) and value.get("/S") in _PDF_ACTIONS_KEPT


def _kept_annotation(value: object) -> bool:
    return (
        isinstance(value, pikepdf.Dictionary)
        and value.get("/Subtype") not in _PDF_ANNOTATIONS_DROPPED
    )


def _scrub_pdf(pdf: pikepdf.Pdf) -> None:
    """Walk every object reachable from the trailer (iteratively: outlines can be long chains)
    and remove what runs, embeds or identifies; saving then writes only what is still reachable,
    so a dropped attachment's bytes are not in the new file at all."""
    if "/Info" in pdf.trailer:
        del pdf.trailer["/Info"]
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [pdf.Root]
    while stack:
        obj = stack.pop()
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream | pikepdf.Array):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Array):
            stack.extend(obj)
            continue
        for key in list(obj.keys()):
            value = obj[key]
            if key in _PDF_DROP_KEYS:
                del obj[key]
            elif key in ("/A", "/Next") and not isinstance(value, pikepdf.Array):
                if _kept_action(value):
                    stack.append(value)
                else:
                    del obj[key]
            elif key in ("/Next", "/Annots") and isinstance(value, pikepdf.Array):
                kept = [
                    item
                    for item in value
                    if (_kept_action if key == "/Next" else _kept_annotation)(item)
                ]
                obj[key] = pikepdf.Array(kept)
                stack.extend(kept)
            else:
                stack.append(value)


def _rewrite_pdf(data: bytes) -> CleanFile:
    """A PDF is re-written the way a photo is re-encoded: parsed, stripped, saved afresh. Bytes
    that only start like a PDF (an HTML page behind `%PDF-`) do not parse and are refused."""
    not_a_pdf = _("That file starts like a PDF but is not one we can read, so it was not attached.")
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) == 0:
                raise ServiceError(not_a_pdf, field="file")
            _scrub_pdf(pdf)
            out = io.BytesIO()
            # Streams are copied as they are, never inflated: a small upload of compressed
            # zeros must not become gigabytes in memory.
            pdf.save(
                out,
                fix_metadata_version=False,
                deterministic_id=True,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
            )
    except pikepdf.PasswordError:
        raise ServiceError(
            _("That PDF is protected by a password. Attach a copy without one."), field="file"
        ) from None
    except ServiceError:
        raise
    except Exception:
        raise ServiceError(not_a_pdf, field="file") from None
    return CleanFile(out.getvalue(), "application/pdf")


def clean_upload(data: bytes) -> CleanFile:
    """The bytes to store and their type, or a ServiceError saying why the file is refused."""
    limit = max_bytes()
    if not data:
        raise ServiceError(_("The file is empty."), field="file")
    if len(data) > limit:
        raise too_large("file")
    if data.startswith(b"%PDF-"):
        return _rewrite_pdf(data)
    image = _reencode(data)
    if image is not None:
        return image
    raise ServiceError(
        _("Only PNG or JPEG pictures and PDF documents can be attached."), field="file"
    )


def safe_name(name: str, media_type: str) -> str:
    """A display name for downloads: the uploader's name without a path, with the right
    extension for what the file really is."""
    stem = Path(name.replace("\\", "/")).name.rsplit(".", 1)[0]
    stem = "".join(c for c in stem if c.isalnum() or c in " -_")[:80].strip() or "attachment"
    return f"{stem}.{EXTENSIONS[media_type]}"


def store(family_public_id: str, data: bytes) -> str:
    name = f"{family_public_id}/{uuid.uuid4().hex}"
    return storage().save(name, ContentFile(data))


def read(stored_name: str) -> bytes:
    with storage().open(stored_name, "rb") as handle:
        return handle.read()  # type: ignore[no-any-return]


def remove(stored_name: str) -> None:
    storage().delete(stored_name)
