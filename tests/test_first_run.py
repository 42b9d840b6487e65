"""First run: an invitation link carried through sign-up and confirmation into the family, the
pending invitation on home (resend, withdraw), and the time-zone field."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core import mail
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.accounts.models import User
from coparent.families import services
from coparent.families.models import Family, Invitation, Membership, Role
from coparent.records.models import LogEntry
from tests.cast import Cast, make_user

pytestmark = pytest.mark.django_db

PASSPHRASE = "a calm and long passphrase"


def browser() -> Client:
    """A signed-out client that, like a browser, must send the CSRF token on every form."""
    client = Client(enforce_csrf_checks=True)
    token = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    client.defaults["HTTP_X_CSRFTOKEN"] = token
    return client


def sign_in(client: Client, email: str, password: str = PASSPHRASE):
    response = client.post("/accounts/login/", {"email": email, "password": password})
    # Signing in rotates the CSRF token, as the next page a browser loads would pick up.
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies[settings.CSRF_COOKIE_NAME].value
    return response


def link_in(message) -> str:
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


def invite(
    cast: Cast, *, email: str = "", role: str = Role.PARENT, **extra
) -> tuple[Invitation, str]:
    family, actor = (
        (cast.family_b, cast.charlie) if role == Role.PARENT else (cast.family_a, cast.alice)
    )
    invitation, token = services.invitation_create(
        family=family, actor=actor, role=role, email=email, **extra
    )
    return invitation, f"/invite/{token}/"


def sign_up(client: Client, email: str, zone: str = "Europe/Berlin"):
    return client.post(
        "/accounts/signup/",
        {"display_name": "Newcomer", "email": email, "password": PASSPHRASE, "timezone": zone},
    )


def test_an_invitation_survives_sign_up_and_confirmation(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    invitation, path = invite(cast, email="dale@example.test")
    client = browser()
    assert "Create an account" in client.get(path).content.decode()
    page = client.get("/accounts/signup/").content.decode()
    assert "Family B" in page and "confirm your email address" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert sign_up(client, "Dale@Example.test").status_code == 302
    confirmation = mail.outbox[-1]
    assert confirmation.to == ["dale@example.test"]
    token = path.split("/")[2]
    assert token not in confirmation.body, "only the invitation's id travels, never its token"

    # Opened in another browser (a phone's mail app), where the session is not there.
    elsewhere = browser()
    response = elsewhere.get(link_in(confirmation))
    dale = User.objects.get(email="dale@example.test")
    membership = Membership.objects.get(user=dale)
    assert (membership.family, membership.role) == (cast.family_b, Role.PARENT)
    assert response.url.startswith("/accounts/login/") and "next=%2Ff%2F" in response.url
    joined = LogEntry.objects.filter(family=cast.family_b, kind="member.joined", actor=dale)
    assert joined.count() == 1

    signed_in = elsewhere.post(response.url, {"email": dale.email, "password": PASSPHRASE})
    assert signed_in.url == f"/f/{cast.family_b.public_id}/"
    page = elsewhere.get(signed_in.url, follow=True).content.decode()
    assert "You joined Family B as Parent." in page

    # The first browser signs in too: it lands in the family, not on "create a family".
    sign_in(client, dale.email)
    assert client.get("/", follow=True).redirect_chain[-1][0] == f"/f/{cast.family_b.public_id}/"
    # Opening the confirmation link again changes nothing.
    again = browser().get(link_in(confirmation))
    assert again.status_code == 302
    assert Membership.objects.filter(user=dale).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by == dale


def test_signing_up_with_another_address_than_the_invitation_is_refused(cast: Cast) -> None:
    _invitation, path = invite(cast, email="dale@example.test")
    client = browser()
    client.get(path)
    response = sign_up(client, "someone.else@example.test")
    assert response.status_code == 200
    assert "sent to another email address" in response.content.decode()
    assert not User.objects.filter(email="someone.else@example.test").exists()


def test_a_held_invitation_is_refused_to_an_account_with_another_address(
    cast: Cast, client_for
) -> None:
    invitation, path = invite(cast, email="dale@example.test")
    stranger = make_user("stranger@example.test", "Stranger")
    client = client_for(stranger)
    client.get(path)
    assert client.get("/").url == "/invite/"
    response = client.post(
        "/invite/", {"invitation": str(invitation.public_id), "action": "accept"}, follow=True
    )
    assert "sent to another email address" in response.content.decode()
    assert not Membership.objects.filter(user=stranger).exists()
    assert client.get("/").url != "/invite/", "a refused invitation stops standing in the way"


@pytest.mark.parametrize("ending", ["expired", "withdrawn"])
def test_an_invitation_that_ended_before_confirmation_says_so(
    cast: Cast, django_capture_on_commit_callbacks, ending: str
) -> None:
    invitation, path = invite(cast, role=Role.CAREGIVER, relationship="Aunt")
    client = browser()
    client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, "aunt@example.test")
    if ending == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
    else:
        services.invitation_revoke(family=cast.family_a, actor=cast.bob, invitation=invitation)
    response = client.get(link_in(mail.outbox[-1]), follow=True)
    page = response.content.decode()
    assert ("has expired" if ending == "expired" else "was withdrawn") in page
    assert "your email address is confirmed" in page
    aunt = User.objects.get(email="aunt@example.test")
    assert aunt.email_verified and not Membership.objects.filter(user=aunt).exists()
    sign_in(client, aunt.email)
    assert "Create a family" in client.get("/", follow=True).content.decode()


def test_an_existing_account_signs_in_from_the_link_and_is_asked_to_accept(cast: Cast) -> None:
    invitation, path = invite(cast, role=Role.CAREGIVER, relationship="Nanny")
    nanny = make_user("nanny@example.test", "Nanny")
    client = browser()
    client.get(path)
    sign_in(client, nanny.email, "correct horse battery staple")
    held = client.get("/", follow=True)
    assert held.redirect_chain[-1][0] == "/invite/"
    assert "Join Family A" in held.content.decode()
    response = client.post("/invite/", {"invitation": str(invitation.public_id)})
    assert response.url == f"/f/{cast.family_a.public_id}/"
    assert Membership.objects.get(user=nanny).role_label == "Nanny"


def test_no_second_family_is_offered_while_an_invitation_waits(cast: Cast, client_for) -> None:
    invitation, _path = invite(cast, email="dale@example.test")
    dale = make_user("dale@example.test", "Dale")
    client = client_for(dale)
    page = client.get("/families/").content.decode()
    assert "Join Family B" in page and "Create family" not in page
    client.post("/families/", {"name": "A second family"})
    assert not Family.objects.filter(name="A second family").exists()

    client.post("/invite/", {"invitation": str(invitation.public_id), "action": "dismiss"})
    page = client.get("/families/").content.decode()
    assert "Create family" in page and "Join Family B" not in page
    assert invitation.family == cast.family_b and not Membership.objects.filter(user=dale).exists()


def test_a_confirmation_resent_to_another_address_does_not_carry_the_invitation(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    """Someone holding a link must not join another person's unconfirmed account to a family."""
    other = User.objects.create_user("other@example.test", PASSPHRASE, display_name="Other")
    _invitation, path = invite(cast, role=Role.CAREGIVER)
    client = browser()
    client.get(path)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/confirm-resend/", {"email": other.email})
    browser().get(link_in(mail.outbox[-1]))
    other.refresh_from_db()
    assert other.email_verified and not Membership.objects.filter(user=other).exists()


