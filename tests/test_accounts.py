"""Sign-up, email confirmation, sign-in (throttling, two-factor), sessions, re-authentication."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
import traceback

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts import services
from coparent.accounts.models import User, UserSession
from coparent.notifications.models import Notification
from tests.cast import PASSWORD, Cast
from tests.tasks import committing, sent_mail

pytestmark = pytest.mark.django_db


def link_in(message) -> str:
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


def sign_up(
    client: Client, email: str = "new@example.test", password: str = "a perfectly fine passphrase"
):
    return client.post(
        "/accounts/signup/",
        {
            "display_name": "New Person",
            "email": email,
            "password": password,
            "timezone": "Europe/Berlin",
        },
    )


def sign_in(client: Client, email: str, password: str = PASSWORD, address: str = "10.0.0.1"):
    return client.post(
        "/accounts/login/", {"email": email, "password": password}, REMOTE_ADDR=address
    )


def totp_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_sign_up_confirm_email_then_sign_in(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.test"]
    user = User.objects.get(email="new@example.test")
    assert not user.email_verified and user.timezone == "Europe/Berlin"

    refused = sign_in(client, "new@example.test", "a perfectly fine passphrase")
    assert refused.status_code == 200
    assert "Confirm your email address first" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    assert client.get(link_in(mail.outbox[0])).status_code == 302
    user.refresh_from_db()
    assert user.email_verified
    assert sign_in(client, "NEW@example.test", "a perfectly fine passphrase").status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_tampered_confirmation_link_is_refused(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client)
    path = link_in(mail.outbox[0])
    response = client.get(path[:-3] + "xyz/")
    assert response.status_code == 400
    assert not User.objects.get(email="new@example.test").email_verified


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1", "too short"), ("password123", "too common"), ("x" * 1100, "at most 1024")],
)
def test_weak_passwords_are_refused_with_a_clear_message(
    client: Client, password: str, message: str
) -> None:
    response = sign_up(client, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(email="new@example.test").exists()


def test_long_passphrases_and_no_composition_rules() -> None:
    user = services.user_signup(
        email="long@example.test", display_name="L", password="a" * 10 + " lowercase words " * 4
    )
    assert user.check_password("a" * 10 + " lowercase words " * 4)


def test_an_email_address_has_one_account_whatever_its_case(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        again = services.user_signup(
            email="ALICE@example.test", display_name="A", password="another fine passphrase"
        )
    assert again is None
    assert User.objects.filter(email__iexact="alice@example.test").count() == 1
    assert [m.to for m in mail.outbox] == [[cast.alice.email]]


def test_argon2id_is_the_password_hasher_outside_tests(settings) -> None:
    from coparent import settings as real_settings

    settings.PASSWORD_HASHERS = real_settings.PASSWORD_HASHERS
    assert make_password("x").startswith("argon2$argon2id$")


def test_failed_sign_ins_block_only_that_account_from_that_address(
    cast: Cast, client: Client
) -> None:
    for _ in range(5):
        assert (
            "not right"
            in sign_in(client, cast.alice.email, "wrong", address="203.0.113.9").content.decode()
        )
    blocked = sign_in(client, cast.alice.email, PASSWORD, address="203.0.113.9")
    assert "Too many failed attempts" in blocked.content.decode()
    assert blocked.status_code == 429
    assert 0 < int(blocked["Retry-After"]) <= 15 * 60 + 1
    assert "_auth_user_id" not in client.session
    # The victim, on her own phone, is not locked out by the attacker's failures.
    assert sign_in(Client(), cast.alice.email, PASSWORD, address="198.51.100.7").status_code == 302
    # Another account from the attacker's address is not blocked either.
    assert sign_in(Client(), cast.bob.email, PASSWORD, address="203.0.113.9").status_code == 302


def test_the_block_cools_off(cast: Cast, client: Client, settings, monkeypatch) -> None:
    from types import SimpleNamespace

    from coparent.accounts import throttle

    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: clock.now))
    for _ in range(5):
        sign_in(client, cast.alice.email, "wrong")
    clock.now += settings.LOGIN_COOL_OFF_SECONDS - 1
    assert "Too many" in sign_in(client, cast.alice.email, PASSWORD).content.decode()
    clock.now += 2  # the cool-off counts from the first failure, on the throttle's own clock
    assert sign_in(client, cast.alice.email, PASSWORD).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_tries_than_one_after_another(settings) -> None:
    """Each try is counted before its password is checked: 20 guesses sent at once from one
    address get the same 5 tries as 20 sent one after another, on both cache backends."""
    from tests.cast import build_cast

    alice = build_cast().alice
    guesses = 20
    barrier = threading.Barrier(guesses)
    answers: list[int] = []
    errors: list[str] = []

    def guess(n: int) -> None:
        try:
            client = Client(enforce_csrf_checks=True)
            client.get("/accounts/login/", REMOTE_ADDR="203.0.113.9")
            token = client.cookies[settings.CSRF_COOKIE_NAME].value
            barrier.wait(timeout=30)
            response = client.post(
                "/accounts/login/",
                {"email": alice.email, "password": f"wrong {n}", "csrfmiddlewaretoken": token},
                REMOTE_ADDR="203.0.113.9",
            )
            answers.append(response.status_code)
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(guesses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert sorted(answers) == [200] * 5 + [429] * (guesses - 5)
    # The victim's own phone still signs in.
    assert sign_in(Client(), alice.email, PASSWORD, address="198.51.100.7").status_code == 302


def test_tries_that_are_not_failures_give_their_count_back(
    cast: Cast, client_for, settings
) -> None:
    """A try is counted before the password is checked; a right password (here re-confirming
    it, and signing in before the email is confirmed) must not use up the allowance."""
    client = client_for(cast.alice)
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS + 2):
        response = client.post("/account/confirm-password/", {"password": PASSWORD})
        assert response.status_code == 302
    cast.bob.email_verified = False
    cast.bob.save(update_fields=["email_verified"])
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS + 2):
        assert "Confirm your email" in sign_in(Client(), cast.bob.email).content.decode()
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for _ in range(4):  # successes do not count against the address either
        assert sign_in(Client(), cast.alice.email).status_code == 302
    for _ in range(3):
        assert "not right" in sign_in(Client(), cast.alice.email, "wrong").content.decode()
    assert sign_in(Client(), cast.alice.email).status_code == 429
    for _ in range(3):
        assert (
            "not right"
            in client.post(
                "/account/confirm-password/", {"password": "wrong"}, REMOTE_ADDR="10.0.0.2"
            ).content.decode()
        )
    assert (
        client.post(
            "/account/confirm-password/", {"password": PASSWORD}, REMOTE_ADDR="10.0.0.2"
        ).status_code
        == 429
    )


def enable_two_factor(client: Client, user: User) -> list[str]:
    client.post("/account/confirm-password/", {"password": PASSWORD})
    client.post("/account/two-factor/", {"action": "start"})
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/two-factor/", {"action": "confirm", "code": totp_code(device)})
    assert response.status_code == 200
    return list(response.context["codes"])


def test_two_factor_sign_in_with_app_code_or_single_use_recovery_code(
    cast: Cast, client_for
) -> None:
    codes = enable_two_factor(client_for(cast.alice), cast.alice)
    assert len(codes) == 10 and services.has_two_factor(cast.alice)

    client = Client()
    response = sign_in(client, cast.alice.email)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/code/")
    assert "_auth_user_id" not in client.session, "the password alone must not sign in"
    assert "not right" in client.post("/accounts/login/code/", {"code": "000000"}).content.decode()
    device = TOTPDevice.objects.get(user=cast.alice, confirmed=True)
    device.last_t = -1  # the set-up code was this time step; django-otp refuses a code twice
    device.throttle_reset()  # django-otp's own back-off after the wrong code, not ours
    StaticDevice.objects.get(user=cast.alice).throttle_reset()

    assert client.post("/accounts/login/code/", {"code": totp_code(device)}).status_code == 302
    assert client.session["_auth_user_id"] == str(cast.alice.pk)

    for expected in (302, 200):  # a recovery code works once
        other = Client()
        sign_in(other, cast.alice.email)
        assert other.post("/accounts/login/code/", {"code": codes[0]}).status_code == expected


def test_changing_two_factor_or_email_needs_the_password_again(cast: Cast, client_for) -> None:
    client = client_for(cast.alice)
    for path in ("/account/two-factor/", "/account/email/"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/account/confirm-password/")
    assert (
        "not right"
        in client.post("/account/confirm-password/", {"password": "wrong"}).content.decode()
    )
    client.post("/account/confirm-password/", {"password": PASSWORD})
    assert client.get("/account/two-factor/").status_code == 200


def test_email_change_takes_effect_only_from_the_new_address(
    cast: Cast, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(cast.alice)
    client.post("/account/confirm-password/", {"password": PASSWORD})
    with committing():
        client.post("/account/email/", {"email": "alice.new@example.test"})
    cast.alice.refresh_from_db()
    assert cast.alice.email == "alice@example.test"
    assert sent_mail()[-1].to == ["alice.new@example.test"]
    with django_capture_on_commit_callbacks(execute=True):
        client.get(link_in(sent_mail()[-1]))
    cast.alice.refresh_from_db()
    assert cast.alice.email == "alice.new@example.test"
    assert sent_mail()[-1].to == ["alice@example.test"], "the old address is told of the change"


def test_email_change_does_not_tell_whether_another_account_uses_an_address(
    cast: Cast, client_for
) -> None:
    client = client_for(cast.alice)
    client.post("/account/confirm-password/", {"password": PASSWORD})
    with committing():
        fresh = client.post("/account/email/", {"email": "alice.new@example.test"}, follow=True)
        taken = client.post("/account/email/", {"email": cast.bob.email.upper()}, follow=True)
    assert fresh.status_code == taken.status_code == 200
    assert fresh.redirect_chain == taken.redirect_chain
    fresh_page, taken_page = fresh.content.decode(), taken.content.decode()
    assert "We sent a link to" in taken_page and "Another account" not in taken_page

    def masked(page: str, email: str) -> str:
        return re.sub(r'(CSRFToken": "|value=")[^"]+', "", page.replace(email, "X"))

    assert masked(fresh_page, "alice.new@example.test") == masked(
        taken_page, cast.bob.email.upper()
    )
    # The taken address's owner is told what happened; no link that could move it is sent.
    to_new, to_bob = sent_mail()
    assert to_new.to == ["alice.new@example.test"] and "/account/email/" in to_new.body
    assert to_bob.to == [cast.bob.email] and "another coparent account" in to_bob.subject
    assert "/account/email/" not in to_bob.body
    cast.alice.refresh_from_db()
    cast.bob.refresh_from_db()
    assert cast.alice.email == "alice@example.test" and cast.bob.email == "bob@example.test"


def test_email_change_is_rate_limited_like_sign_up(cast: Cast, client_for, settings) -> None:
    settings.ACCOUNT_EMAILS_PER_CLIENT = 2
    client = client_for(cast.alice)
    client.post("/account/confirm-password/", {"password": PASSWORD})
    with committing():
        statuses = [
            client.post("/account/email/", {"email": f"probe{n}@example.test"}).status_code
            for n in range(3)
        ]
    assert statuses == [302, 302, 429]
    assert len(sent_mail()) == 2


def test_sessions_are_listed_and_can_be_ended(cast: Cast) -> None:
    phone, laptop = Client(HTTP_USER_AGENT="Phone"), Client(HTTP_USER_AGENT="Laptop")
    sign_in(phone, cast.alice.email)
    sign_in(laptop, cast.alice.email, address="10.0.0.2")
    page = laptop.get("/account/sessions/")
    assert len(page.context["sessions"]) == 2
    phone_session = UserSession.objects.get(user=cast.alice, user_agent="Phone")
    laptop.post("/account/sessions/", {"session": str(phone_session.public_id)})
    assert phone.get("/account/").status_code == 302, "the ended session is signed out server-side"
    assert laptop.get("/account/").status_code == 200


def test_sign_out_all_others_keeps_this_one(cast: Cast) -> None:
    clients = [Client(HTTP_USER_AGENT=f"Browser {i}") for i in range(3)]
    for c in clients:
        sign_in(c, cast.alice.email)
    clients[0].post("/account/sessions/", {"action": "others"})
    assert [c.get("/account/").status_code for c in clients] == [200, 302, 302]
    assert UserSession.objects.filter(user=cast.alice).count() == 1


def test_password_change_ends_other_sessions(cast: Cast) -> None:
    here, elsewhere = Client(), Client()
    sign_in(here, cast.alice.email)
    sign_in(elsewhere, cast.alice.email)
    response = here.post(
        "/account/password/", {"old_password": PASSWORD, "new_password": "a brand new passphrase"}
    )
    assert response.status_code == 302
    assert here.get("/account/").status_code == 200
    assert elsewhere.get("/account/").status_code == 302
    refused = here.post(
        "/account/password/", {"old_password": "wrong", "new_password": "another new passphrase"}
    )
    assert "not correct" in refused.content.decode()


def test_new_browser_sign_in_sends_an_email_once(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    def sign_in_with(agent: str) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            sign_in(Client(HTTP_USER_AGENT=agent), cast.alice.email)

    sign_in_with("Firefox")
    assert [m.subject for m in mail.outbox].count("New sign-in to your coparent account") == 1
    sign_in_with("Firefox")
    assert [m.subject for m in mail.outbox].count("New sign-in to your coparent account") == 1
    sign_in_with("Safari")
    assert [m.subject for m in mail.outbox].count("New sign-in to your coparent account") == 2
    # The browser and address only in the app: whoever shares the mailbox must not learn them.
    assert "Safari" not in mail.outbox[-1].body
    latest = Notification.objects.filter(recipient=cast.alice, kind="sign_in").first()
    assert latest is not None and "Safari" in latest.detail_title


def test_password_reset_does_not_sign_in_or_bypass_two_factor(cast: Cast, client_for) -> None:
    enable_two_factor(client_for(cast.alice), cast.alice)
    old = Client()
    sign_in(old, cast.alice.email)
    client = Client()
    with committing():
        client.post("/accounts/password-reset/", {"email": cast.alice.email})
    path = link_in(sent_mail()[-1])
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "reset passphrase 2026", "new_password2": "reset passphrase 2026"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert (
        not Session.objects.exclude(session_key=client.session.session_key)
        .filter(session_key__in=UserSession.objects.filter(user=cast.alice).values("session_key"))
        .exists()
    )
    after = sign_in(Client(), cast.alice.email, "reset passphrase 2026")
    assert after.url.startswith("/accounts/login/code/"), "two-factor still applies after a reset"


def test_idle_sessions_expire(cast: Cast, client: Client, settings) -> None:
    sign_in(client, cast.alice.email)
    session = client.session
    session["last_activity"] = time.time() - settings.SESSION_IDLE_SECONDS - 10
    session.save()
    assert client.get("/account/").status_code == 302


def test_behind_a_proxy_throttling_uses_the_forwarded_address(cast: Cast, settings) -> None:
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = "10.0.0.1"
    for _ in range(5):
        Client().post(
            "/accounts/login/",
            {"email": cast.alice.email, "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
        )
    blocked = Client().post(
        "/accounts/login/",
        {"email": cast.alice.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert "Too many failed attempts" in blocked.content.decode()
    other = Client().post(
        "/accounts/login/",
        {"email": cast.alice.email, "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert other.status_code == 302, "another client behind the same proxy is not blocked"


def test_a_mail_server_that_is_down_does_not_fail_the_action(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1},
        }
    }
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_up(client)
    assert response.status_code == 302
    assert User.objects.filter(email="new@example.test").exists()


def csrf_post(client: Client, path: str, data: dict[str, str], address: str = "10.0.0.1"):
    """Post a form the way a browser does: with the CSRF token from the page itself."""
    page = client.get(path, REMOTE_ADDR=address).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client.post(path, {"csrfmiddlewaretoken": token, **data}, REMOTE_ADDR=address)


def sign_up_form(email: str, address: str = "10.0.0.1"):
    return csrf_post(
        Client(enforce_csrf_checks=True),
        "/accounts/signup/",
        {
            "display_name": "Someone",
            "email": email,
            "password": "a perfectly fine passphrase",
            "timezone": "UTC",
        },
        address,
    )


def test_sign_up_does_not_tell_whether_an_address_has_an_account(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        new = sign_up_form("fresh@example.test")
        taken = sign_up_form(cast.alice.email.upper())
    assert new.status_code == taken.status_code == 302
    assert new.url == taken.url
    new_page = Client().get(new.url).content.decode()
    assert "already" not in new_page
    assert User.objects.filter(email=cast.alice.email).count() == 1
    assert User.objects.get(email=cast.alice.email).display_name == cast.alice.display_name
    # Each address's owner learns what happened, from the email it gets.
    to_new, to_alice = mail.outbox
    assert to_new.to == ["fresh@example.test"] and "Confirm" in to_new.subject
    assert to_alice.to == [cast.alice.email]
    assert "tried to sign up" in to_alice.subject
    assert "/accounts/login/" in to_alice.body and "/accounts/password-reset/" in to_alice.body
    # A refusal (a weak password) comes before the address is looked at: same either way.
    weak = {"display_name": "S", "password": "short1", "timezone": "UTC"}
    refused_new = csrf_post(
        Client(enforce_csrf_checks=True), "/accounts/signup/", {**weak, "email": "x@example.test"}
    )
    refused_taken = csrf_post(
        Client(enforce_csrf_checks=True), "/accounts/signup/", {**weak, "email": cast.bob.email}
    )
    assert refused_new.status_code == refused_taken.status_code == 200
    assert "already" not in refused_taken.content.decode()


def test_an_address_gets_a_few_emails_an_hour_and_nobody_can_lock_it_out(
    cast: Cast, settings
) -> None:
    """Over the per-address limit the answer is the usual "sent" page and no email goes: a 429
    would let anyone who knows the victim's address block the victim's own password reset."""
    settings.ACCOUNT_EMAILS_PER_ADDRESS = 3
    with committing():
        answers = [
            csrf_post(
                Client(enforce_csrf_checks=True),
                "/accounts/password-reset/",
                {"email": cast.alice.email},
                address=f"198.51.100.{n}",  # from eight addresses: the limit is per address too
            )
            for n in range(8)
        ]
    assert [a.status_code for a in answers] == [302] * 8
    assert {a.url for a in answers} == {"/accounts/password-reset/sent/"}
    assert not any(a.has_header("Retry-After") for a in answers)
    assert len(sent_mail()) == 3
    # Sign-up and email change to the address answer as usual and send nothing more.
    bob = Client(enforce_csrf_checks=True)
    bob.force_login(cast.bob)
    with committing():
        assert sign_up_form(cast.alice.email, address="198.51.100.20").status_code == 302
        csrf_post(
            bob, "/account/confirm-password/", {"password": PASSWORD}, address="198.51.100.22"
        )
        moved = csrf_post(
            bob, "/account/email/", {"email": cast.alice.email}, address="198.51.100.22"
        )
    assert moved.status_code == 302
    assert len(sent_mail()) == 3


def test_one_client_cannot_spray_sign_up_reset_and_resend_emails(cast: Cast, settings) -> None:
    settings.ACCOUNT_EMAILS_PER_CLIENT = 4
    client = Client(enforce_csrf_checks=True)
    statuses = [
        csrf_post(client, "/accounts/password-reset/", {"email": f"p{n}@example.test"}).status_code
        for n in range(3)
    ]
    statuses.append(sign_up_form("q@example.test").status_code)
    statuses.append(sign_up_form("r@example.test").status_code)
    login_page = client.get("/accounts/signup/check-email/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
    resend = client.post(
        "/accounts/confirm-resend/",
        {"csrfmiddlewaretoken": token, "email": "q@example.test"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert statuses == [302, 302, 302, 302, 429]
    assert resend.status_code == 429 and int(resend["Retry-After"]) > 0
    assert not User.objects.filter(email="r@example.test").exists()
    # Another client is not affected.
    assert sign_up_form("s@example.test", address="10.9.9.9").status_code == 302


def test_refused_sign_ups_do_not_count_against_the_limit(cast: Cast, settings) -> None:
    settings.ACCOUNT_EMAILS_PER_ADDRESS = 2
    client = Client(enforce_csrf_checks=True)
    for weak in ("short1", "password123", "new@example.test", "short2"):
        refused = csrf_post(
            client,
            "/accounts/signup/",
            {
                "display_name": "New",
                "email": "new@example.test",
                "password": weak,
                "timezone": "UTC",
            },
        )
        assert refused.status_code == 200 and 'id="id_password_error"' in refused.content.decode()
    assert sign_up_form("new@example.test").status_code == 302


def test_a_limit_lasts_its_whole_window_on_every_cache(settings, time_machine) -> None:
    """An hour's limit holds after a pause longer than the database cache's default expiry
    (five minutes), and a new window starts afresh."""
    from coparent.core import ratelimit

    time_machine.move_to(dt.datetime(2030, 1, 7, 12, 0, tzinfo=dt.UTC), tick=False)
    assert ratelimit.hit("t", "k", limit=2, window_seconds=3600) == 0
    time_machine.shift(dt.timedelta(minutes=7))
    assert ratelimit.hit("t", "k", limit=2, window_seconds=3600) == 0
    time_machine.shift(dt.timedelta(minutes=7))
    assert ratelimit.hit("t", "k", limit=2, window_seconds=3600) == 46 * 60
    time_machine.shift(dt.timedelta(minutes=46))
    assert ratelimit.hit("t", "k", limit=2, window_seconds=3600) == 0, "a new window"


def test_blocks_outlive_a_flood_of_other_failures(cast: Cast) -> None:
    """The database cache deletes the lowest third of its keys whenever it holds more than
    MAX_ENTRIES; at Django's default (300) an attacker's failures from other addresses would
    evict the slots that block them. (Redis keeps them.)"""
    from coparent.accounts import throttle

    blocked = [f"203.0.113.{n}" for n in range(10)]
    for address in blocked:
        for _ in range(5):
            assert throttle.attempt(cast.alice.email, address).wait == 0
    for n in range(400):
        throttle.attempt(f"someone{n}@example.test", f"198.51.{n // 200}.{n % 200}")
    assert all(throttle.attempt(cast.alice.email, address).wait for address in blocked)


@pytest.mark.django_db(transaction=True)
def test_parallel_hits_get_no_more_than_the_limit() -> None:
    """Twenty requests at once against a limit of five: five pass, on both cache backends."""
    from coparent.core import ratelimit

    hits = 20
    barrier = threading.Barrier(hits)
    waits: list[int] = []
    errors: list[str] = []

    def one() -> None:
        try:
            barrier.wait(timeout=30)
            waits.append(ratelimit.hit("pass-check", "203.0.113.9", limit=5, window_seconds=600))
        except BaseException:
            errors.append(traceback.format_exc())
        finally:
            connection.close()

    threads = [threading.Thread(target=one) for _ in range(hits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[0]
    assert sorted(waits).count(0) == 5 and len(waits) == hits
