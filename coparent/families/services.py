"""Writes for families: creating one, children, invitations and memberships.

Each function takes the family and the acting user explicitly, checks the actor's rights, and
changes nothing unless every rule holds (one transaction per action).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coparent.accounts.models import User
from coparent.core.emails import send_templated_email
from coparent.core.errors import Conflict, ServiceError
from coparent.core.http import absolute_url
from coparent.families.models import (
    MAX_PARENTS,
    AccessApproval,
    AccessRequest,
    AccessRequestApproval,
    AccessRequestStatus,
    Child,
    Family,
    Invitation,
    Membership,
    ProfessionalKind,
    Role,
)
from coparent.notifications.models import Kind
from coparent.notifications.selectors import parents_of
from coparent.notifications.services import Detail, Phrase, lowercase, notify
from coparent.records.services import family_lock, record_append
from coparent.tlog.entry import FieldValue

PROFESSIONAL_DEFAULT_DAYS = 90
PROFESSIONAL_MAX_DAYS = 366
RESENDS_PER_HOUR = 3  # of one invitation: enough to fix a typo, too few to flood an inbox


def require_member(family: Family, actor: User, *, writable: bool = False) -> Membership:
    """The actor's active membership, checked again inside the service: views check it too,
    but a service must hold on its own (API, commands, tests)."""
    membership = Membership.objects.active().filter(family=family, user=actor).first()
    if membership is None:
        raise ServiceError(_("You are not a member of this family."), code="forbidden")
    if writable and membership.read_only:
        raise ServiceError(_("Your access to this family is read-only."), code="forbidden")
    return membership


def is_member(family: Family, user: User) -> bool:
    return Membership.objects.active().filter(family=family, user=user).exists()


def require_parent(family: Family, actor: User) -> Membership:
    membership = Membership.objects.active().filter(family=family, user=actor).first()
    if membership is None or membership.role != Role.PARENT:
        raise ServiceError(_("Only a parent in this family can do that."), code="forbidden")
    return membership


def _active_parent_count(family: Family) -> int:
    return Membership.objects.active().filter(family=family, role=Role.PARENT).count()


@transaction.atomic
def family_create(*, actor: User, name: str) -> Family:
    name = name.strip()
    if not name:
        raise ServiceError(_("Give the family a name, e.g. “Robin and Sky”."), field="name")
    if not actor.email_verified:
        raise ServiceError(_("Confirm your email address before creating a family."))
    family = Family.objects.create(name=name[:100])
    membership = Membership.objects.create(family=family, user=actor, role=Role.PARENT)
    record_append(family=family, actor=actor, kind="family.created", fields={})
    record_append(
        family=family,
        actor=actor,
        kind="member.joined",
        fields={"member": str(membership.public_id), "role": Role.PARENT},
    )
    return family


@transaction.atomic
def family_rename(*, family: Family, actor: User, name: str) -> Family:
    require_parent(family, actor)
    name = name.strip()
    if not name:
        raise ServiceError(_("The family name cannot be empty."), field="name")
    family_lock(family)
    family.name = name[:100]
    family.save(update_fields=["name"])
    return family


def _validate_child(first_name: str, date_of_birth: dt.date | None) -> str:
    first_name = first_name.strip()
    if not first_name:
        raise ServiceError(_("Enter the child's first name."), field="first_name")
    if date_of_birth is None:
        raise ServiceError(_("Enter the child's date of birth."), field="date_of_birth")
    if date_of_birth > timezone.localdate():
        raise ServiceError(_("The date of birth cannot be in the future."), field="date_of_birth")
    if date_of_birth.year < 1900:
        raise ServiceError(_("Check the year of birth."), field="date_of_birth")
    return first_name


@transaction.atomic
def child_add(
    *,
    family: Family,
    actor: User,
    first_name: str,
    last_name: str = "",
    date_of_birth: dt.date | None,
) -> Child:
    require_parent(family, actor)
    first_name = _validate_child(first_name, date_of_birth)
    assert date_of_birth is not None
    child = Child.objects.create(
        family=family,
        first_name=first_name[:60],
        last_name=last_name.strip()[:60],
        date_of_birth=date_of_birth,
    )
    record_append(
        family=family, actor=actor, kind="child.added", fields={"child": str(child.public_id)}
    )
    return child


@transaction.atomic
def child_update(
    *,
    family: Family,
    actor: User,
    child: Child,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None,
) -> Child:
    require_parent(family, actor)
    if child.family_id != family.pk:
        raise ServiceError(_("That child is not in this family."))
    family_lock(family)
    child.first_name = _validate_child(first_name, date_of_birth)[:60]
    child.last_name = last_name.strip()[:60]
    assert date_of_birth is not None
    child.date_of_birth = date_of_birth
    child.save(update_fields=["first_name", "last_name", "date_of_birth"])
    record_append(
        family=family, actor=actor, kind="child.updated", fields={"child": str(child.public_id)}
    )
    return child


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(token: str) -> str:
    return absolute_url(reverse("families:invitation", args=[token]))


@transaction.atomic
def invitation_create(
    *,
    family: Family,
    actor: User,
    role: str,
    email: str = "",
    relationship: str = "",
    professional_kind: str = "",
    access_days: int | None = None,
    child: Child | None = None,
) -> tuple[Invitation, str]:
    """Returns the invitation and its secret token (the link is shown once and emailed if an
    address was given). Only parents invite; the role is fixed here, never by the invitee."""
    require_parent(family, actor)
    if role not in Role.values:
        raise ServiceError(_("Choose a role for the person you invite."), field="role")
    email = email.strip().lower()
    if email and ("@" not in email or len(email) > 254):
        raise ServiceError(
            _("Enter a valid email address, or leave it empty to share a link."), field="email"
        )
    if role == Role.PARENT and _active_parent_count(family) >= MAX_PARENTS:
        raise ServiceError(_("This family already has two parents."), field="role")
    days = None  # professionals: access lasts this long from acceptance, not from now
    if role == Role.PROFESSIONAL:
        if professional_kind not in ProfessionalKind.values:
            raise ServiceError(
                _("Say what kind of professional you are inviting."), field="professional_kind"
            )
        days = access_days if access_days is not None else PROFESSIONAL_DEFAULT_DAYS
        if not 1 <= days <= PROFESSIONAL_MAX_DAYS:
            raise ServiceError(
                _("Professional access lasts from 1 to %(max)d days.")
                % {"max": PROFESSIONAL_MAX_DAYS},
                field="access_days",
            )
    else:
        professional_kind = ""
    if role == Role.CHILD:
        if child is None or child.family_id != family.pk:
            raise ServiceError(_("Choose which child this account is for."), field="child")
        if Membership.objects.active().filter(child=child).exists():
            raise ServiceError(_("This child already has an account."), field="child")
    else:
        child = None
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        family=family,
        token_hash=_token_hash(token),
        email=email,
        role=role,
        relationship=relationship.strip()[:60],
        professional_kind=professional_kind,
        child=child,
        access_days=days,
        invited_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS),
    )
    record_append(
        family=family,
        actor=actor,
        kind="invitation.created",
        fields={"invitation": str(invitation.public_id), "role": role},
    )
    if email:
        link = invitation_link(token)
        transaction.on_commit(
            lambda: send_templated_email(
                email,
                "invitation",
                {
                    "invitation": invitation,
                    "family": family,
                    "inviter": actor,
                    "link": link,
                    "days": settings.INVITATION_DAYS,
                },
            )
        )
    return invitation, token


def invitation_by_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("family", "invited_by")
        .filter(token_hash=_token_hash(token))
        .first()
    )


@transaction.atomic
def invitation_revoke(*, family: Family, actor: User, invitation: Invitation) -> None:
    require_parent(family, actor)
    family_lock(family)
    locked = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk, family=family)
    if locked.status != "pending":
        raise Conflict(_("This invitation is no longer pending."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_append(
        family=family,
        actor=actor,
        kind="invitation.withdrawn",
        fields={"invitation": str(locked.public_id)},
    )


def invitation_held(public_id: str) -> Invitation | None:
    """An invitation the server saw its holder open (kept in their session or in the signed
    confirmation link of the account they made from it): its id stands for its token there."""
    return (
        Invitation.objects.select_related("family", "invited_by")
        .filter(public_id=public_id)
        .first()
    )


def invitation_pending_for(
    user: User, held: Invitation | None = None, dismissed: list[str] | None = None
) -> Invitation | None:
    """The invitation to show a person instead of "create a family": the one they opened in this
    browser, else one sent to their confirmed address, unless they said it is not for them."""
    member_of = Membership.objects.active().filter(user=user).values("family")
    if held is not None and held.status == "pending" and not is_member(held.family, user):
        return held
    if not user.email_verified:
        return None
    return (
        Invitation.objects.select_related("family", "invited_by")
        .filter(
            email=user.email,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .exclude(family__in=member_of)
        .exclude(public_id__in=dismissed or [])
        .first()
    )


@transaction.atomic
def invitation_resend(
    *, family: Family, actor: User, invitation: Invitation
) -> tuple[Invitation, str]:
    """A new link and a new expiry for a pending invitation; the old link stops working, so a
    link forwarded to the wrong person can be replaced without a second invitation."""
    require_parent(family, actor)
    family_lock(family)
    locked = Invitation.objects.select_for_update(no_key=True).get(pk=invitation.pk, family=family)
    if locked.status not in ("pending", "expired"):
        raise Conflict(_("This invitation is no longer pending."))
    token = secrets.token_urlsafe(32)
    locked.token_hash = _token_hash(token)
    locked.expires_at = timezone.now() + dt.timedelta(days=settings.INVITATION_DAYS)
    locked.save(update_fields=["token_hash", "expires_at"])
    record_append(
        family=family,
        actor=actor,
        kind="invitation.renewed",
        fields={"invitation": str(locked.public_id)},
    )
    if locked.email:
        link = invitation_link(token)
        transaction.on_commit(
            lambda: send_templated_email(
                locked.email,
                "invitation",
                {
                    "invitation": locked,
                    "family": family,
                    "inviter": actor,
                    "link": link,
                    "days": settings.INVITATION_DAYS,
                },
            )
        )
    return locked, token


@transaction.atomic
def invitation_accept(
    *, user: User, token: str = "", invitation: Invitation | None = None
) -> Membership:
    """Joins the family the invitation is for, by its link's token, or by the invitation itself
    when the server already saw this person hold the link (`invitation_held`)."""
    found = invitation_by_token(token) if token else invitation
    if found is None:
        raise ServiceError(_("This invitation link is not valid."), code="not_found")
    # Lock the family first, then the invitation: two people accepting two parent invitations
    # at once must not make a third parent, and one invitation is accepted at most once.
    family_lock(found.family)
    invitation = Invitation.objects.select_for_update(no_key=True).get(pk=found.pk)
    status = invitation.status
    if status == "accepted":
        raise Conflict(_("This invitation has already been used."))
    if status == "revoked":
        raise Conflict(_("This invitation was withdrawn. Ask for a new one."))
    if status == "expired":
        raise Conflict(_("This invitation has expired. Ask for a new one."))
    if not user.email_verified:
        raise ServiceError(_("Confirm your email address before joining a family."))
    if invitation.email and invitation.email != user.email:
        raise ServiceError(
            _(
                "This invitation was sent to another email address. "
                "Sign in with that address to accept it."
            )
        )
    family = invitation.family
    if Membership.objects.active().filter(family=family, user=user).exists():
        raise Conflict(_("You are already a member of this family."))
    if (
        invitation.child_id
        and Membership.objects.active().filter(child_id=invitation.child_id).exists()
    ):
        raise Conflict(_("This child already has an account."))
    if invitation.role == Role.PARENT and _active_parent_count(family) >= MAX_PARENTS:
        raise Conflict(_("This family already has two parents."))
    membership = Membership.objects.create(
        family=family,
        user=user,
        role=invitation.role,
        relationship=invitation.relationship,
        professional_kind=invitation.professional_kind,
        child=invitation.child,
        access_until=(
            timezone.now() + dt.timedelta(days=invitation.access_days or PROFESSIONAL_DEFAULT_DAYS)
            if invitation.role == Role.PROFESSIONAL
            else None
        ),
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record_append(
        family=family,
        actor=user,
        kind="member.joined",
        fields={"member": str(membership.public_id), "role": membership.role},
    )
    professional = membership.role == Role.PROFESSIONAL
    notify(
        family,
        parents_of(family),
        Kind.PROFESSIONAL_ACCESS if professional else Kind.MEMBER_JOINED,
        link=reverse("families:members", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(name)s accepted the invitation: read-only access for %(days)d days")
                if professional
                else gettext_lazy("%(name)s accepted the invitation and joined as %(role)s"),
                {
                    "name": user.display_name,
                    "role": lowercase(Role(membership.role).label),
                    "days": invitation.access_days or PROFESSIONAL_DEFAULT_DAYS,
                },
            )
        ),
        actor=user,
    )
    return membership


@transaction.atomic
def membership_revoke(*, family: Family, actor: User, membership: Membership) -> None:
    """Either parent may end a caregiver's, a child's or a professional's access. A parent cannot
    remove the other parent: parental status is a legal matter, not a setting."""
    require_parent(family, actor)
    family_lock(family)
    locked = Membership.objects.select_for_update(no_key=True).get(pk=membership.pk, family=family)
    if locked.revoked_at is not None:
        raise Conflict(_("This person's access has already ended."))
    if locked.role == Role.PARENT:
        raise ServiceError(_("A parent cannot be removed from the family."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_append(
        family=family,
        actor=actor,
        kind="member.access_ended",
        fields={"member": str(locked.public_id)},
    )
    if locked.role == Role.PROFESSIONAL:
        notify(
            family,
            parents_of(family),
            Kind.PROFESSIONAL_ACCESS,
            link=reverse("families:members", args=[family.public_id]),
            detail=Detail(
                Phrase(
                    gettext_lazy("%(actor)s ended %(name)s's read-only access"),
                    {"actor": actor.display_name, "name": locked.user.display_name},
                )
            ),
            actor=actor,
        )


# Professionals asking for access -----------------------------------------------------------

ACCESS_REQUESTS_PER_DAY = 10  # by one professional: enough for a caseload, too few to spam


def access_request_create(
    *, actor: User, email: str, professional_kind: str, access_days: int | None, note: str = ""
) -> AccessRequest:
    """A professional asks the parent at `email` for read-only access. The answer to the
    professional is the same whether or not the address has an account (it would otherwise
    tell anyone where a parent can be found); only a parent of some family gets the email."""
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 254:
        raise ServiceError(_("Enter the parent's email address."), field="email")
    if email == actor.email:
        raise ServiceError(_("Enter the parent's email address, not yours."), field="email")
    if professional_kind not in ProfessionalKind.values:
        raise ServiceError(_("Say what kind of professional you are."), field="professional_kind")
    days = access_days if access_days is not None else PROFESSIONAL_DEFAULT_DAYS
    if not 1 <= days <= PROFESSIONAL_MAX_DAYS:
        raise ServiceError(
            _("Professional access lasts from 1 to %(max)d days.") % {"max": PROFESSIONAL_MAX_DAYS},
            field="access_days",
        )
    if not actor.email_verified:
        raise ServiceError(_("Confirm your email address before asking a family for access."))
    since = timezone.now() - dt.timedelta(days=1)
    with transaction.atomic():
        if (
            AccessRequest.objects.filter(requester=actor, created_at__gte=since).count()
            >= ACCESS_REQUESTS_PER_DAY
        ):
            raise ServiceError(
                _("You have sent many requests today. Try again tomorrow."), code="rate_limited"
            )
        request = AccessRequest.objects.create(
            requester=actor,
            email=email,
            professional_kind=professional_kind,
            access_days=days,
            note=note.strip()[:500],
            expires_at=timezone.now() + dt.timedelta(days=settings.ACCESS_REQUEST_DAYS),
        )
        parent = (
            User.objects.filter(
                email=email,
                is_active=True,
                memberships__role=Role.PARENT,
                memberships__revoked_at__isnull=True,
            )
            .distinct()
            .first()
        )
        if parent is not None:
            send_templated_email(
                email,
                "access_request",
                {
                    "request": request,
                    "requester": actor,
                    "link": absolute_url(
                        reverse("families:access_request", args=[request.public_id])
                    ),
                    "days": settings.ACCESS_REQUEST_DAYS,
                },
                language=parent.language,
            )
    return request


def access_request_for_parent(user: User, public_id: object) -> AccessRequest | None:
    """The request as its addressee sees it (sent to their address), or as a parent of the
    family it was filed under; None for anyone else, who gets the same 404 as for no request."""
    from coparent.core.tenancy import public_id_or_404

    found = (
        AccessRequest.objects.select_related("requester", "family")
        .filter(public_id=public_id_or_404(public_id))
        .first()
    )
    if found is None:
        return None
    if found.family_id is not None:
        is_parent = (
            Membership.objects.active()
            .filter(family_id=found.family_id, user=user, role=Role.PARENT)
            .exists()
        )
        return found if is_parent else None
    return found if user.email_verified and found.email == user.email else None


def _lock_request(family: Family, request: AccessRequest) -> AccessRequest:
    family_lock(family)
    locked = AccessRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if locked.family_id not in (None, family.pk):
        raise ServiceError(_("This request was answered for another family."))
    if locked.status != AccessRequestStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    if locked.expires_at <= timezone.now():
        raise Conflict(_("This request has expired. The professional can send a new one."))
    return locked


@transaction.atomic
def access_request_approve(*, family: Family, actor: User, request: AccessRequest) -> AccessRequest:
    """A parent says yes for one of their families. With the "one parent" rule, or once every
    parent has said yes under the "both parents" rule, the professional gets read-only access
    for the days they asked; the other parent is told either way."""
    require_parent(family, actor)
    locked = _lock_request(family, request)
    if Membership.objects.active().filter(family=family, user=locked.requester).exists():
        raise Conflict(_("This person already has access to this family."))
    first = locked.family_id is None
    locked.family = family
    if AccessRequestApproval.objects.filter(request=locked, user=actor).exists():
        raise Conflict(_("You have already approved this request."))
    AccessRequestApproval.objects.create(family=family, request=locked, user=actor)
    approvers = set(
        AccessRequestApproval.objects.filter(request=locked).values_list("user_id", flat=True)
    )
    parents = parents_of(family)
    needed = (
        {p.pk for p in parents}
        if family.access_approval == AccessApproval.BOTH_PARENTS
        else {actor.pk}
    )
    fields: dict[str, FieldValue] = {
        "request": str(locked.public_id),
        "professional_kind": locked.professional_kind,
        "days": locked.access_days,
    }
    if first:
        record_append(family=family, actor=actor, kind="access_request.filed", fields=fields)
    record_append(family=family, actor=actor, kind="access_request.approved", fields=fields)
    link = reverse("families:access_request_review", args=[family.public_id, locked.public_id])
    requester = locked.requester
    if not needed <= approvers:
        locked.save(update_fields=["family"])
        notify(
            family,
            parents,
            Kind.ACCESS_REQUEST,
            link=link,
            detail=Detail(
                Phrase(
                    gettext_lazy(
                        "%(actor)s approved %(name)s's request for read-only access; "
                        "it needs your answer too"
                    ),
                    {"actor": actor.display_name, "name": requester.display_name},
                )
            ),
            actor=actor,
        )
        return locked
    membership = Membership.objects.create(
        family=family,
        user=requester,
        role=Role.PROFESSIONAL,
        professional_kind=locked.professional_kind,
        access_until=timezone.now() + dt.timedelta(days=locked.access_days),
    )
    locked.status = AccessRequestStatus.GRANTED
    locked.answered_at = timezone.now()
    locked.membership = membership
    locked.save(update_fields=["family", "status", "answered_at", "membership"])
    record_append(
        family=family,
        actor=actor,
        kind="access_request.granted",
        fields={**fields, "member": str(membership.public_id), "role": Role.PROFESSIONAL},
    )
    notify(
        family,
        parents,
        Kind.PROFESSIONAL_ACCESS,
        link=reverse("families:members", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(actor)s gave %(name)s read-only access for %(days)d days"),
                {
                    "actor": actor.display_name,
                    "name": requester.display_name,
                    "days": locked.access_days,
                },
            )
        ),
        actor=actor,
    )
    notify(
        family,
        [requester],
        Kind.PROFESSIONAL_ACCESS,
        link=reverse("families:detail", args=[family.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("Your request for access to %(family)s was granted for %(days)d days"),
                {"family": family.name, "days": locked.access_days},
            )
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def access_request_decline(*, family: Family, actor: User, request: AccessRequest) -> AccessRequest:
    """One parent's no is enough: access to a family is never given over a parent's refusal."""
    require_parent(family, actor)
    locked = _lock_request(family, request)
    first = locked.family_id is None
    locked.family = family
    locked.status = AccessRequestStatus.DECLINED
    locked.answered_at = timezone.now()
    locked.save(update_fields=["family", "status", "answered_at"])
    fields: dict[str, FieldValue] = {
        "request": str(locked.public_id),
        "professional_kind": locked.professional_kind,
        "days": locked.access_days,
    }
    if first:
        record_append(family=family, actor=actor, kind="access_request.filed", fields=fields)
    record_append(family=family, actor=actor, kind="access_request.declined", fields=fields)
    notify(
        family,
        parents_of(family),
        Kind.ACCESS_REQUEST,
        link=reverse("families:access_request_review", args=[family.public_id, locked.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(actor)s declined %(name)s's request for read-only access"),
                {"actor": actor.display_name, "name": locked.requester.display_name},
            )
        ),
        actor=actor,
    )
    send_templated_email(
        locked.requester.email,
        "access_request_declined",
        {"request": locked, "requester": locked.requester},
        language=locked.requester.language,
    )
    return locked


@transaction.atomic
def access_request_withdraw(*, actor: User, request: AccessRequest) -> AccessRequest:
    locked = AccessRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
    if locked.requester_id != actor.pk:
        raise ServiceError(_("Only the person who asked can withdraw a request."), code="forbidden")
    if locked.status != AccessRequestStatus.PENDING:
        raise Conflict(_("This request has already been answered."))
    locked.status = AccessRequestStatus.WITHDRAWN
    locked.answered_at = timezone.now()
    locked.save(update_fields=["status", "answered_at"])
    if locked.family_id is not None:
        record_append(
            family=locked.family,  # type: ignore[arg-type]
            actor=actor,
            kind="access_request.withdrawn",
            fields={"request": str(locked.public_id)},
        )
    return locked


@transaction.atomic
def family_policy_update(
    *, family: Family, actor: User, access_approval: str, deletion_hold: bool
) -> Family:
    """The family's rules a parent sets: who approves professionals, and the deletion hold."""
    require_parent(family, actor)
    if access_approval not in AccessApproval.values:
        raise ServiceError(
            _("Choose who approves a professional's request."), field="access_approval"
        )
    family_lock(family)
    locked = Family.objects.get(pk=family.pk)
    if locked.access_approval != access_approval:
        locked.access_approval = access_approval
        record_append(
            family=family,
            actor=actor,
            kind="family.access_approval_changed",
            fields={"access_approval": access_approval},
        )
    if locked.deletion_hold != deletion_hold:
        locked.deletion_hold = deletion_hold
        record_append(
            family=family,
            actor=actor,
            kind="family.hold_placed" if deletion_hold else "family.hold_lifted",
            fields={},
        )
    locked.save(update_fields=["access_approval", "deletion_hold"])
    family.access_approval = locked.access_approval
    family.deletion_hold = locked.deletion_hold
    return locked


