"""The expenses and journal sections of a court report: what they print, that every printed
entry is in the attached bundle, that the report verifies, who may include them, and that a
private journal never appears in anyone's report but its author's."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from coparent.core.errors import ServiceError
from coparent.expenses import services as expenses
from coparent.journal import services as journal
from coparent.messaging.services import Upload
from coparent.reports import verify
from coparent.reports.build import check_sections
from tests.cast import Cast
from tests.expenses.helpers import agree, expense, member
from tests.journal.helpers import SECRET, mediator_membership
from tests.messaging.helpers import png_bytes
from tests.reports.helpers import bundle_of, flat, page_texts, qpdf_check, small_pdf, write

DAY_FIRST = dt.date(2026, 6, 1)
DAY_LAST = dt.date(2026, 6, 17)
ALICE_NOTE = "Alice private note: swimming-lesson-blue-heron-77"
BOB_NOTE = "Bob private note: kite-festival-orange-31"


def ledger(cast: Cast) -> None:
    agree(cast, "50")
    alice, bob = member(cast.family_a, cast.alice), member(cast.family_a, cast.bob)
    dentist = expense(cast, amount="120.00", description="Dentist check-up")
    expenses.receipt_add(
        family=cast.family_a,
        actor=cast.alice,
        expense=dentist,
        uploads=[
            Upload("receipt.png", png_bytes((30, 20))),
            Upload("invoice.pdf", small_pdf()),
        ],
    )
    expenses.expense_approve(family=cast.family_a, actor=cast.bob, expense=dentist)
    shoes = expense(cast, amount="80.00", description="School shoes", category="clothing")
    expenses.expense_correct(
        family=cast.family_a,
        actor=cast.alice,
        expense=shoes,
        amount=Decimal("85.50"),
        reason="the receipt said 85.50",
    )
    camp = expense(cast, cast.bob, amount="300.00", description="Summer camp")
    expenses.expense_dispute(
        family=cast.family_a, actor=cast.alice, expense=camp, reason="We never agreed to camp"
    )
    payment = expenses.payment_record(
        family=cast.family_a,
        actor=cast.bob,
        payee=alice,
        amount=Decimal("40"),
        currency="USD",
        date=dentist.date,
        method="bank_transfer",
        reference="June dentist",
        expenses=[dentist],
    )
    expenses.payment_confirm(family=cast.family_a, actor=cast.alice, payment=payment)
    assert bob  # both parents take part


def test_the_expenses_section_prints_the_ledger_and_verifies(cast: Cast, tmp_path: Path) -> None:
    ledger(cast)
    path = tmp_path / "report.pdf"
    tables = tmp_path / "tables.zip"
    result = write(
        cast,
        path,
        reader=member(cast.family_a, cast.alice),
        sections=["expenses"],
        csv=tables,
    )
    qpdf_check(path)
    assert result.entries > 0
    text = flat(" ".join(page_texts(path)))
    for words in (
        "Dentist check-up",
        "120.00 USD",
        "School shoes",
        "85.50 USD",
        "Corrects version 1",
        "Summer camp",
        "We never agreed to camp",
        "receipt.png",
        "invoice.pdf",
        "June dentist",
        "Balance at the end of the period",
        "Confirmed",
    ):
        assert words in text, words
    assert "Appendix 1" in text and "Appendix 2" in text
    # every printed "log #N" is in the bundle, and the report verifies as a whole
    assert verify.main([str(path)]) == 0
    with zipfile.ZipFile(tables) as archive:
        names = archive.namelist()
        assert {"expenses.csv", "payments.csv", "balance.csv"} <= set(names)
        rows = list(csv.reader(io.StringIO(archive.read("balance.csv").decode("utf-8-sig"))))
    # 60 of the dentist + 42.75 of the shoes approved? Only the dentist was approved: 60 - 40.
    assert rows[1:] == [["USD", cast.bob.display_name, cast.alice.display_name, "20.00"]]


def test_the_expenses_csv_is_formula_safe(cast: Cast, tmp_path: Path) -> None:
    agree(cast, "50")
    expense(cast, description="=HYPERLINK(1)")
    tables = tmp_path / "tables.zip"
    write(
        cast,
        tmp_path / "r.pdf",
        reader=member(cast.family_a, cast.alice),
        sections=["expenses"],
        csv=tables,
    )
    with zipfile.ZipFile(tables) as archive:
        body = archive.read("expenses.csv").decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body or "\t=HYPERLINK(1)" in body
    assert ",=HYPERLINK" not in body


def test_the_journal_section_prints_the_authors_entries_with_proof(
    cast: Cast, tmp_path: Path
) -> None:
    entry = journal.entry_write(
        family=cast.family_a,
        actor=cast.alice,
        body=ALICE_NOTE,
        photos=[Upload("steps.png", png_bytes())],
    )
    path = tmp_path / "report.pdf"
    result = write(
        cast, path, reader=member(cast.family_a, cast.alice), sections=["journal", "expenses"]
    )
    qpdf_check(path)
    text = flat(" ".join(page_texts(path)))
    assert ALICE_NOTE in text
    assert f"log #{entry.record_index}" in text
    assert bytes(entry.salt).hex() in text
    assert "Appendix 1" in text
    assert result.entries >= 1
    assert verify.main([str(path)]) == 0


def test_another_parents_journal_never_appears(cast: Cast, tmp_path: Path) -> None:
    journal.entry_write(family=cast.family_a, actor=cast.alice, body=ALICE_NOTE, photos=[])
    journal.entry_write(family=cast.family_a, actor=cast.alice, body=SECRET, photos=[])
    journal.entry_write(family=cast.family_a, actor=cast.bob, body=BOB_NOTE, photos=[])
    path = tmp_path / "bob.pdf"
    write(cast, path, reader=member(cast.family_a, cast.bob), sections=["journal"])
    text = flat(" ".join(page_texts(path)))
    assert BOB_NOTE in text
    assert ALICE_NOTE not in text and "zebra-umbrella-42" not in text
    assert ALICE_NOTE.encode() not in bundle_of(path)
    # nor in the operator's report, which has no author
    operator = tmp_path / "operator.pdf"
    write(cast, operator, sections=["journal"])
    text = flat(" ".join(page_texts(operator)))
    assert ALICE_NOTE not in text and BOB_NOTE not in text
    assert "only included in its author's own report" in text


def test_roles(cast: Cast) -> None:
    alice = member(cast.family_a, cast.alice)
    assert check_sections(["expenses", "journal"], alice) == ["expenses", "journal"]
    mediator = mediator_membership(cast)
    assert check_sections(["expenses"], mediator) == ["expenses"]
    with pytest.raises(ServiceError):
        check_sections(["journal"], mediator)
    gran = member(cast.family_a, cast.gran)
    with pytest.raises(ServiceError):
        check_sections(["expenses"], gran)


def test_the_cli_accepts_expenses_and_journal(cast: Cast, tmp_path: Path) -> None:
    ledger(cast)
    journal.entry_write(family=cast.family_a, actor=cast.alice, body=ALICE_NOTE, photos=[])
    out = tmp_path / "REPORT.pdf"
    call_command(
        "records",
        "report",
        str(cast.family_a.public_id),
        "--out",
        str(out),
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-17",
        "--sections",
        "expenses,journal",
    )
    qpdf_check(out)
    text = flat(" ".join(page_texts(out)))
    assert "Dentist check-up" in text
    assert ALICE_NOTE not in text
    assert verify.main([str(out)]) == 0


def _report_text(report) -> str:  # type: ignore[no-untyped-def]
    from coparent.reports.services import report_dir

    return flat(" ".join(page_texts(report_dir() / report.pdf_name)))


def test_the_author_chooses_which_entries_go_in(cast: Cast, client_for) -> None:
    from coparent.reports import services as reports
    from coparent.reports.models import Report, ReportStatus
    from tests.tasks import committing, run_tasks

    chosen = journal.entry_write(family=cast.family_a, actor=cast.alice, body=ALICE_NOTE)
    journal.entry_write(family=cast.family_a, actor=cast.alice, body=SECRET)
    bobs = journal.entry_write(family=cast.family_a, actor=cast.bob, body=BOB_NOTE)
    alice = member(cast.family_a, cast.alice)
    options = {"first": DAY_FIRST, "last": DAY_LAST, "sections": ["journal"]}
    # another parent's entry cannot be chosen, as if it did not exist
    with pytest.raises(ServiceError) as error:
        reports.report_request(
            family=cast.family_a, actor=alice, journal_entry_ids=[str(bobs.public_id)], **options
        )
    assert error.value.field == "journal_entries"
    with committing():
        report = reports.report_request(
            family=cast.family_a, actor=alice, journal_entry_ids=[str(chosen.public_id)], **options
        )
    run_tasks()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY, report.error
    text = _report_text(report)
    assert ALICE_NOTE in text and "zebra-umbrella-42" not in text and BOB_NOTE not in text

    # the API takes the same choice, and refuses someone else's entry in the error shape
    api = client_for(cast.alice)
    base = f"/api/v1/families/{cast.family_a.public_id}/reports"
    body = {"start": "2026-06-01", "end": "2026-06-17", "sections": ["journal"]}
    bad = api.post(
        base, {**body, "journal_entries": [str(bobs.public_id)]}, content_type="application/json"
    )
    assert bad.status_code == 400
    assert "journal_entries" in bad.json()["error"]["fields"]
    with committing():
        good = api.post(
            base,
            {**body, "journal_entries": [str(chosen.public_id)]},
            content_type="application/json",
        )
    assert good.status_code == 202
    run_tasks()
    report = Report.objects.get(public_id=good.json()["id"])
    assert "zebra-umbrella-42" not in _report_text(report)

    # the page offers the author's own entries, nobody else's
    page = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/reports/")
    html = page.content.decode()
    assert str(chosen.public_id) in html and str(bobs.public_id) not in html
    assert "kite-festival" not in html
    mediator = client_for(cast.mediator).get(f"/f/{cast.family_a.public_id}/reports/")
    assert "Journal entries" not in mediator.content.decode()
    # a choice ticked on the form reaches the report
    with committing():
        response = client_for(cast.alice).post(
            f"/f/{cast.family_a.public_id}/reports/",
            {
                "start": "2026-06-01",
                "end": "2026-06-17",
                "sections": ["journal"],
                "journal_entries": [str(chosen.public_id)],
            },
        )
    assert response.status_code == 302
    latest = Report.objects.filter(requested_by=alice).order_by("-requested_at", "-id").first()
    assert latest is not None and latest.journal_entry_ids == [str(chosen.public_id)]


def test_a_twice_corrected_expense_prints_every_versions_entries(
    cast: Cast, tmp_path: Path
) -> None:
    from coparent.records.models import LogEntry

    agree(cast, "50")
    first = expense(cast, amount="10.00", description="Bus pass")
    second = expenses.expense_correct(
        family=cast.family_a, actor=cast.alice, expense=first, amount=Decimal("11.00")
    )
    expenses.expense_correct(
        family=cast.family_a, actor=cast.alice, expense=second, amount=Decimal("12.00")
    )
    path = tmp_path / "report.pdf"
    write(cast, path, reader=member(cast.family_a, cast.bob), sections=["expenses"])
    text = flat(" ".join(page_texts(path)))
    created = LogEntry.objects.get(family=cast.family_a, kind="expense.created").index
    assert f"log\u00a0#{created}" in text or f"log #{created}" in text
    assert "Corrects version 2" in text and "12.00 USD" in text
    assert verify.main([str(path)]) == 0
