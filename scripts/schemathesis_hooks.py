"""schemathesis hooks for scripts/api-schema-check (loaded through SCHEMATHESIS_HOOKS).

A multipart text part carries no type. A negative case that turns a text field into a boolean or
a number is sent as its text ("false", "7"), which may be a perfectly valid value of that field,
and the server is right to accept it. schemathesis 4.32 recognises such wire-identical mutations,
but not when the body also has a file part: its validator cannot read the generated file's bytes,
so it reports the accepted request as a schema violation (a document titled "false" did this).

`filter_failure` drops exactly that report and nothing wider: an accepted negative case whose only
negative part is a multipart body, and whose parts, read as the server reads them (text as text,
each file as a file), satisfy the documented schema, formats included.
"""

from __future__ import annotations

from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import jsonschema_rs
import schemathesis
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation

MULTIPART = "multipart/form-data"


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """False (drop it) only for an accepted multipart body that is valid as it was sent."""
    if not isinstance(failure, AcceptedNegativeData):
        return True
    if not (case.media_type or "").startswith(MULTIPART) or case.meta is None:
        return True
    others = (location for location in ParameterLocation if location != ParameterLocation.BODY)
    if any(case.meta.is_negative_at(location) for location in others):
        return True
    try:
        schema = case.operation.definition.raw["requestBody"]["content"][MULTIPART]["schema"]
    except (KeyError, TypeError):
        return True  # not an inline schema this hook can read: the report stands
    sent = body_as_sent(response.request.headers, response.request.body, schema)
    return sent is None or not valid(schema, sent)


def body_as_sent(headers: Any, body: Any, schema: dict[str, Any]) -> dict[str, Any] | None:
    """The multipart body as an object of its schema's shape: a field the schema calls a list
    is a list of its parts; any other field sent twice stays a list, which its schema refuses.
    None when a part is a file where the schema wants text, or text where it wants a file: the
    server refuses those (api/multipart.py), so such a report is never this hook's to drop."""
    if isinstance(body, str):
        body = body.encode()
    if not isinstance(body, bytes):
        return None
    head = f"Content-Type: {headers.get('Content-Type', '')}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        return None
    properties = schema.get("properties", {})
    parts: dict[str, list[str]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            return None
        field = properties.get(name, {})
        if (part.get_filename() is not None) != _is_file(field.get("items", field)):
            return None
        parts.setdefault(name, []).append(_value(part))
    return {
        name: values
        if properties.get(name, {}).get("type") == "array" or len(values) > 1
        else values[0]
        for name, values in parts.items()
    }


def _is_file(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and schema.get("format") == "binary"


def _value(part: Message) -> str:
    # A file stands as an empty string, which a `format: binary` string accepts: its bytes are
    # the server's to judge, not JSON Schema's.
    if part.get_filename() is not None:
        return ""
    payload = part.get_payload(decode=True)
    return payload.decode(errors="replace") if isinstance(payload, bytes) else ""


def valid(schema: dict[str, Any], instance: dict[str, Any]) -> bool:
    return bool(
        jsonschema_rs.Draft202012Validator(schema, validate_formats=True).is_valid(instance)
    )
