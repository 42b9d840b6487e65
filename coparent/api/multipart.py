"""Operations that take files: their multipart body, documented once and checked against that.

django-ninja validates JSON bodies from their schema, but a multipart body is read by hand (after
tenancy, so that an outsider learns nothing from validation). Left to `request.POST.get`, a field
sent twice is read as its last value and a text field sent as a file reads as missing, so the
server would answer as if it had understood a request its own schema calls invalid. One
`Multipart` holds the schema the OpenAPI document shows and refuses every request whose shape
does not match it, before an endpoint reads a value.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.core.inputs import BAD_TEXT, text_problem
from coparent.messaging import files

FILE: dict[str, Any] = {"type": "string", "format": "binary"}


def file_list(most: int | None = None) -> dict[str, Any]:
    """A field of several files (the part repeated), at most `most` of them."""
    schema: dict[str, Any] = {"type": "array", "items": FILE}
    if most is not None:
        schema["maxItems"] = most
    return schema


def _is_file(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "binary"


@dataclass(frozen=True)
class Parts:
    """A body of the documented shape: its text parts, and each file field's files (checked for
    name and size, not yet read)."""

    text: QueryDict
    files: dict[str, list[UploadedFile[Any]]]


class Multipart:
    """A `multipart/form-data` body: its properties as JSON Schema, the required ones named."""

    def __init__(self, properties: dict[str, dict[str, Any]], *, required: Sequence[str]) -> None:
        self.properties = properties
        self.required = tuple(required)
        # Per field: its schema, whether it is a list, and the schema of one part.
        self._fields = [
            (name, schema, is_list, schema.get("items", {}) if is_list else schema)
            for name, schema in properties.items()
            for is_list in [schema.get("type") == "array"]
        ]

    def openapi(self) -> dict[str, Any]:
        """For the operation's `openapi_extra` (a copy: the schemas share `FILE`)."""
        schema = {
            "type": "object",
            "properties": copy.deepcopy(self.properties),
            "required": list(self.required),
        }
        return {
            "requestBody": {
                "required": True,
                "content": {"multipart/form-data": {"schema": schema}},
            }
        }

    def read(self, request: HttpRequest) -> Parts:
        """The body's parts, once its whole shape matches the schema; ServiceError if not."""
        uploads: dict[str, list[UploadedFile[Any]]] = {}
        for name, schema, is_list, part in self._fields:
            if _is_file(part):
                self._check_files(request, name, schema, is_list=is_list)
                uploads[name] = _named_and_sized(request.FILES.getlist(name), name)
            else:
                self._check_text(request, name, part, is_list=is_list)
        return Parts(text=request.POST, files=uploads)

    def _check_files(
        self, request: HttpRequest, name: str, schema: dict[str, Any], *, is_list: bool
    ) -> None:
        if name in request.POST:
            raise ServiceError(_("Send this as a file, not as text."), field=name)
        count = len(request.FILES.getlist(name))
        if not count and name in self.required:
            ask = (
                _("Send the files as multipart form data in the field “%(field)s”.")
                if is_list
                else _("Send the file as multipart form data in the field “%(field)s”.")
            )
            raise ServiceError(ask % {"field": name}, field=name)
        most = schema.get("maxItems") if is_list else 1
        if most is not None and count > most:
            raise ServiceError(
                _("Send at most %(n)d files in this field.") % {"n": most}, field=name
            )

    def _check_text(
        self, request: HttpRequest, name: str, schema: dict[str, Any], *, is_list: bool
    ) -> None:
        if name in request.FILES:
            raise ServiceError(_("Send this as text, not as a file."), field=name)
        values = request.POST.getlist(name)
        if not values and name in self.required:
            raise ServiceError(_("This field is required."), field=name)
        if len(values) > 1 and not is_list:
            raise ServiceError(_("Send this field once."), field=name)
        longest = schema.get("maxLength")
        choices = schema.get("enum")
        for value in values:
            if text_problem(value):
                raise ServiceError(str(BAD_TEXT), field=name)
            if longest is not None and len(value) > longest:
                raise ServiceError(
                    _("This can be at most %(n)d characters.") % {"n": longest}, field=name
                )
            if choices is not None and value not in choices:
                raise ServiceError(
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices)},
                    field=name,
                )


def _named_and_sized(uploads: list[UploadedFile[Any]], field: str) -> list[UploadedFile[Any]]:
    """Each file's name and size checked before anything reads it."""
    for upload in uploads:
        if text_problem(upload.name or ""):
            raise ServiceError(str(BAD_TEXT), field=field)
        if upload.size and upload.size > files.max_bytes():
            raise files.too_large(field)
    return uploads
