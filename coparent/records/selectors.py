"""Reads of a family's record: the signed checkpoint, proofs, and entries for export."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from coparent.core.errors import ServiceError
from coparent.records import keys
from coparent.records.models import FamilyLog, LogNode
from coparent.records.services import new_origin
from coparent.tlog import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof_from_nodes,
    format_checkpoint,
    inclusion_proof_from_nodes,
    sign_note,
)
from coparent.tlog.merkle import consistency_proof_nodes, inclusion_proof_nodes

if TYPE_CHECKING:
    from coparent.families.models import Family


@dataclass(frozen=True)
class CheckpointView:
    size: int
    root: bytes
    note: str


def checkpoint_get(family: Family) -> CheckpointView:
    log = FamilyLog.objects.filter(family=family).first()
    if log is None or log.size == 0:
        name = log.origin if log is not None and log.origin else new_origin(family)
        note = sign_note(format_checkpoint(name, 0, EMPTY_ROOT), keys.signer())
        return CheckpointView(0, EMPTY_ROOT, note)
    return CheckpointView(log.size, bytes(log.root), log.checkpoint)


def _node_getter(family: Family, positions: list[tuple[int, int]]):  # type: ignore[no-untyped-def]
    """Fetches every node a proof needs in one query, then serves them from memory."""
    wanted = set(positions)
    nodes: dict[tuple[int, int], bytes] = {}
    if wanted:
        levels = {level for level, _ in wanted}
        indexes = {index for _, index in wanted}
        for level, index, value in LogNode.objects.filter(
            family=family, level__in=levels, index__in=indexes
        ).values_list("level", "index", "hash"):
            if (level, index) in wanted:
                nodes[(level, index)] = bytes(value)
    return lambda level, index: nodes[(level, index)]


def root_at(family: Family, size: int) -> bytes:
    if size == 0:
        return EMPTY_ROOT
    positions = []
    start = 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            positions.append((level, start >> level))
            start += 1 << level
    return Frontier.from_nodes(_node_getter(family, positions), size).root()


def _current_size(family: Family) -> int:
    return FamilyLog.objects.filter(family=family).values_list("size", flat=True).first() or 0


def inclusion_proof(family: Family, index: int, size: int | None = None) -> tuple[int, list[bytes]]:
    current = _current_size(family)
    size = current if size is None else size
    return size, inclusion_proofs(family, [index], size, current=current)[index]


PROOF_BATCH = 200  # entries whose nodes are fetched in one query (keeps IN lists small)


def inclusion_proofs(
    family: Family, indexes: list[int], size: int, *, current: int | None = None
) -> dict[int, list[bytes]]:
    """Inclusion proofs for many entries against one tree size, a query per batch of entries
    rather than two per entry (a partial export may hold thousands)."""
    current = _current_size(family) if current is None else current
    if not 0 < size <= current or any(not 0 <= i < size for i in indexes):
        raise ServiceError(_("That entry is not in a tree of that size."), code="not_in_tree")
    proofs: dict[int, list[bytes]] = {}
    for start in range(0, len(indexes), PROOF_BATCH):
        batch = indexes[start : start + PROOF_BATCH]
        get = _node_getter(family, [p for i in batch for p in inclusion_proof_nodes(i, size)])
        proofs.update({i: inclusion_proof_from_nodes(get, i, size) for i in batch})
    return proofs


def consistency_proof(
    family: Family, old_size: int, new_size: int | None = None
) -> tuple[int, list[bytes]]:
    new_size = _current_size(family) if new_size is None else new_size
    if not 0 <= old_size <= new_size <= _current_size(family):
        raise ServiceError(
            _("The record has never been that size: the older size must not exceed the newer one."),
            code="bad_sizes",
        )
    if old_size in (0, new_size):
        return new_size, []
    get = _node_getter(family, consistency_proof_nodes(old_size, new_size))
    return new_size, consistency_proof_from_nodes(get, old_size, new_size)
