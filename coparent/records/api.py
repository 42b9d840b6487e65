"""API operations on a family's record: the signed checkpoint and the proofs a witness checks."""

from __future__ import annotations

import base64
import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from coparent.api.base import family_membership
from coparent.families.models import Role
from coparent.records import keys, selectors
from coparent.records.models import LogEntry
from coparent.tlog import leaf_hash
from coparent.tlog.rollback import KIND as ROLLBACK

router = Router(tags=["record"])
RECORD_ROLES = (Role.PARENT, Role.PROFESSIONAL)


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


class CheckpointOut(Schema):
    size: int
    root: str
    root_hex: str
    note: str
    verifier_key: str
    rollbacks: list[int] = Field(
        default_factory=list,
        description="Indexes of records.rollback statements: a backup was restored and the "
        "entries they name were lost (docs/record-format.md).",
    )


class ConsistencyOut(Schema):
    old_size: int
    new_size: int
    new_root: str
    proof: list[str]


class InclusionOut(Schema):
    index: int
    size: int
    leaf_hash: str
    proof: list[str]


class EntryOut(Schema):
    index: int
    kind: str
    time: dt.datetime
    leaf: str


# Sizes and indexes of a log: never negative, and within what the database stores.
Count = Annotated[int, Field(ge=0, le=2**53)]


class SizesIn(Schema):
    old_size: Count
    new_size: Count | None = None


class InclusionIn(Schema):
    index: Count
    size: Count | None = None


@router.get(
    "/families/{family_id}/record/checkpoint",
    response=CheckpointOut,
    summary="The signed checkpoint",
)
def checkpoint(request: HttpRequest, family_id: str) -> CheckpointOut:
    family = family_membership(request, family_id, roles=RECORD_ROLES).family
    found = selectors.checkpoint_get(family)
    return CheckpointOut(
        size=found.size,
        root=b64(found.root),
        root_hex=found.root.hex(),
        note=found.note,
        verifier_key=keys.verifier_key_for(found.note),
        rollbacks=list(
            LogEntry.objects.filter(family=family, kind=ROLLBACK, index__lt=found.size)
            .order_by("index")
            .values_list("index", flat=True)
        ),
    )


@router.get(
    "/families/{family_id}/record/consistency",
    response=ConsistencyOut,
    summary="Proof that an older tree is a prefix of a newer one (RFC 9162 2.1.4)",
)
def consistency(request: HttpRequest, family_id: str, sizes: Query[SizesIn]) -> ConsistencyOut:
    family = family_membership(request, family_id, roles=RECORD_ROLES).family
    new_size, proof = selectors.consistency_proof(family, sizes.old_size, sizes.new_size)
    return ConsistencyOut(
        old_size=sizes.old_size,
        new_size=new_size,
        new_root=b64(selectors.root_at(family, new_size)),
        proof=[b64(p) for p in proof],
    )


@router.get(
    "/families/{family_id}/record/inclusion",
    response=InclusionOut,
    summary="Proof that an entry is in the tree (RFC 9162 2.1.3)",
)
def inclusion(request: HttpRequest, family_id: str, query: Query[InclusionIn]) -> InclusionOut:
    family = family_membership(request, family_id, roles=RECORD_ROLES).family
    size, proof = selectors.inclusion_proof(family, query.index, query.size)
    entry = LogEntry.objects.get(family=family, index=query.index)
    return InclusionOut(
        index=query.index,
        size=size,
        leaf_hash=b64(leaf_hash(bytes(entry.leaf))),
        proof=[b64(p) for p in proof],
    )


@router.get(
    "/families/{family_id}/record/entries", response=list[EntryOut], summary="Log entries (leaves)"
)
def entries(
    request: HttpRequest,
    family_id: str,
    after: Annotated[int, Field(ge=-1, le=2**53)] = -1,
    limit: Annotated[int, Field(ge=1, le=1000)] = 100,
) -> list[EntryOut]:
    family = family_membership(request, family_id, roles=RECORD_ROLES).family
    rows = LogEntry.objects.filter(family=family, index__gt=after).order_by("index")[
        : max(1, min(limit, 1000))
    ]
    return [
        EntryOut(index=r.index, kind=r.kind, time=r.created_at, leaf=b64(bytes(r.leaf)))
        for r in rows
    ]
