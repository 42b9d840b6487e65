"""Every record entry kind has a sentence, and the record page shows sentences, not kinds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.core.cache import caches

from coparent.records.labels import LABELS, entry_label
from coparent.records.services import record_append
from coparent.tlog.rollback import KIND as ROLLBACK
from tests.cast import Cast

ROOT = Path(__file__).resolve().parents[2] / "coparent"
# Names a kind is passed by that are not a parameter of the function passing it.
CONSTANTS = {"ROLLBACK": ROLLBACK}
RECORD_PAGE_QUERIES = 6


def _kind_argument(call: ast.Call, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == "kind":
            return keyword.value
    return call.args[position] if 0 <= position < len(call.args) else None


def _callee(call: ast.Call) -> str:
    return call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")


def written_kinds() -> set[str]:
    """Every kind any code in coparent/ passes to record_append, followed through the helpers
    that pass their own `kind` parameter on (_record_swap, _append, ...). A kind that is built
    at run time (an f-string, a lookup) fails here: write it out so it can be labelled."""
    modules = {str(path): ast.parse(path.read_text(), str(path)) for path in ROOT.rglob("*.py")}
    # (module, function) -> position of its kind parameter (-1: keyword only). record_append is
    # imported everywhere; a helper that passes a kind on is followed within its own module.
    forwarders: dict[tuple[str | None, str], int] = {
        (None, "record_append"): -1,
        (str(ROOT / "records" / "services.py"), "_append"): -1,  # what record_append calls
    }
    kinds: set[str] = set()
    changed = True
    while changed:
        changed = False
        for module, tree in modules.items():
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                positional = [a.arg for a in function.args.args]
                params = positional + [a.arg for a in function.args.kwonlyargs]
                for call in ast.walk(function):
                    if not isinstance(call, ast.Call):
                        continue
                    name = _callee(call)
                    position = forwarders.get((module, name), forwarders.get((None, name)))
                    if position is None or function.name == name:
                        continue
                    argument = _kind_argument(call, position)
                    if argument is None:
                        continue
                    values = (
                        [argument.body, argument.orelse]
                        if isinstance(argument, ast.IfExp)
                        else [argument]
                    )
                    for value in values:
                        if isinstance(value, ast.Constant) and isinstance(value.value, str):
                            kinds.add(value.value)
                        elif isinstance(value, ast.Name) and value.id in CONSTANTS:
                            kinds.add(CONSTANTS[value.id])
                        elif isinstance(value, ast.Name) and value.id in params:
                            if (module, function.name) not in forwarders:
                                forwarders[(module, function.name)] = (
                                    positional.index(value.id) if value.id in positional else -1
                                )
                                changed = True
                        else:
                            raise AssertionError(
                                f"{function.name} passes a kind built at run time "
                                f"({ast.unparse(value)}): write it out so it can be labelled"
                            )
    return kinds


def test_every_kind_written_anywhere_has_a_sentence() -> None:
    kinds = written_kinds()
    # The walk must find the helpers' kinds too, or it proves nothing.
    assert {"swap.accepted", "schedule.proposed", "event.deleted", ROLLBACK} <= kinds
    assert not kinds - LABELS.keys(), (
        f"no sentence in records/labels.py for {kinds - LABELS.keys()}"
    )
    assert not LABELS.keys() - kinds, f"sentences for kinds nobody writes: {LABELS.keys() - kinds}"


def test_sentences_read_like_what_happened(settings) -> None:
    settings.TIME_ZONE = "UTC"
    swap = {"start_at": "2026-07-03T17:00:00+00:00", "end_at": "2026-07-05T17:00:00+00:00"}
    assert entry_label("swap.accepted", "Bob", swap) == "Bob accepted the swap for 3\u20135 July"
    crossing = {"start_at": "2026-06-30T17:00:00+00:00", "end_at": "2026-07-02T00:00:00+00:00"}
    assert entry_label("swap.requested", "Bob", crossing) == (
        "Bob asked to swap time for 30 June \u2013 1 July"
    )
    assert entry_label("gate.created", "Alice", {}) == (
        "Alice set up a place where staff check pickup passes"
    )
    assert entry_label("message.viewed", "Bob", {"message": "m"}) == "Bob read a message"
    assert entry_label("member.joined", "Gran", {"role": "caregiver"}) == (
        "Gran joined the family as a family member or caregiver"
    )
    assert entry_label("schedule.accepted", "Bob", {"effective_at": ""}) == (
        "Bob agreed to the schedule"
    )
    assert entry_label("some.future_kind", "Bob", {}) == "Bob: some.future_kind"


def _record_page(client, url: str, django_assert_num_queries) -> str:
    caches["pages"].clear()  # counted as drawn afresh, not as kept (core/fragments.py)
    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_record_page_shows_sentences_with_the_kind_in_small_print(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    client = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/record/"
    client.get(url)  # the first visit of a session also writes the session
    page = _record_page(client, url, django_assert_num_queries)
    assert "Alice Parent created the family" in page
    assert '<code data-testid="record-kind">family.created</code>' in page
    entries = page.split('data-testid="record-entries"')[1].split("</ol>")[0]
    assert "<table" not in entries
    # A longer history costs no more queries: one page of entries, their authors joined.
    for _ in range(60):
        record_append(family=cast.family_a, actor=cast.bob, kind="calendar_feed.created", fields={})
    # The writes grew the record: the next view counts the nav badge anew.
    client.get(url)
    page = _record_page(client, url, django_assert_num_queries)
    assert page.count('data-testid="record-entry"') == 50
    assert "Bob Parent made a private calendar link" in page
