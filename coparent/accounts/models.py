"""People and their credentials: users, their sign-in sessions and personal API tokens."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone as django_timezone
from django.utils.translation import gettext_lazy as _

from coparent.core.models import PublicIdMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def validate_language(value: str) -> None:
    if value not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language from the list."))


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("Choose a time zone from the list, e.g. America/Chicago."))


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True, email_verified=True)
        return self.create_user(email, password, **fields)


class User(PublicIdMixin, AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with an email address; belongs to families through memberships."""

    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("name"), max_length=80)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    # Pages, emails and pushes for this person are in this language (a code of
    # settings.LANGUAGES; no choices here, so adding a language needs no migration).
    language = models.CharField(
        _("language"), max_length=16, default="en", validators=[validate_language]
    )
    email_verified = models.BooleanField(default=False)
    # Where notifications go, when it is not the sign-in address (a parent may sign in with an
    # address someone else can read, and want news somewhere safer). Used once confirmed.
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_email_confirmed = models.BooleanField(default=False)
    notify_new_sign_in = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=django_timezone.now)
    # Set when the person deleted their account: the row stays (messages and record entries point
    # at it) with every personal field erased (accounts.services.account_delete).
    erased_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def notification_email(self) -> str:
        """The address notifications and summaries go to: the confirmed contact address, or the
        sign-in address. Account emails (confirmations, password reset) use the sign-in one."""
        return (
            self.contact_email
            if self.contact_email and self.contact_email_confirmed
            else self.email
        )

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class UserSession(models.Model):
    """One signed-in browser. Mirrors a Django session so the owner can list and end it."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    public_id = models.UUIDField(unique=True)
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    last_seen_at = models.DateTimeField(default=django_timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} on {self.user_agent[:40] or 'an unknown browser'}"


class SignInEvent(models.Model):
    """One attempt to sign in to an account: a success, or a wrong password or code. Only the
    account's owner sees them (Account → Sign-in history); kept a year."""

    SIGNED_IN = "signed-in"
    WRONG_PASSWORD = "wrong-password"
    WRONG_CODE = "wrong-code"
    OUTCOMES: ClassVar[list[tuple[str, StrOrPromise]]] = [
        (SIGNED_IN, _("Signed in")),
        (WRONG_PASSWORD, _("Wrong password")),
        (WRONG_CODE, _("Right password, wrong two-factor code")),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ins")
    at = models.DateTimeField(default=django_timezone.now)
    outcome = models.CharField(max_length=16, choices=OUTCOMES)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [models.Index(fields=["user", "-at"])]

    def __str__(self) -> str:
        return f"{self.outcome} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(PublicIdMixin):
    """A personal API token for scripts. Only a SHA-256 of the secret is stored: the secret has
    256 bits of entropy, so a slow hash would add nothing but latency to every API call."""

    READ = "read"
    READ_WRITE = "read-write"
    SCOPES: ClassVar[list[tuple[str, StrOrPromise]]] = [
        (READ, _("Read only")),
        (READ_WRITE, _("Read and write")),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(_("access"), max_length=16, choices=SCOPES, default=READ)
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=django_timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DataExport(PublicIdMixin):
    """A copy of everything coparent holds about one person (accounts.personal_data), made by the
    worker into one zip, downloadable only by them, deleted EXPORT_KEEP_DAYS after it is ready."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"
    STATUSES: ClassVar[list[tuple[str, StrOrPromise]]] = [
        (QUEUED, _("Waiting to start")),
        (RUNNING, _("Being made")),
        (READY, _("Ready to download")),
        (FAILED, _("Could not be made")),
    ]

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=16, choices=STATUSES, default=QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=80, blank=True)
    stored_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=django_timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"data export {self.public_id}"
