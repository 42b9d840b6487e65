"""Writes for accounts: sign-up, email confirmation and change, sessions, two-factor, API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from coparent.accounts.models import (
    ApiToken,
    SignInEvent,
    User,
    UserSession,
    validate_language,
    validate_timezone,
)
from coparent.core.emails import send_templated_email
from coparent.core.errors import ServiceError
from coparent.core.http import absolute_url
from coparent.core.logging import security_log
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, Phrase, notify

EMAIL_CONFIRM_SALT = "coparent.email-confirm"
EMAIL_CHANGE_SALT = "coparent.email-change"
CONTACT_EMAIL_SALT = "coparent.contact-email"
RECOVERY_CODE_COUNT = 10


def _validate_password(password: str, user: User) -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field="password") from None


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ServiceError(_("Enter a valid email address."), field="email")
    return email


@transaction.atomic
def user_signup(
    *,
    email: str,
    display_name: str,
    password: str,
    timezone_name: str = "UTC",
    language: str = "",
    invitation: str = "",
) -> User | None:
    """A new, unconfirmed account, or None when the address already has one. `invitation` is
    the public id of the invitation the person signed up from; its confirmation link carries it.

    The caller answers both the same way ("check your email"): saying that an address has an
    account would tell an abusive ex a victim's new address. The address's owner learns what
    happened from the email it gets either way."""
    email = _normalise_email(email)
    display_name = display_name.strip()
    if not display_name:
        raise ServiceError(
            _("Tell us the name other family members will see."), field="display_name"
        )
    try:
        validate_timezone(timezone_name)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="timezone") from None
    user = User(
        email=email,
        display_name=display_name,
        timezone=timezone_name,
        language=_language_or_current(language),
    )
    # Checked before the address is looked up, so a refusal says nothing about the address.
    _validate_password(password, user)
    user.set_password(password)
    existing = User.objects.filter(email=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.get(email=email)
    if existing is not None:
        transaction.on_commit(lambda: _signup_attempt_notify(existing))
        security_log.info("sign-up for an existing account user=%s", existing.public_id)
        return None
    transaction.on_commit(lambda: email_confirmation_send(user, invitation=invitation))
    return user


def _signup_attempt_notify(user: User) -> None:
    send_templated_email(
        user.email,
        "signup_existing",
        {
            "user": user,
            "login_url": absolute_url(reverse("accounts:login")),
            "reset_url": absolute_url(reverse("accounts:password_reset")),
        },
        language=user.language,
    )


def email_confirmation_send(user: User, *, invitation: str = "") -> None:
    """The link is signed, so the invitation id in it is one this server put there for the
    person who signed up holding that invitation's link; only the id travels, never its token."""
    payload = {"u": str(user.public_id), "e": user.email}
    if invitation:
        payload["i"] = invitation
    token = signing.dumps(payload, salt=EMAIL_CONFIRM_SALT)
    link = absolute_url(reverse("accounts:confirm_email", args=[token]))
    send_templated_email(
        user.email, "confirm_email", {"user": user, "link": link}, language=user.language
    )


@transaction.atomic
def email_confirm(token: str) -> tuple[User, str]:
    """The confirmed account, and the invitation it was made from ("" if none)."""
    try:
        data = signing.loads(
            token, salt=EMAIL_CONFIRM_SALT, max_age=settings.EMAIL_CONFIRMATION_SECONDS
        )
    except signing.SignatureExpired:
        raise ServiceError(
            _("This confirmation link has expired. Sign in to get a new one.")
        ) from None
    except signing.BadSignature:
        raise ServiceError(_("This confirmation link is not valid.")) from None
    user = (
        User.objects.select_for_update(no_key=True)
        .filter(public_id=data["u"], email=data["e"])
        .first()
    )
    if user is None:
        raise ServiceError(_("This confirmation link is not valid."))
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    invitation = data.get("i", "")
    return user, invitation if isinstance(invitation, str) else ""


def email_change_request(*, user: User, new_email: str, send: bool = True) -> None:
    """Emails `new_email` a link that moves the account there (unless `send` is False: the
    address has had its share of email for now, and the caller answers as if it was sent).

    The caller answers "we sent a link" whether or not another account uses the address:
    refusing would let an abuser with an account probe for a victim's addresses. The owner of a
    taken address is told instead, and nothing changes (email_change_confirm still refuses)."""
    new_email = _normalise_email(new_email)
    if new_email == user.email:
        raise ServiceError(_("That is already your email address."), field="email")
    if not send:
        return
    owner = User.objects.filter(email=new_email).first()
    if owner is not None:
        security_log.info("email change to a taken address user=%s", user.public_id)
        send_templated_email(
            owner.email,
            "email_change_existing",
            {"user": owner, "login_url": absolute_url(reverse("accounts:login"))},
            language=owner.language,
        )
        return
    token = signing.dumps({"u": str(user.public_id), "e": new_email}, salt=EMAIL_CHANGE_SALT)
    link = absolute_url(reverse("accounts:confirm_email_change", args=[token]))
    send_templated_email(
        new_email, "confirm_email_change", {"user": user, "link": link}, language=user.language
    )


