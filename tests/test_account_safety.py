"""Account safety: the sign-in history (every sign-in and failed attempt, seen only by the
owner) and a contact email for notifications that differs from the sign-in address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from coparent.accounts import services
from coparent.accounts.models import SignInEvent
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, notify
from coparent.worker.tasks import results_prune_task
from tests.cast import PASSWORD, Cast
from tests.tasks import committing, run_tasks, sent_mail
from tests.test_accounts import enable_two_factor, link_in, sign_in

pytestmark = pytest.mark.django_db

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0"


def outcomes(user) -> list[str]:
    return list(
        SignInEvent.objects.filter(user=user).order_by("at", "pk").values_list("outcome", flat=True)
    )


def test_sign_ins_and_failed_attempts_are_in_the_owners_history(cast: Cast) -> None:
    client = Client(HTTP_USER_AGENT=BROWSER)
    sign_in(client, cast.alice.email, password="not the password", address="10.0.0.7")
    sign_in(client, cast.alice.email, address="10.0.0.7")

    events = list(SignInEvent.objects.filter(user=cast.alice).order_by("at", "pk"))
    assert [e.outcome for e in events] == ["wrong-password", "signed-in"]
    assert {e.ip_address for e in events} == {"10.0.0.7"}
    assert {e.user_agent for e in events} == {BROWSER}

    page = client.get("/account/sign-ins/").content.decode()
    assert "Wrong password" in page and "Signed in" in page and "from 10.0.0.7" in page
    assert "Firefox/140.0" in page


def test_an_unknown_address_leaves_no_trace_and_gets_the_same_answer(cast: Cast) -> None:
    known = sign_in(Client(), cast.alice.email, password="wrong").content.decode()
    unknown = sign_in(Client(), "nobody@example.test", password="wrong").content.decode()
    assert SignInEvent.objects.count() == 1
    assert known.replace(cast.alice.email, "X").count("not right") == unknown.count("not right")


def test_a_wrong_two_factor_code_says_the_password_was_right(cast: Cast, client_for) -> None:
    enable_two_factor(client_for(cast.alice), cast.alice)
    client = Client()
    sign_in(client, cast.alice.email)
    client.post("/accounts/login/code/", {"code": "000000"})
    assert outcomes(cast.alice)[-1] == "wrong-code"
    page = client_for(cast.alice).get("/account/sign-ins/").content.decode()
    assert "Right password, wrong two-factor code" in page


def test_the_history_is_the_owners_alone_and_its_page_cost_is_fixed(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    for _ in range(3):
        services.sign_in_event_record(
            user=cast.bob, outcome=SignInEvent.SIGNED_IN, ip_address="10.9.9.9", user_agent="B"
        )
    client = client_for(cast.alice)
    client.get("/account/sign-ins/")  # the session's first request writes it

    def cost() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            page = client.get("/account/sign-ins/").content.decode()
        assert "10.9.9.9" not in page
        return len(queries)

    few = cost()
    for _ in range(40):
        services.sign_in_event_record(
            user=cast.alice,
            outcome=SignInEvent.WRONG_PASSWORD,
            ip_address="10.0.0.2",
            user_agent="A",
        )
    assert cost() == few
    with django_assert_num_queries(few):
        client.get("/account/sign-ins/")

    answer = client.get("/api/v1/sign-ins").json()
    assert [row["ip_address"] for row in answer][:40] == ["10.0.0.2"] * 40
    assert answer[-1]["outcome"] == "signed-in", "the test client's own sign-in, oldest"
    assert "10.9.9.9" not in str(answer)


def test_the_history_is_kept_a_year(cast: Cast) -> None:
    old = services.sign_in_event_record(
        user=cast.alice, outcome=SignInEvent.SIGNED_IN, ip_address=None, user_agent=""
    )
    SignInEvent.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=366))
    recent = services.sign_in_event_record(
        user=cast.alice, outcome=SignInEvent.SIGNED_IN, ip_address=None, user_agent=""
    )
    results_prune_task.call()
    assert list(SignInEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def message_to(user) -> None:
    with committing():
        notify(None, [user], Kind.SIGN_IN, link="/account/", detail=Detail("Test", "Body"))
    run_tasks()


def test_notifications_go_to_the_contact_email_once_it_is_confirmed(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    assert client.get("/account/contact-email/").status_code == 302, "needs the password again"
    client.post("/account/confirm-password/", {"password": PASSWORD})
    with committing():
        response = client.post("/account/contact-email/", {"contact_email": "Safe@Example.test"})
    assert response.status_code == 302
    confirm = sent_mail()[-1]
    assert confirm.to == ["safe@example.test"]

    # Until its owner opens the link, nothing goes there: anyone could type an address.
    cast.alice.refresh_from_db()
    assert cast.alice.notification_email == cast.alice.email
    message_to(cast.alice)
    assert sent_mail()[-1].to == [cast.alice.email]

    assert client.get(link_in(confirm)).status_code == 302
    cast.alice.refresh_from_db()
    assert cast.alice.notification_email == "safe@example.test"
    message_to(cast.alice)
    assert sent_mail()[-1].to == ["safe@example.test"]
    assert "safe@example.test" in client.get("/account/").content.decode()

    # Emptying the field brings notifications back to the sign-in address.
    client.post("/account/contact-email/", {"contact_email": ""})
    cast.alice.refresh_from_db()
    assert cast.alice.notification_email == cast.alice.email


def test_a_contact_link_works_only_for_its_account_and_its_latest_address(
    cast: Cast, client_for
) -> None:
    alice = client_for(cast.alice)
    alice.post("/account/confirm-password/", {"password": PASSWORD})
    with committing():
        alice.post("/account/contact-email/", {"contact_email": "first@example.test"})
    first = link_in(sent_mail()[-1])
    assert client_for(cast.bob).get(first).status_code == 400
    with committing():
        alice.post("/account/contact-email/", {"contact_email": "second@example.test"})
    response = alice.get(first)
    assert response.status_code == 400 and "since changed" in response.content.decode()
    cast.alice.refresh_from_db()
    assert not cast.alice.contact_email_confirmed


def test_a_bad_contact_email_changes_nothing(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    client.post("/account/confirm-password/", {"password": PASSWORD})
    with committing():
        response = client.post("/account/contact-email/", {"contact_email": "not an address\x00"})
    assert response.status_code == 200 and "valid email" in response.content.decode()
    cast.alice.refresh_from_db()
    assert cast.alice.contact_email == "" and not sent_mail()