def test_home_shows_a_sent_invitation_as_pending_instead_of_invite_the_other_parent(
    cast: Cast, client_for, django_assert_max_num_queries
) -> None:
    charlie = client_for(cast.charlie)
    home = f"/f/{cast.family_b.public_id}/"
    assert "Invite the other parent" in charlie.get(home).content.decode()
    services.invitation_create(
        family=cast.family_b, actor=cast.charlie, role=Role.PARENT, email="dale@example.test"
    )
    # Every area's badge in one query; only areas with something to show are asked for it.
    with django_assert_max_num_queries(18) as queries:
        page = charlie.get(home).content.decode()
    assert "Invite the other parent" not in page
    assert "dale@example.test" in page and "Resend" in page and "Withdraw" in page
    first = len(queries.captured_queries)
    for n in range(5):
        services.invitation_create(
            family=cast.family_b,
            actor=cast.charlie,
            role=Role.CAREGIVER,
            email=f"c{n}@example.test",
        )
    with django_assert_max_num_queries(first):
        charlie.get(home)


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    cast: Cast, client_for, django_capture_on_commit_callbacks
) -> None:
    invitation, old_path = invite(cast, email="dale@example.test")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1)
    )
    charlie = client_for(cast.charlie)
    url = f"/f/{cast.family_b.public_id}/people/invitations/{invitation.public_id}/resend/"
    assert Client(enforce_csrf_checks=True).post(url).status_code in (302, 403)
    with django_capture_on_commit_callbacks(execute=True):
        response = charlie.post(url, {"from": "home"})
    assert response.status_code == 200
    new_link = response.context["link"]
    assert mail.outbox[-1].to == ["dale@example.test"] and new_link in mail.outbox[-1].body
    invitation.refresh_from_db()
    assert invitation.expires_at == timezone.now().replace(microsecond=0) + dt.timedelta(
        days=settings.INVITATION_DAYS
    ) or invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    assert Client().get(old_path).status_code == 404
    assert Client().get(new_link.removeprefix("http://testserver")).status_code == 200
    assert LogEntry.objects.filter(family=cast.family_b, kind="invitation.renewed").count() == 1

    charlie.post(url)
    charlie.post(url)
    limited = charlie.post(url)
    assert limited.status_code == 429 and limited["Retry-After"]
    assert LogEntry.objects.filter(family=cast.family_b, kind="invitation.renewed").count() == 3


