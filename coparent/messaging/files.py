"""Attachment files: allow-listed by content (never by name or the client's type), size-limited,
images re-encoded so their metadata (EXIF, GPS included) is gone, stored under random names in
a private directory that the web server never serves."""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path

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


def clean_upload(data: bytes) -> CleanFile:
    """The bytes to store and their type, or a ServiceError saying why the file is refused."""
    limit = max_bytes()
    if not data:
        raise ServiceError(_("The file is empty."), field="file")
    if len(data) > limit:
        raise ServiceError(
            _("Files can be at most %(mb)s MB.") % {"mb": round(limit / 1024 / 1024, 1)},
            field="file",
        )
    if data.startswith(b"%PDF-"):
        return CleanFile(data, "application/pdf")
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
