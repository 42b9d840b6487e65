"""What an export shows of expense entries: the reasons and notes behind their salted hashes,
and the receipt and payment-proof files, so a reader can check them against the record."""

from __future__ import annotations

import uuid

from coparent.expenses.models import ExpenseEvent, Payment, Preapproval, Receipt
from coparent.messaging import files
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


def _read(stored_name: str) -> bytes | None:
    try:
        return files.read(stored_name)
    except OSError:
        return None  # the file is gone: export the entry without it


def _events(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "event")
    events = {
        e.public_id: e
        for e in ExpenseEvent.objects.filter(
            family_id=entries[0].family_id, public_id__in=ids.values()
        )
    }
    found = {}
    for index, public_id in ids.items():
        event = events.get(public_id)
        if event is not None and event.text and bytes(event.salt):
            found[index] = Disclosure(content=event.text.encode("utf-8"), salt=bytes(event.salt))
    return found


for _kind in (
    "expense.created",
    "expense.corrected",
    "expense.correction_reason",
    "expense.approved",
    "expense.partly_approved",
    "expense.disputed",
    "expense.replied",
    "expense.withdrawn",
):
    register_disclosure(_kind)(_events)


@register_disclosure("expense.receipt_added")
def _receipts(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "receipt")
    receipts = {
        r.public_id: r
        for r in Receipt.objects.filter(family_id=entries[0].family_id, public_id__in=ids.values())
    }
    found = {}
    for index, public_id in ids.items():
        receipt = receipts.get(public_id)
        if receipt is None or not bytes(receipt.salt):
            continue
        content = _read(receipt.stored_name)
        found[index] = Disclosure(
            content=content, salt=bytes(receipt.salt) if content is not None else None
        )
    return found


def _payments(entries: list[LogEntry]) -> dict[int, Payment]:
    ids = _ids(entries, "payment")
    payments = {
        p.public_id: p
        for p in Payment.objects.filter(family_id=entries[0].family_id, public_id__in=ids.values())
    }
    return {index: payments[p] for index, p in ids.items() if p in payments}


@register_disclosure("payment.recorded")
def _recorded(entries: list[LogEntry]) -> dict[int, Disclosure]:
    found = {}
    for index, payment in _payments(entries).items():
        if bytes(payment.text_salt):
            text = payment.reference + "\n" + payment.note
            found[index] = Disclosure(content=text.encode("utf-8"), salt=bytes(payment.text_salt))
    return found


@register_disclosure("payment.disputed")
def _disputed(entries: list[LogEntry]) -> dict[int, Disclosure]:
    found = {}
    for index, payment in _payments(entries).items():
        if bytes(payment.answer_salt):
            found[index] = Disclosure(
                content=payment.answer_reason.encode("utf-8"), salt=bytes(payment.answer_salt)
            )
    return found


@register_disclosure("expense.consent_given")
@register_disclosure("expense.consent_refused")
def _consents(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = _ids(entries, "consent")
    consents = {
        c.public_id: c
        for c in Preapproval.objects.filter(
            family_id=entries[0].family_id, public_id__in=ids.values()
        )
    }
    found = {}
    for index, public_id in ids.items():
        consent = consents.get(public_id)
        if consent is not None and consent.reason and bytes(consent.salt):
            found[index] = Disclosure(
                content=consent.reason.encode("utf-8"), salt=bytes(consent.salt)
            )
    return found
