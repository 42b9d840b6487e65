"""Documents and the journal over real HTTP, as a script uses them: a token in the header, a
multipart upload, a download whose hash matches the record's, and a journal entry shared with
the mediator, whose script checks the proof itself."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest

from coparent.accounts.models import ApiToken
from coparent.accounts.services import api_token_create
from coparent.tlog import content_hash, leaf_hash, open_note, parse_checkpoint, verify_inclusion
from coparent.tlog.note import verifier_from_string
from tests.cast import Cast
from tests.journal.helpers import mediator_membership
from tests.messaging.helpers import pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _attachment_dir(settings, tmp_path) -> None:
    settings.MESSAGING_ATTACHMENT_DIR = str(tmp_path / "attachments")


def call(
    base: str, secret: str, method: str, path: str, *, body: Any = None, form=None, file=None
) -> tuple[int, Any, bytes]:
    headers = {"Authorization": f"Bearer {secret}", "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    elif form is not None:
        boundary = uuid.uuid4().hex
        start = f"--{boundary}\r\nContent-Disposition: form-data; "
        parts = [
            f'{start}name="{name}"\r\n\r\n{value}\r\n'.encode() for name, value in form.items()
        ]
        if file is not None:
            name, content = file
            parts.append(
                f'{start}name="file"; filename="{name}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            raw = response.read()
            kind = response.headers.get("Content-Type", "")
            return response.status, json.loads(raw) if "json" in kind else None, raw
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw), raw


def test_scripts_upload_download_and_check_a_shared_entry(live_server, cast: Cast) -> None:
    _t, alice = api_token_create(user=cast.alice, name="papers", scope=ApiToken.READ_WRITE)
    _t, bob = api_token_create(user=cast.bob, name="reader", scope=ApiToken.READ)
    _t, mediator = api_token_create(user=cast.mediator, name="casework", scope=ApiToken.READ)
    base = live_server.url
    family = f"/api/v1/families/{cast.family_a.public_id}"

    status, created, _ = call(
        base,
        alice,
        "POST",
        f"{family}/documents",
        form={"title": "Custody order", "category": "court_order", "visibility": "parents"},
        file=("order.pdf", pdf_bytes()),
    )
    assert status == 201, created
    version = created["versions"][0]
    status, _none, data = call(
        base, bob, "GET", f"{family}/documents/{created['id']}/versions/{version['id']}/file"
    )
    assert status == 200 and hashlib.sha256(data).hexdigest() == version["sha256"]
    status, refused, _ = call(
        base, bob, "POST", f"{family}/journal", body={"body": "a read-only token cannot write"}
    )
    assert status == 403 and refused["error"]["code"]
    status, _doc, _ = call(base, mediator, "GET", f"{family}/documents/{created['id']}")
    assert status == 404  # parents only

    status, entry, _ = call(
        base, alice, "POST", f"{family}/journal", body={"body": "Handover was 40 minutes late."}
    )
    assert status == 201, entry
    status, shared, _ = call(base, mediator, "GET", f"{family}/journal/shared")
    assert status == 200 and shared == []
    status, made, _ = call(
        base,
        alice,
        "POST",
        f"{family}/journal/shares",
        body={
            "professional_id": str(mediator_membership(cast).public_id),
            "entry_id": entry["id"],
        },
    )
    assert status == 201, made
    status, [item], _ = call(base, mediator, "GET", f"{family}/journal/shared")
    assert status == 200 and item["entry"]["body"] == "Handover was 40 minutes late."
    leaf = item["leaf"].encode()
    assert json.loads(leaf)["fields"]["content"] == content_hash(
        bytes.fromhex(item["salt"]), item["entry"]["body"].encode()
    )
    from coparent.records import keys as record_keys

    checkpoint = parse_checkpoint(
        open_note(item["checkpoint"], [verifier_from_string(record_keys.verifier_key())])
    )
    verify_inclusion(
        leaf_hash(leaf),
        item["record_index"],
        item["tree_size"],
        [bytes.fromhex(h) for h in item["inclusion_proof"]],
        checkpoint.root,
    )