# Leaving, and deleting a family nobody is left in ----------------------------------------


def _is_emptied(family: Family) -> bool:
    """No one left but professionals, whose access ends on its own."""
    return (
        not Membership.objects.active()
        .filter(family=family)
        .exclude(role=Role.PROFESSIONAL)
        .exists()
    )


def membership_leave_all(*, user: User) -> list[Family]:
    """The person leaves every family, each in its own transaction (the family's lock, then the
    membership). Returns the families they were the last member of."""
    emptied = []
    for membership in list(Membership.objects.active().filter(user=user).select_related("family")):
        if membership_leave(family=membership.family, actor=user, membership=membership):
            emptied.append(membership.family)
    return emptied


@transaction.atomic
def membership_leave(*, family: Family, actor: User, membership: Membership) -> bool:
    """Ends the actor's own membership (their account is being deleted); True when nobody but
    professionals is left, which starts the family's FAMILY_DELETE_DAYS."""
    family_lock(family)
    locked = Membership.objects.select_for_update(no_key=True).get(pk=membership.pk, family=family)
    if locked.user_id != actor.pk or locked.revoked_at is not None:
        return False
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_append(
        family=family, actor=actor, kind="member.left", fields={"member": str(locked.public_id)}
    )
    if not _is_emptied(family):
        return False
    Family.objects.filter(pk=family.pk).update(emptied_at=timezone.now())
    record_append(family=family, actor=None, kind="family.emptied", fields={})
    return True