@transaction.atomic
def email_change_confirm(*, user: User, token: str) -> User:
    try:
        data = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CONFIRMATION_SECONDS
        )
    except signing.BadSignature:
        raise ServiceError(_("This link is not valid or has expired.")) from None
    if data["u"] != str(user.public_id):
        raise ServiceError(_("This link was sent for another account."))
    if User.objects.filter(email=data["e"]).exclude(pk=user.pk).exists():
        raise ServiceError(_("Another account uses this email address."))
    old_email = user.email
    user.email = data["e"]
    user.email_verified = True
    user.save(update_fields=["email", "email_verified"])
    transaction.on_commit(
        lambda: send_templated_email(
            old_email,
            "email_changed",
            {"user": user, "new_email": user.email},
            language=user.language,
        )
    )
    security_log.info("email changed user=%s", user.public_id)
    return user


def contact_email_set(*, user: User, contact_email: str, send: bool = True) -> None:
    """Set (or clear, with "") the address notifications go to. A new address is used only
    once its owner opens the link we send there, so nobody can send another person's news to
    an address they control by typing it in."""
    contact_email = _normalise_email(contact_email) if contact_email.strip() else ""
    if contact_email == user.email:
        contact_email = ""
    if contact_email == user.contact_email and (user.contact_email_confirmed or not contact_email):
        return
    user.contact_email = contact_email
    user.contact_email_confirmed = False
    user.save(update_fields=["contact_email", "contact_email_confirmed"])
    if contact_email and send:
        token = signing.dumps(
            {"u": str(user.public_id), "e": contact_email}, salt=CONTACT_EMAIL_SALT
        )
        link = absolute_url(reverse("accounts:confirm_contact_email", args=[token]))
        send_templated_email(
            contact_email,
            "confirm_contact_email",
            {"user": user, "link": link},
            language=user.language,
        )
    security_log.info("contact email set user=%s", user.public_id)


@transaction.atomic
def contact_email_confirm(*, user: User, token: str) -> User:
    try:
        data = signing.loads(
            token, salt=CONTACT_EMAIL_SALT, max_age=settings.EMAIL_CONFIRMATION_SECONDS
        )
    except signing.BadSignature:
        raise ServiceError(_("This link is not valid or has expired.")) from None
    if data["u"] != str(user.public_id):
        raise ServiceError(_("This link was sent for another account."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.contact_email != data["e"]:
        raise ServiceError(_("This link is for an address you have since changed."))
    locked.contact_email_confirmed = True
    locked.save(update_fields=["contact_email_confirmed"])
    return locked


def _language_or_current(language: str) -> str:
    """The language asked for, else the one the person is reading now (their browser's, or the
    one they picked on the sign-up page), so their first emails are in it too."""
    return translation.get_supported_language_variant(
        language or translation.get_language() or settings.LANGUAGE_CODE
    )


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    timezone_name: str,
    notify_new_sign_in: bool,
    language: str | None = None,
) -> User:
    display_name = display_name.strip()
    if not display_name:
        raise ServiceError(_("Your name cannot be empty."), field="display_name")
    try:
        validate_timezone(timezone_name)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="timezone") from None
    if language is not None:
        try:
            validate_language(language)
        except ValidationError as error:
            raise ServiceError(error.messages[0], field="language") from None
        user.language = language
    user.display_name = display_name[:80]
    user.timezone = timezone_name
    user.notify_new_sign_in = notify_new_sign_in
    user.save(update_fields=["display_name", "timezone", "notify_new_sign_in", "language"])
    return user


# Sessions ------------------------------------------------------------------------------------


def sign_in_event_record(
    *, user: User, outcome: str, ip_address: str | None, user_agent: str
) -> SignInEvent:
    """One line of the account's sign-in history (successes and failed attempts alike)."""
    return SignInEvent.objects.create(
        user=user, outcome=outcome, ip_address=ip_address, user_agent=user_agent[:300]
    )


def sign_in_failed(*, email: str, outcome: str, ip_address: str | None, user_agent: str) -> None:
    """A wrong password or code for an address: written to that account's history if there
    is one. The caller's answer is the same either way, so nobody learns whether it exists."""
    user = User.objects.filter(email=_normalise_email(email)).first()
    if user is not None:
        sign_in_event_record(
            user=user, outcome=outcome, ip_address=ip_address, user_agent=user_agent
        )


def sign_in_history_prune() -> int:
    cutoff = timezone.now() - dt.timedelta(days=settings.SIGN_IN_HISTORY_DAYS)
    return SignInEvent.objects.filter(at__lt=cutoff).delete()[0]


