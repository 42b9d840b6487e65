"""The family record in the database: appends, append-only triggers, proofs, concurrency."""

from __future__ import annotations

import base64
import threading

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client

from coparent.families import services as family_services
from coparent.families.models import Role
from coparent.records import keys, selectors
from coparent.records.models import FamilyLog, LogEntry, LogNode
from coparent.records.services import record_append
from coparent.tlog import (
    decode,
    leaf_hash,
    open_note,
    parse_checkpoint,
    root_from_leaf_hashes,
    verifier_from_string,
    verify_consistency,
    verify_inclusion,
)
from tests.cast import Cast, build_cast

pytestmark = pytest.mark.django_db


def leaves(family) -> list[bytes]:
    return [
        bytes(x)
        for x in LogEntry.objects.filter(family=family)
        .order_by("index")
        .values_list("leaf", flat=True)
    ]


def test_family_events_are_recorded_in_order(cast: Cast) -> None:
    kinds = list(
        LogEntry.objects.filter(family=cast.family_a)
        .order_by("index")
        .values_list("kind", flat=True)
    )
    assert kinds[:3] == ["family.created", "member.joined", "child.added"]
    assert kinds.count("member.joined") == 4  # alice, bob, gran, the mediator
    entries = [decode(leaf) for leaf in leaves(cast.family_a)]
    assert [e.index for e in entries] == list(range(len(entries)))
    assert entries[0].actor == str(cast.alice.public_id)


def test_the_signed_checkpoint_matches_the_leaves(cast: Cast) -> None:
    checkpoint = selectors.checkpoint_get(cast.family_a)
    text = open_note(checkpoint.note, [verifier_from_string(keys.verifier_key())])
    parsed = parse_checkpoint(text)
    assert parsed.origin.endswith(f"/family/{cast.family_a.public_id}")
    assert parsed.size == LogEntry.objects.filter(family=cast.family_a).count()
    assert parsed.root == root_from_leaf_hashes([leaf_hash(x) for x in leaves(cast.family_a)])
    assert selectors.root_at(cast.family_a, parsed.size) == parsed.root


def test_each_family_has_its_own_log(cast: Cast) -> None:
    b_entries = LogEntry.objects.filter(family=cast.family_b)
    assert list(b_entries.values_list("index", flat=True)) == list(range(b_entries.count()))
    assert (
        selectors.checkpoint_get(cast.family_a).root != selectors.checkpoint_get(cast.family_b).root
    )


@pytest.mark.parametrize("model", [LogEntry, LogNode])
def test_the_database_refuses_to_change_or_delete_log_rows(cast: Cast, model) -> None:
    row = model.objects.filter(family=cast.family_a).first()
    table = model._meta.db_table
    for statement in (
        f"UPDATE {table} SET index = index + 1000 WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement.replace("index", '"index"'), [row.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", [LogEntry, LogNode])
def test_every_log_index_earns_its_write(model) -> None:
    """Each append writes every index of these tables: none may be a leading part of another
    (the unique position already serves lookups by family)."""
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    indexes = [
        (name, tuple(found[name]["columns"]))
        for name in found
        if found[name]["index"] or found[name]["unique"]
    ]
    covered = [
        name
        for name, columns in indexes
        if not found[name]["unique"]
        and any(
            len(wider) > len(columns) and wider[: len(columns)] == columns for _, wider in indexes
        )
    ]
    assert covered == []


def test_inclusion_and_consistency_proofs_verify_for_every_size(cast: Cast) -> None:
    for i in range(6):
        record_append(
            family=cast.family_b, actor=cast.charlie, kind="test.note", fields={"n": str(i)}
        )
    hashes = [leaf_hash(x) for x in leaves(cast.family_b)]
    n = len(hashes)
    root = root_from_leaf_hashes(hashes)
    for index in range(n):
        size, proof = selectors.inclusion_proof(cast.family_b, index)
        assert size == n
        verify_inclusion(hashes[index], index, n, proof, root)
    for m in range(1, n + 1):
        _, proof = selectors.consistency_proof(cast.family_b, m, n)
        verify_consistency(m, n, root_from_leaf_hashes(hashes[:m]), root, proof)


def test_proof_api_for_parents_and_professionals_only(cast: Cast, client_for) -> None:
    base = f"/api/v1/families/{cast.family_a.public_id}/record"
    checkpoint = client_for(cast.mediator).get(f"{base}/checkpoint").json()
    assert checkpoint["verifier_key"] == keys.verifier_key()
    size = checkpoint["size"]
    alice: Client = client_for(cast.alice)
    consistency = alice.get(f"{base}/consistency?old_size=3&new_size={size}").json()
    old_root = selectors.root_at(cast.family_a, 3)
    verify_consistency(
        3,
        size,
        old_root,
        base64.b64decode(checkpoint["root"]),
        [base64.b64decode(p) for p in consistency["proof"]],
    )
    inclusion = alice.get(f"{base}/inclusion?index=2").json()
    verify_inclusion(
        base64.b64decode(inclusion["leaf_hash"]),
        2,
        size,
        [base64.b64decode(p) for p in inclusion["proof"]],
        base64.b64decode(checkpoint["root"]),
    )
    bad = alice.get(f"{base}/consistency?old_size={size + 5}")
    assert bad.status_code == 400 and "never been that size" in bad.json()["error"]["message"]
    assert client_for(cast.gran).get(f"{base}/checkpoint").status_code == 404
    entries = alice.get(f"{base}/entries?after=0&limit=2").json()
    assert [e["index"] for e in entries] == [1, 2]


def test_the_verifier_keys_are_published(client: Client) -> None:
    response = client.get("/.well-known/coparent-record-keys")
    assert response.status_code == 200
    assert response.content.decode().splitlines()[0].split()[0] == keys.verifier_key()
    verifier_from_string(keys.verifier_key())


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_writers_get_indexes_without_gaps() -> None:
    cast = build_cast()
    start = FamilyLog.objects.get(family=cast.family_b).size
    errors: list[BaseException] = []
    barrier = threading.Barrier(50)

    def write(n: int) -> None:
        try:
            barrier.wait()
            record_append(
                family=cast.family_b, actor=cast.charlie, kind="test.note", fields={"n": str(n)}
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    indexes = list(
        LogEntry.objects.filter(family=cast.family_b)
        .order_by("index")
        .values_list("index", flat=True)
    )
    assert indexes == list(range(start + 50))
    written = sorted(int(decode(x).fields["n"]) for x in leaves(cast.family_b)[start:])
    assert written == list(range(50))
    checkpoint = selectors.checkpoint_get(cast.family_b)
    assert checkpoint.root == root_from_leaf_hashes([leaf_hash(x) for x in leaves(cast.family_b)])


def test_record_page_for_parents_and_professionals(cast: Cast, client_for) -> None:
    url = f"/f/{cast.family_a.public_id}/record/"
    page = client_for(cast.bob).get(url)
    assert page.status_code == 200
    assert selectors.checkpoint_get(cast.family_a).root.hex() in page.content.decode()
    assert client_for(cast.mediator).get(url).status_code == 200
    assert client_for(cast.gran).get(url).status_code == 404


def test_a_failed_write_leaves_no_entry(cast: Cast) -> None:
    before = LogEntry.objects.filter(family=cast.family_a).count()
    with pytest.raises(Exception, match="two parents"):
        family_services.invitation_create(family=cast.family_a, actor=cast.alice, role=Role.PARENT)
    assert LogEntry.objects.filter(family=cast.family_a).count() == before