def families_purge() -> int:
    """Deletes each family that has had no member (but professionals) for FAMILY_DELETE_DAYS
    and is not on hold: every row of it, its record included, and its files. Returns how many.

    The record's rows are append-only by database triggers while the guard row exists
    (records.models.AppendOnlyGuard). This is the one deliberate erasure: inside the family's
    transaction the guard row is deleted, the family's rows are deleted, and the guard is put
    back before the commit, so no other transaction ever sees the log unguarded (PostgreSQL
    readers see the committed guard; SQLite has one writer). Every other table is emptied by
    its `family` key; foreign keys are checked at commit (deferred), so the order is free."""
    cutoff = timezone.now() - dt.timedelta(days=settings.FAMILY_DELETE_DAYS)
    count = 0
    for family in Family.objects.filter(emptied_at__lte=cutoff, deletion_hold=False):
        stored = family_delete(family=family)
        if stored is not None:
            count += 1
    return count


@transaction.atomic
def family_delete(*, family: Family) -> list[str] | None:
    """Deletes one emptied family if it is still empty, past its days and not on hold."""
    from django.apps import apps
    from django.db import connection

    from coparent.messaging.models import Attachment
    from coparent.records.models import AppendOnlyGuard

    family_lock(family)
    current = Family.objects.filter(pk=family.pk).first()
    cutoff = timezone.now() - dt.timedelta(days=settings.FAMILY_DELETE_DAYS)
    if (
        current is None
        or current.deletion_hold
        or current.emptied_at is None
        or current.emptied_at > cutoff
        or not _is_emptied(current)
    ):
        return None
    files = [
        name
        for name in Attachment.objects.filter(family=family).values_list("stored_name", flat=True)
        if name
    ]
    guards = list(AppendOnlyGuard.objects.values_list("note", flat=True))
    AppendOnlyGuard.objects.all().delete()
    for model in apps.get_models():
        if model is Family or not any(f.name == "family" for f in model._meta.concrete_fields):
            continue
        # Many-to-many rows included: each is a FamilyLink with a family key of its own
        # (tests/test_tenancy.py fails for a table without one).
        model._base_manager.filter(family=family)._raw_delete(connection.alias)
    Family.objects.filter(pk=family.pk)._raw_delete(connection.alias)
    AppendOnlyGuard.objects.bulk_create([AppendOnlyGuard(note=note) for note in guards])
    from coparent.messaging import files as attachment_files

    def remove_files() -> None:
        for name in files:
            attachment_files.remove(name)

    transaction.on_commit(remove_files)
    return files
