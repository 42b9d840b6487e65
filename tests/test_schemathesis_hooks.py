"""The schemathesis hook drops a report only for a multipart body that is valid as it was sent."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from schemathesis.core.failures import AcceptedNegativeData, ServerError
from schemathesis.core.parameters import ParameterLocation
from urllib3 import encode_multipart_formdata

from coparent.documents.api import NEW_DOCUMENT
from coparent.documents.services import MAX_TITLE

_spec = importlib.util.spec_from_file_location(
    "schemathesis_hooks", Path(__file__).parents[1] / "scripts" / "schemathesis_hooks.py"
)
assert _spec and _spec.loader
hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hooks)

PNG = ("file.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png")
DETAILS = [("category", "other"), ("visibility", "parents")]


def _report(
    fields: list[tuple[str, Any]], *, negative: frozenset[ParameterLocation] = frozenset()
) -> tuple[Any, Any, Any]:
    body, content_type = encode_multipart_formdata(fields)
    operation = SimpleNamespace(definition=SimpleNamespace(raw=NEW_DOCUMENT.openapi()))
    meta = SimpleNamespace(is_negative_at=lambda location: location in negative)
    case = SimpleNamespace(media_type="multipart/form-data", meta=meta, operation=operation)
    request = SimpleNamespace(headers={"Content-Type": content_type}, body=body)
    failure = AcceptedNegativeData(
        operation="POST /documents", message="", status_code=201, expected_statuses=["400"]
    )
    return failure, case, SimpleNamespace(request=request)


def _kept(failure: Any, case: Any, response: Any) -> bool:
    return bool(hooks.filter_failure(None, failure, case, response))


def test_a_boolean_title_sent_as_the_text_false_beside_a_file_is_not_a_failure() -> None:
    # The case of seed 331534617210962580773209235504122863903: title=False went out as "false".
    assert not _kept(*_report([("file", PNG), ("title", "false"), *DETAILS]))


@pytest.mark.parametrize(
    "fields",
    [
        [("file", PNG), ("title", "x" * (MAX_TITLE + 1)), *DETAILS],
        [("file", PNG), ("title", "a"), ("title", "b"), *DETAILS],
        [("file", PNG), ("title", "Lease"), ("category", "not-a-category"), ("visibility", "x")],
        [("file", PNG), ("title", "Lease"), ("expires_on", "false"), *DETAILS],
        [("file", PNG), ("title", "Lease"), ("children", "7"), *DETAILS],
        [("title", "Lease"), *DETAILS],
        [("file", "false"), ("title", "Lease"), *DETAILS],
        [("file", PNG), ("title", ("title.txt", b"Lease", "text/plain")), *DETAILS],
    ],
    ids=[
        "too-long",
        "sent-twice",
        "not-a-choice",
        "not-a-date",
        "not-a-child-id",
        "no-file",
        "text-for-the-file",
        "a-file-for-the-title",
    ],
)
def test_an_accepted_body_that_breaks_the_schema_as_sent_stays_a_failure(fields: Any) -> None:
    assert _kept(*_report(fields))


def test_a_negative_part_outside_the_body_keeps_the_failure() -> None:
    fields = [("file", PNG), ("title", "false"), *DETAILS]
    assert _kept(*_report(fields, negative=frozenset({ParameterLocation.HEADER})))


def test_other_failures_are_never_dropped() -> None:
    _failure, case, response = _report([("file", PNG), ("title", "false"), *DETAILS])
    error = ServerError(operation="POST /documents", status_code=500)
    assert _kept(error, case, response)


def test_a_body_schema_the_hook_cannot_read_keeps_the_failure() -> None:
    failure, case, response = _report([("file", PNG), ("title", "false"), *DETAILS])
    case.operation.definition.raw = {"requestBody": {"$ref": "#/components/requestBodies/New"}}
    assert _kept(failure, case, response)