def test_withdraw_asks_first_then_the_link_stops_working(cast: Cast, client_for) -> None:
    invitation, path = invite(cast, email="dale@example.test")
    charlie = client_for(cast.charlie)
    url = f"/f/{cast.family_b.public_id}/people/invitations/{invitation.public_id}/withdraw/"
    asked = charlie.get(url + "?from=home")
    assert "Withdraw the invitation?" in asked.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "pending", "asking changes nothing"
    csrf_less = Client(enforce_csrf_checks=True)
    csrf_less.force_login(cast.charlie)
    assert csrf_less.post(url).status_code == 403
    response = charlie.post(url, {"from": "home"})
    assert response.url == f"/f/{cast.family_b.public_id}/"
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert "was withdrawn" in Client().get(path).content.decode()
    assert LogEntry.objects.filter(family=cast.family_b, kind="invitation.withdrawn").count() == 1


def test_only_parents_resend_or_withdraw(cast: Cast, client_for) -> None:
    invitation, _path = invite(cast, role=Role.CAREGIVER)
    base = f"/f/{cast.family_a.public_id}/people/invitations/{invitation.public_id}"
    assert client_for(cast.gran).post(base + "/resend/").status_code in (403, 404)
    assert client_for(cast.mediator).post(base + "/withdraw/").status_code in (403, 404)
    assert client_for(cast.charlie).post(base + "/resend/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


# Time zone ---------------------------------------------------------------------------------


def test_sign_up_needs_a_zone_and_accepts_what_browsers_report(db: None) -> None:
    response = browser().post(
        "/accounts/signup/",
        {"display_name": "N", "email": "n@example.test", "password": PASSPHRASE, "timezone": ""},
    )
    assert "Choose your time zone." in response.content.decode()
    assert sign_up(browser(), "k@example.test", zone="Asia/Calcutta").status_code == 302
    assert User.objects.get(email="k@example.test").timezone == "Asia/Calcutta"


def test_the_zone_select_is_grouped_by_region_and_has_the_picker_script(
    cast: Cast, client_for
) -> None:
    page = browser().get("/accounts/signup/").content.decode()
    assert '<optgroup label="Europe">' in page and 'data-timezone="fill"' in page
    assert "js/timezone-picker.js" in page
    assert '<option value="UTC" selected' not in page, "never UTC without asking"
    profile = client_for(cast.alice).get("/account/").content.decode()
    assert 'data-timezone="suggest"' in profile
    assert f'<option value="{cast.alice.timezone}" selected' in profile


FORM = "application/x-www-form-urlencoded"


def form_body(data: dict[str, str]) -> str:
    """Encoded as a hostile client may: a lone surrogate goes out as its raw UTF-8-style bytes."""
    return "&".join(
        f"{quote(k)}={quote(v, encoding='utf-8', errors='surrogatepass')}" for k, v in data.items()
    )


bad_zones = st.one_of(
    st.text(max_size=80).filter(lambda z: z not in __import__("zoneinfo").available_timezones()),
    st.sampled_from(
        ["Europe/Nowhere", "Europe/Berlin\x00", "\ud800", "../../etc/passwd", "X" * 5000]
    ),
)


@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(zone=bad_zones)
def test_an_unknown_zone_gets_a_clear_message_and_changes_nothing(
    cast: Cast, client_for, zone: str
) -> None:
    client = client_for(cast.alice)
    response = client.post(
        "/account/",
        form_body({"display_name": "Alice", "timezone": zone, "notify_new_sign_in": "on"}),
        content_type=FORM,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose a time zone from the list" in page or "Choose your time zone." in page
    cast.alice.refresh_from_db()
    assert cast.alice.timezone == "America/Chicago"
    count = User.objects.count()
    response = browser().post(
        "/accounts/signup/",
        form_body(
            {
                "display_name": "N",
                "email": "n@example.test",
                "password": PASSPHRASE,
                "timezone": zone,
            }
        ),
        content_type=FORM,
    )
    assert response.status_code == 200 and User.objects.count() == count


def test_the_api_resends_an_invitation_with_a_new_link_and_limits_it(
    cast: Cast, client_for
) -> None:
    invitation, old_path = invite(cast, role=Role.CAREGIVER, relationship="Sitter")
    url = f"/api/v1/families/{cast.family_a.public_id}/invitations/{invitation.public_id}/resend"
    alice = client_for(cast.alice)
    response = alice.post(url, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "pending" and body["link"].endswith("/")
    assert Client().get(old_path).status_code == 404
    assert client_for(cast.gran).post(url).status_code in (403, 404)
    assert client_for(cast.charlie).post(url).status_code == 404
    for _n in range(2):
        alice.post(url)
    limited = alice.post(url)
    assert limited.status_code == 429 and limited.json()["error"]["code"]
    assert int(limited["Retry-After"]) > 0


def test_the_pages_of_the_first_run_keep_their_query_count_as_history_grows(
    cast: Cast, client_for
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    invitation, path = invite(cast, email="dale@example.test")
    dale = make_user("dale@example.test", "Dale")
    newcomer = client_for(dale)
    newcomer.get(path)
    charlie = client_for(cast.charlie)
    withdraw = f"/f/{cast.family_b.public_id}/people/invitations/{invitation.public_id}/withdraw/"
    anonymous = browser()
    anonymous.get(path)
    pages = [
        (newcomer, "/families/"),
        (newcomer, "/invite/"),
        (newcomer, path),
        (anonymous, "/accounts/signup/"),
        (anonymous, "/accounts/signup/check-email/"),
        (charlie, withdraw),
        (charlie, f"/f/{cast.family_b.public_id}/"),
    ]

    def counts() -> list[int]:
        found = []
        for client, url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200, url
            found.append(len(queries.captured_queries))
        return found

    counts()  # a client's first request also notes its session
    before = counts()
    assert max(before) <= 34, before  # the home page: one query per area of "Needs you"
    for n in range(6):
        services.invitation_create(
            family=cast.family_b, actor=cast.charlie, role=Role.CAREGIVER, email=f"{n}@x.test"
        )
        services.child_add(
            family=cast.family_b,
            actor=cast.charlie,
            first_name=f"C{n}",
            date_of_birth=dt.date(2020, 1, 1),
        )
    # The writes grew the record: the next view counts the nav badge anew.
    counts()
    assert counts() == before
