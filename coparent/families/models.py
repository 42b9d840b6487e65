"""A family is the tenant: everything else belongs to one. Memberships carry each person's role."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.core.models import FamilyOwned, PublicIdMixin


class Role(models.TextChoices):
    PARENT = "parent", _("Parent")
    CAREGIVER = "caregiver", _("Family member or caregiver")
    CHILD = "child", _("Child")
    PROFESSIONAL = "professional", _("Professional (read-only)")


class ProfessionalKind(models.TextChoices):
    ATTORNEY = "attorney", _("Attorney")
    MEDIATOR = "mediator", _("Mediator")
    GUARDIAN_AD_LITEM = "guardian-ad-litem", _("Guardian ad litem")
    PARENTING_COORDINATOR = "parenting-coordinator", _("Parenting coordinator")
    COUNSELLOR = "counsellor", _("Counsellor or therapist")
    OTHER = "other", _("Other professional")


MAX_PARENTS = 2
READ_ONLY_ROLES = frozenset({Role.PROFESSIONAL})


class AccessApproval(models.TextChoices):
    """Who must say yes before a professional who asked for access gets it."""

    ONE_PARENT = "one", _("One parent's approval is enough")
    BOTH_PARENTS = "both", _("Both parents must approve")


class Family(PublicIdMixin):
    name = models.CharField(_("family name"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    access_approval = models.CharField(
        _("approving a professional's request for access"),
        max_length=8,
        choices=AccessApproval.choices,
        default=AccessApproval.ONE_PARENT,
    )
    # A parent's "keep everything" (a court case): a family left by its last member is then
    # kept instead of deleted FAMILY_DELETE_DAYS later.
    deletion_hold = models.BooleanField(
        _("keep this family's data if everyone leaves"), default=False
    )
    # When the last member (other than professionals) left; the family and its files are
    # deleted FAMILY_DELETE_DAYS after this unless on hold.
    emptied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, now: object = None) -> MembershipQuerySet:
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(access_until__isnull=True) | Q(access_until__gt=now)
        )


class Membership(FamilyOwned):
    """A person's place in a family. Ended memberships are kept (revoked_at) for the record."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    relationship = models.CharField(
        _("relationship"),
        max_length=60,
        blank=True,
        help_text=_("e.g. grandmother, nanny, stepfather"),
    )
    professional_kind = models.CharField(
        max_length=24, choices=ProfessionalKind.choices, blank=True
    )
    child = models.OneToOneField(
        "families.Child",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="membership",
    )
    access_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering: ClassVar[list[str]] = ["created_at"]
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(
                fields=["family", "user"],
                condition=Q(revoked_at__isnull=True),
                name="one_active_membership_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_parent(self) -> bool:
        return self.role == Role.PARENT

    @property
    def read_only(self) -> bool:
        return self.role in READ_ONLY_ROLES

    @property
    def role_label(self) -> str:
        if self.role == Role.PROFESSIONAL and self.professional_kind:
            return str(self.get_professional_kind_display())
        if self.relationship:
            return self.relationship
        return str(self.get_role_display())

    def is_active(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.access_until is None or self.access_until > now)  # type: ignore[operator]


class Child(FamilyOwned):
    first_name = models.CharField(_("first name"), max_length=60)
    last_name = models.CharField(_("last name"), max_length=60, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar[list[str]] = ["date_of_birth", "first_name"]

    def __str__(self) -> str:
        return self.first_name


class Invitation(FamilyOwned):
    """A one-time link that admits one person to a family with a role the inviter chose.

    Only a SHA-256 of the link's token is stored; the link is shown (and emailed) once.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField(_("email address"), blank=True)
    role = models.CharField(max_length=16, choices=Role.choices)
    relationship = models.CharField(max_length=60, blank=True)
    professional_kind = models.CharField(
        max_length=24, choices=ProfessionalKind.choices, blank=True
    )
    child = models.ForeignKey(
        Child, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    access_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="professionals: access lasts this long from acceptance"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    @property
    def role_label(self) -> str:
        if self.role == Role.PROFESSIONAL and self.professional_kind:
            return str(self.get_professional_kind_display())
        return self.relationship or str(self.get_role_display())


class AccessLogEntry(FamilyOwned):
    """Every page or API call a professional makes in a family, for the parents to read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    via_api = models.BooleanField(default=False)
    # What the log page says in words: the route's name ("schedule:month") and the parts of the
    # address that say what was looked at ("month=2026-12"), checked when written.
    view_name = models.CharField(max_length=100, blank=True)
    detail = models.CharField(max_length=100, blank=True)
    # The request's id (core.middleware.RequestIdMiddleware); on the record check a page's script
    # makes in the background, the id of that page's request, so the log shows it under the page.
    request_id = models.CharField(max_length=64, blank=True)
    page_request_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-at"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["family", "-at"]),
            models.Index(fields=["family", "request_id"], name="access_by_request"),
            models.Index(fields=["family", "page_request_id"], name="access_by_page"),
        ]


class AccessRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    GRANTED = "granted", _("Granted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", pgettext_lazy("status", "Withdrawn")


class AccessRequest(PublicIdMixin):
    """A professional asks a parent, by the parent's email address, for read-only access.

    It names no family at first: the professional may not know one, and the server must not say
    whether the address has an account. The parent who opens it picks the family; from then on
    it belongs to that family (`family` is set) and the family's approval rule applies."""

    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_requests"
    )
    email = models.EmailField()
    professional_kind = models.CharField(max_length=24, choices=ProfessionalKind.choices)
    access_days = models.PositiveSmallIntegerField()
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=16, choices=AccessRequestStatus.choices, default=AccessRequestStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at"]

    def __str__(self) -> str:
        return f"access request {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.status == AccessRequestStatus.PENDING and self.expires_at > timezone.now()


class AccessRequestApproval(FamilyOwned):
    """One parent's yes to a request; with the "both parents" rule, access waits for both."""

    request = models.ForeignKey(AccessRequest, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["request", "user"], name="one_approval_per_parent")
        ]