def session_record(
    *, user: User, session_key: str, ip_address: str | None, user_agent: str
) -> UserSession:
    """Called at sign-in: remembers the browser and emails the owner if it is a new one."""
    sign_in_event_record(
        user=user, outcome=SignInEvent.SIGNED_IN, ip_address=ip_address, user_agent=user_agent
    )
    known = UserSession.objects.filter(
        user=user, user_agent=user_agent[:300], ip_address=ip_address
    ).exists()
    record = UserSession.objects.create(
        user=user,
        public_id=uuid.uuid4(),
        session_key=session_key,
        ip_address=ip_address,
        user_agent=user_agent[:300],
    )
    if not known and user.notify_new_sign_in:
        notify(
            None,
            [user],
            Kind.SIGN_IN,
            link=reverse("accounts:sessions"),
            detail=Detail(
                Phrase(
                    gettext_lazy("New sign-in from %(browser)s at %(address)s"),
                    {
                        "browser": record.user_agent or gettext_lazy("an unknown browser"),
                        "address": record.ip_address or gettext_lazy("an unknown address"),
                    },
                ),
                gettext_lazy(
                    "If this was you, there is nothing to do. If not, sign that browser out "
                    "and change your password."
                ),
            ),
        )
    security_log.info("login user=%s ip=%s", user.public_id, ip_address)
    return record


def _end_sessions(records: Any) -> int:
    keys = list(records.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    return len(keys)


def parse_uuid(value: str, message: str = "") -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ServiceError(message or _("That link or id is not valid.")) from None


@transaction.atomic
def session_end(*, user: User, session_public_id: str) -> None:
    public_id = parse_uuid(session_public_id, _("That session has already ended."))
    records = UserSession.objects.filter(user=user, public_id=public_id)
    if not _end_sessions(records):
        raise ServiceError(_("That session has already ended."))


@transaction.atomic
def sessions_end_others(*, user: User, keep_session_key: str | None) -> int:
    return _end_sessions(
        UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
    )


def session_forget(session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def password_change(
    *, user: User, old_password: str, new_password: str, keep_session_key: str | None
) -> None:
    if not user.check_password(old_password):
        raise ServiceError(_("Your current password is not correct."), field="old_password")
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    sessions_end_others(user=user, keep_session_key=keep_session_key)
    api_tokens_revoke_all(user=user)
    security_log.info("password changed user=%s", user.public_id)


# Two-factor ----------------------------------------------------------------------------------


def has_two_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


@transaction.atomic
def totp_setup_start(*, user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def totp_setup_confirm(*, user: User, code: str) -> list[str]:
    """Turns the pending device on if the code is right; returns fresh recovery codes."""
    device = (
        TOTPDevice.objects.select_for_update(no_key=True).filter(user=user, confirmed=False).first()
    )
    if device is None:
        raise ServiceError(
            _("Start the set-up again: no authenticator is waiting to be confirmed.")
        )
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ServiceError(
            _("That code is not right. Check the time on your phone and try again."), field="code"
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    security_log.info("two-factor enabled user=%s", user.public_id)
    return recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Recovery codes"), confirmed=True)
    # 48 random bits each: enough for single-use codes behind sign-in throttling, and short
    # enough to type. Stored bare (django-otp allows 16 characters), shown in groups of four.
    codes = [secrets.token_hex(6) for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return ["-".join(code[i : i + 4] for i in range(0, 12, 4)) for code in codes]


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    security_log.info("two-factor disabled user=%s", user.public_id)


def two_factor_verify(*, user: User, code: str) -> Any:
    """The device that accepts the code (an authenticator code or a one-time recovery code)."""
    code = code.strip().replace(" ", "").replace("-", "").lower()
    if not code:
        return None
    for device in TOTPDevice.objects.filter(user=user, confirmed=True):
        if device.verify_token(code):
            return device
    for static in StaticDevice.objects.filter(user=user, confirmed=True):
        if static.verify_token(code):
            return static
    return None


# API tokens ----------------------------------------------------------------------------------

TOKEN_PREFIX = "cpt_"


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """Returns the token and its full secret, which is shown once and never stored."""
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the token a name so you recognise it later."), field="name")
    if scope not in {ApiToken.READ, ApiToken.READ_WRITE}:
        raise ServiceError(_("Choose read-only or read-and-write access."), field="scope")
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name[:80], scope=scope, prefix=prefix, secret_hash=_token_hash(secret)
    )
    transaction.on_commit(
        lambda: send_templated_email(
            user.email,
            "api_token_created",
            {"user": user, "token": token, "tokens_url": absolute_url(reverse("accounts:tokens"))},
            language=user.language,
        )
    )
    security_log.info("api token created user=%s", user.public_id)
    return token, secret


def api_tokens_revoke_all(*, user: User) -> int:
    """A password change or reset must also end every script's access: a token minted by
    someone who briefly had the account would otherwise outlive it."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def api_token_authenticate(secret: str) -> ApiToken | None:
    if not secret.startswith(TOKEN_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(TOKEN_PREFIX) :].split("_", 1)[0]
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if token is None or not secrets.compare_digest(token.secret_hash, _token_hash(secret)):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_revoke(*, user: User, token_public_id: str) -> None:
    public_id = parse_uuid(token_public_id, _("That token does not exist or was already revoked."))
    updated = ApiToken.objects.filter(
        user=user, public_id=public_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
    if not updated:
        raise ServiceError(_("That token does not exist or was already revoked."))
