"""Asking for a report on the page and through the API, the worker writing it with progress,
who may download it, a professional's period, and deletion after seven days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from coparent.core.errors import ServiceError
from coparent.families.models import Membership
from coparent.journal import services as journal
from coparent.records.models import LogEntry
from coparent.reports import services
from coparent.reports.models import Report, ReportStatus
from tests.cast import Cast
from tests.reports.helpers import history, page_texts, qpdf_check
from tests.tasks import committing, run_tasks


def membership(cast: Cast, user) -> Membership:
    return Membership.objects.get(family=cast.family_a, user=user, revoked_at__isnull=True)


def ask(cast: Cast, user=None, **extra) -> Report:
    options = {
        "first": dt.date(2026, 6, 1),
        "last": dt.date(2026, 6, 17),
        "sections": ["messages", "calendar", "exchanges", "access"],
    }
    options.update(extra)
    with committing():
        report = services.report_request(
            family=cast.family_a, actor=membership(cast, user or cast.alice), **options
        )
    return report


def test_the_worker_writes_the_report_and_the_asker_downloads_it(
    cast: Cast, client_for, tmp_path: Path
) -> None:
    _thread, messages = history(cast)
    report = ask(cast, bates_prefix="fenwick")
    assert report.status == ReportStatus.QUEUED
    assert report.paper == "Letter"  # Alice lives in Chicago
    run_tasks()
    report.refresh_from_db()
    assert report.status == ReportStatus.READY, report.error
    assert report.progress == 100
    assert report.expires_at == report.finished_at + dt.timedelta(days=7)
    alice = client_for(cast.alice)
    base = f"/f/{cast.family_a.public_id}/reports/{report.public_id}"
    response = alice.get(f"{base}/report.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    path = tmp_path / "downloaded.pdf"
    path.write_bytes(b"".join(response.streaming_content))
    qpdf_check(path)
    texts = page_texts(path)
    assert "FENWICK-000001" in texts[0]
    assert messages[0].body in " ".join(texts)
    assert alice.get(f"{base}/tables.zip").status_code == 200
    # Nobody else, not even the other parent, can download it or see its progress.
    for user in (cast.bob, cast.mediator, cast.charlie):
        other = client_for(user)
        assert other.get(f"{base}/report.pdf").status_code == 404
        assert other.get(f"{base}/").status_code == 404
        api = f"/api/v1/families/{cast.family_a.public_id}/reports/{report.public_id}/pdf"
        assert other.get(api).status_code == 404


def test_asking_for_a_report_writes_nothing_to_the_record(cast: Cast) -> None:
    before = LogEntry.objects.filter(family=cast.family_a).count()
    ask(cast)
    run_tasks()
    assert LogEntry.objects.filter(family=cast.family_a).count() == before


def test_the_page_asks_and_shows_progress(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    alice = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/reports/"
    response = alice.post(
        url,
        {
            "start": "2026-06-01",
            "end": "2026-06-17",
            "sections": ["messages", "access"],
            "bates_prefix": "SMITH",
            "paper": "A4",
        },
    )
    assert response.status_code == 302
    report = Report.objects.get(family=cast.family_a)
    assert report.sections == ["messages", "access"]
    assert report.bates_prefix == "SMITH"
    page = alice.get(url).content.decode()
    assert f'hx-get="{url}{report.public_id}/"' in page
    assert 'hx-trigger="every 2s"' in page
    row = alice.get(f"{url}{report.public_id}/").content.decode()
    assert "<progress" in row


def test_the_page_query_count_does_not_grow_with_reports(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    alice = client_for(cast.alice)
    url = f"/f/{cast.family_a.public_id}/reports/"
    ask(cast)
    journal.entry_write(family=cast.family_a, actor=cast.alice, body="A first note")
    alice.get(url)
    # 8: one of them lists Alice's journal entries to choose from
    with django_assert_num_queries(7):
        alice.get(url)
    for number in range(3):
        ask(cast)
        journal.entry_write(family=cast.family_a, actor=cast.alice, body=f"Note {number}")
    # The writes grew the record: the next view counts the nav badge anew.
    alice.get(url)
    with django_assert_num_queries(7):
        assert alice.get(url).status_code == 200


def test_a_wrong_section_names_the_available_ones(cast: Cast) -> None:
    with pytest.raises(ServiceError) as error:
        ask(cast, sections=["messages", "ledgers"])
    assert "ledgers" in error.value.message
    assert "messages, calendar, exchanges, expenses, journal, access" in error.value.message


def test_a_caregiver_cannot_ask(cast: Cast, client_for) -> None:
    with pytest.raises(ServiceError):
        ask(cast, user=cast.gran)
    assert client_for(cast.gran).get(f"/f/{cast.family_a.public_id}/reports/").status_code == 404


def test_a_professional_reports_only_within_their_access(cast: Cast, client_for) -> None:
    mediator = membership(cast, cast.mediator)
    sections = ["messages", "calendar", "exchanges"]
    report = ask(
        cast,
        user=cast.mediator,
        first=dt.date(2020, 1, 1),
        last=dt.date(2030, 1, 1),
        sections=sections,
    )
    assert report.start == mediator.created_at
    assert report.end == mediator.access_until
    with pytest.raises(ServiceError):
        ask(
            cast,
            user=cast.mediator,
            first=dt.date(2020, 1, 1),
            last=dt.date(2020, 2, 1),
            sections=sections,
        )
    # The access log (what professionals opened) is the parents' section.
    with pytest.raises(
        ServiceError, match=r"Available sections: messages, calendar, exchanges, expenses\."
    ):
        ask(cast, user=cast.mediator, sections=["access"])
    # Through the page too: a POST is open to them, and still bounded.
    response = client_for(cast.mediator).post(
        f"/f/{cast.family_a.public_id}/reports/",
        {"start": "2026-01-01", "end": "2026-12-31", "sections": ["messages"]},
    )
    assert response.status_code == 302
    latest = Report.objects.filter(requested_by=mediator).first()
    assert latest is not None and latest.start >= mediator.created_at


def test_the_file_is_deleted_after_seven_days_by_the_worker(cast: Cast, client_for) -> None:
    from coparent.reports.tasks import reports_expire_task

    report = ask(cast, sections=["access"])
    run_tasks()
    report.refresh_from_db()
    path = services.report_dir() / report.pdf_name
    assert path.exists()
    with time_machine.travel(report.expires_at - dt.timedelta(minutes=1)):
        with committing():
            reports_expire_task.enqueue()
        run_tasks()
    assert path.exists()
    with time_machine.travel(report.expires_at + dt.timedelta(minutes=1)):
        with committing():
            reports_expire_task.enqueue()
        run_tasks()
        report.refresh_from_db()
        assert report.status == ReportStatus.EXPIRED
        assert not path.exists()
        url = f"/f/{cast.family_a.public_id}/reports/{report.public_id}/report.pdf"
        assert client_for(cast.alice).get(url).status_code == 404


def test_the_api_asks_follows_and_downloads(cast: Cast, client_for) -> None:
    history(cast)
    alice = client_for(cast.alice)
    base = f"/api/v1/families/{cast.family_a.public_id}/reports"
    with committing():
        response = alice.post(
            base,
            {"start": "2026-06-01", "end": "2026-06-17", "sections": ["messages"]},
            content_type="application/json",
        )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    run_tasks()
    status = alice.get(f"{base}/{body['id']}").json()
    assert status["status"] == "ready"
    assert status["pages"] > 0
    pdf = alice.get(f"{base}/{body['id']}/pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert [r["id"] for r in alice.get(base).json()] == [body["id"]]
    bad = alice.post(
        base,
        {"start": "2026-06-01", "end": "2026-06-17", "sections": ["ledgers"]},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422)
    assert bad.json()["error"]["fields"]


def test_the_cli_writes_a_verifiable_report(cast: Cast, tmp_path: Path, capsys) -> None:
    from coparent.reports import verify

    history(cast)
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
        "--bates",
        "FENWICK",
    )
    qpdf_check(out)
    assert verify.main([str(out)]) == 0
    with pytest.raises(CommandError, match="Available sections: messages, calendar"):
        call_command(
            "records",
            "report",
            str(cast.family_a.public_id),
            "--out",
            str(out),
            "--sections",
            "messages,ledgers",
        )
