"""What an export shows of decision entries: each proposal's words (title, details, options,
terms, the court-order default), a decline's reason and a comment's body, with the salts they
were hashed with, so a reader can check them against the record."""

from __future__ import annotations

import uuid

from coparent.decisions.models import Comment, Proposal
from coparent.decisions.services import proposal_content
from coparent.records.disclosure import Disclosure, register_disclosure
from coparent.records.models import LogEntry
from coparent.tlog import decode


def _ids(entries: list[LogEntry], name: str) -> dict[int, uuid.UUID]:
    found = {}
    for entry in entries:
        value = decode(bytes(entry.leaf)).fields.get(name)
        try:
            found[entry.index] = uuid.UUID(str(value))
        except ValueError:
            continue
    return found


def _proposals(entries: list[LogEntry]) -> dict[uuid.UUID, Proposal]:
    ids = _ids(entries, "proposal")
    return {
        p.public_id: p
        for p in Proposal.objects.filter(family_id=entries[0].family_id, public_id__in=ids.values())
    }


@register_disclosure("decision.proposed")
@register_disclosure("decision.countered")
def _proposed(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "proposal")
    proposals = _proposals(entries)
    found = {}
    for index, public_id in ids.items():
        proposal = proposals.get(public_id)
        if proposal is not None:
            found[index] = Disclosure(content=proposal_content(proposal), salt=bytes(proposal.salt))
    return found


@register_disclosure("decision.declined")
def _declined(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "proposal")
    proposals = _proposals(entries)
    found = {}
    for index, public_id in ids.items():
        proposal = proposals.get(public_id)
        if proposal is not None and bytes(proposal.reason_salt):
            found[index] = Disclosure(
                content=proposal.reason.encode("utf-8"), salt=bytes(proposal.reason_salt)
            )
    return found


@register_disclosure("decision.commented")
def _commented(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "comment")
    comments = {
        c.public_id: c
        for c in Comment.objects.filter(family_id=entries[0].family_id, public_id__in=ids.values())
    }
    found = {}
    for index, public_id in ids.items():
        comment = comments.get(public_id)
        if comment is not None:
            found[index] = Disclosure(
                content=comment.body.encode("utf-8"), salt=bytes(comment.salt)
            )
    return found
