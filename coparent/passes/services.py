"""Issuing, co-signing, revoking and checking pickup passes, and registering gates."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from coparent.accounts.models import User
from coparent.core.errors import Conflict, ServiceError
from coparent.families.models import Child, Family, Membership, Role
from coparent.families.services import require_parent
from coparent.notifications.models import Kind
from coparent.notifications.selectors import parents_of
from coparent.notifications.services import Detail, Phrase, Text, notify
from coparent.passes import tokens
from coparent.passes.models import Gate, PassCheck, PickupPass
from coparent.records.services import family_lock, record_append
from coparent.safety import selectors as safety_selectors

MAX_WINDOW = dt.timedelta(days=366)
MAX_PHOTO_BYTES = 8 * 1024 * 1024
PHOTO_SIZE = 640


def _photo(data: bytes | None) -> bytes | None:
    """Re-encode an uploaded photo as a small JPEG: drops EXIF (location included) and any
    content that is not an image."""
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise ServiceError(_("The photo is too large; use one under 8 MB."), field="photo")
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened).convert("RGB")
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ServiceError(_("The photo must be a JPEG or PNG picture."), field="photo") from None
    return out.getvalue()


def responsible_parent_covers(
    family: Family,
    issuer: Membership,
    children: Iterable[Child],
    start: dt.datetime,
    end: dt.datetime,
) -> bool:
    """True when, by the agreed schedule, `issuer` has every one of these children for the whole
    window. Without an agreed schedule nobody can show that, so the answer is False."""
    from coparent.schedule import selectors as schedule

    plans = schedule.plan_list(family)
    by_plan = schedule.plan_children(family, plans)
    for child in children:
        plan = next((p for p in plans if child in by_plan.get(p.pk, [])), None)
        if plan is None:
            return False
        parent_id = plan.parent_id_of(issuer.pk)
        found = schedule.plan_schedule(plan, start=start, end=end)
        if parent_id is None or found is None:
            return False
        if any(segment.parent != parent_id for segment in found.timeline(start, end).segments):
            return False
    return True


@transaction.atomic
def pass_issue(
    *,
    family: Family,
    actor: User,
    person_name: str,
    person_relationship: str = "",
    children: list[Child],
    place: str = "",
    gate: Gate | None = None,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    photo: bytes | None = None,
    holder: Membership | None = None,
) -> PickupPass:
    issuer = require_parent(family, actor)
    if holder is not None:
        if holder.family_id != family.pk or holder.role != Role.CAREGIVER or not holder.is_active():
            raise ServiceError(_("Choose one of the family's caregivers."), field="holder")
        person_name = person_name.strip() or holder.user.display_name
        person_relationship = person_relationship.strip() or holder.relationship
    person_name = person_name.strip()
    if not person_name:
        raise ServiceError(_("Enter the name of the person who will pick up."), field="person_name")
    if not children:
        raise ServiceError(_("Choose at least one child."), field="children")
    if any(child.family_id != family.pk for child in children):
        raise ServiceError(_("Choose children from this family."), field="children")
    if gate is not None:
        if gate.family_id != family.pk or gate.revoked_at is not None:
            raise ServiceError(_("Choose one of the family's places."), field="gate")
        place = gate.name
    place = place.strip()
    if not place:
        raise ServiceError(
            _("Say where the pickup happens, e.g. the school's front gate."), field="place"
        )
    if starts_at is None or ends_at is None:
        raise ServiceError(_("Enter when the pass starts and ends."), field="starts_at")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ServiceError(
            _("Give times with their time zone, e.g. 2026-01-31T15:00:00-06:00."), field="starts_at"
        )
    if ends_at <= starts_at:
        raise ServiceError(_("The pass must end after it starts."), field="ends_at")
    if ends_at <= timezone.now():
        raise ServiceError(_("That window is already over."), field="ends_at")
    if ends_at - starts_at > MAX_WINDOW:
        raise ServiceError(_("A pass can last at most a year."), field="ends_at")
    # Tokens carry whole seconds; so does the pass, so the two always agree.
    starts_at, ends_at = starts_at.replace(microsecond=0), ends_at.replace(microsecond=0)
    family_lock(family)  # before reading the schedule the decision rests on (docs: "Locks")
    covered = responsible_parent_covers(family, issuer, children, starts_at, ends_at)
    pickup_pass = PickupPass(
        family=family,
        person_name=person_name[:100],
        person_relationship=person_relationship.strip()[:60],
        holder=holder,
        photo=_photo(photo),
        place=place[:120],
        place_confidential=safety_selectors.places_confidential(family.pk, actor.pk),
        gate=gate,
        starts_at=starts_at,
        ends_at=ends_at,
        issued_by=issuer,
        needs_cosign=not covered,
    )
    pickup_pass.code_hash = tokens.code_hash(tokens.make_code(pickup_pass.public_id))
    pickup_pass.save()
    pickup_pass.children.set(children, through_defaults={"family_id": pickup_pass.family_id})
    record_append(
        family=family,
        actor=actor,
        kind="pass.issued",
        fields={
            "pass": str(pickup_pass.public_id),
            "children": tuple(sorted(str(c.public_id) for c in children)),
            "starts": pickup_pass.starts_at.isoformat(),
            "ends": pickup_pass.ends_at.isoformat(),
            "needs_cosign": "yes" if pickup_pass.needs_cosign else "no",
            **({"holder": str(holder.user.public_id)} if holder is not None else {}),
        },
    )
    notify(
        family,
        parents_of(family),
        Kind.PASS_ISSUED,
        link=reverse("passes:detail", args=[family.public_id, pickup_pass.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy(
                    "%(who)s issued a pickup pass: %(person)s may collect %(children)s at %(place)s"
                ),
                {
                    "who": actor.display_name,
                    "person": pickup_pass.person_name,
                    "children": ", ".join(c.first_name for c in children),
                    "place": _notice_place(pickup_pass),
                },
            ),
            (
                gettext_lazy(
                    "By the agreed schedule that window is not all theirs, so the pass works only "
                    "if you co-sign it."
                )
                if pickup_pass.needs_cosign
                else ""
            ),
        ),
        actor=actor,
    )
    if holder is not None:
        notify(
            family,
            [holder.user],
            Kind.PASS_ISSUED,
            link=reverse("passes:mine", args=[family.public_id]),
            detail=Detail(
                Phrase(
                    gettext_lazy("%(who)s gave you a pickup pass for %(children)s at %(place)s"),
                    {
                        "who": actor.display_name,
                        "children": ", ".join(c.first_name for c in children),
                        "place": pickup_pass.place,
                    },
                ),
                gettext_lazy("Show it to the staff at the gate from your pickup passes page."),
            ),
            actor=actor,
        )
    return pickup_pass


def _locked(family: Family, pickup_pass: PickupPass) -> PickupPass:
    family_lock(family)
    return PickupPass.objects.select_for_update(no_key=True).get(pk=pickup_pass.pk, family=family)


@transaction.atomic
def pass_cosign(*, family: Family, actor: User, pickup_pass: PickupPass) -> PickupPass:
    signer = require_parent(family, actor)
    locked = _locked(family, pickup_pass)
    if locked.issued_by_id == signer.pk:
        raise ServiceError(_("The other parent has to co-sign this pass."))
    if locked.revoked_at is not None:
        raise Conflict(_("This pass was revoked."))
    if not locked.awaiting_cosign:
        raise Conflict(_("This pass does not need a co-signature (any more)."))
    locked.cosigned_by = signer
    locked.cosigned_at = timezone.now()
    locked.save(update_fields=["cosigned_by", "cosigned_at"])
    record_append(
        family=family, actor=actor, kind="pass.cosigned", fields={"pass": str(locked.public_id)}
    )
    notify(
        family,
        [locked.issued_by.user],
        Kind.PASS_COSIGNED,
        link=reverse("passes:detail", args=[family.public_id, locked.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy(
                    "%(who)s co-signed your pickup pass for %(person)s; it can be used now"
                ),
                {"who": actor.display_name, "person": locked.person_name},
            )
        ),
        actor=actor,
    )
    return locked


@transaction.atomic
def pass_revoke(*, family: Family, actor: User, pickup_pass: PickupPass) -> PickupPass:
    revoker = require_parent(family, actor)
    locked = _locked(family, pickup_pass)
    if locked.revoked_at is not None:
        raise Conflict(_("This pass was already revoked."))
    if locked.issued_by_id != revoker.pk and not locked.awaiting_cosign:
        # Either parent may refuse a pass still waiting for them; an active one is the issuer's.
        raise ServiceError(
            _("Only the parent who issued this pass can revoke it."), code="forbidden"
        )
    locked.revoked_at = timezone.now()
    locked.revoked_by = revoker
    locked.save(update_fields=["revoked_at", "revoked_by"])
    record_append(
        family=family, actor=actor, kind="pass.revoked", fields={"pass": str(locked.public_id)}
    )
    notify(
        family,
        parents_of(family),
        Kind.PASS_REVOKED,
        link=reverse("passes:detail", args=[family.public_id, locked.public_id]),
        detail=Detail(
            Phrase(
                gettext_lazy("%(who)s revoked the pickup pass for %(person)s"),
                {"who": actor.display_name, "person": locked.person_name},
            )
        ),
        actor=actor,
    )
    return locked


def gate_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def gate_create(*, family: Family, actor: User, name: str) -> tuple[Gate, str]:
    creator = require_parent(family, actor)
    name = name.strip()
    if not name:
        raise ServiceError(_("Name the place, e.g. “Riverside School, main gate”."), field="name")
    family_lock(family)
    if Gate.objects.filter(family=family, name__iexact=name, revoked_at__isnull=True).exists():
        raise ServiceError(_("The family already has a place with this name."), field="name")
    link_key = secrets.token_hex(16)
    token = tokens.gate_token(link_key)
    gate = Gate.objects.create(
        family=family,
        name=name[:120],
        link_key=link_key,
        token_hash=gate_token_hash(token),
        created_by=creator,
    )
    record_append(
        family=family, actor=actor, kind="gate.created", fields={"gate": str(gate.public_id)}
    )
    return gate, token


@transaction.atomic
def gate_link_replace(*, family: Family, actor: User, gate: Gate) -> tuple[Gate, str]:
    """A new link for a place, for when the old one went where it should not: the old link stops
    working at once. Passes for the place are unchanged."""
    require_parent(family, actor)
    family_lock(family)
    locked = Gate.objects.select_for_update(no_key=True).get(pk=gate.pk, family=family)
    if locked.revoked_at is not None:
        raise Conflict(_("This place's link was turned off."))
    locked.link_key = secrets.token_hex(16)
    token = tokens.gate_token(locked.link_key)
    locked.token_hash = gate_token_hash(token)
    locked.save(update_fields=["link_key", "token_hash"])
    record_append(
        family=family,
        actor=actor,
        kind="gate.link_replaced",
        fields={"gate": str(locked.public_id)},
    )
    return locked, token


@transaction.atomic
def gate_revoke(*, family: Family, actor: User, gate: Gate) -> None:
    require_parent(family, actor)
    family_lock(family)
    locked = Gate.objects.select_for_update(no_key=True).get(pk=gate.pk, family=family)
    if locked.revoked_at is not None:
        raise Conflict(_("This place's link was already turned off."))
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_append(
        family=family, actor=actor, kind="gate.revoked", fields={"gate": str(locked.public_id)}
    )


@dataclass(frozen=True)
class CheckResult:
    valid: bool
    reason: str
    pickup_pass: PickupPass | None = None


# Lazy: a module-level table is built once at import, before any request's language is known.
REASONS = {
    "forged": gettext_lazy("This pass was not issued by this service, or it was changed."),
    "revoked": gettext_lazy("The parent who issued this pass has revoked it."),
    "not_cosigned": gettext_lazy("This pass is waiting for the other parent's signature."),
    "not_yet_valid": gettext_lazy("This pass is not valid yet."),
    "expired": gettext_lazy("This pass has expired."),
    "wrong_place": gettext_lazy("This pass is for another place."),
}


def _from_token(token: str) -> PickupPass | None:
    """The pass a genuine, unaltered token names, or None."""
    try:
        claims = tokens.read_token(token)
    except tokens.BadToken:
        return None
    found = (
        PickupPass.objects.select_related("issued_by__user", "family")
        .filter(public_id=claims.pass_id)
        .first()
    )
    if found is None or (claims.starts_at, claims.ends_at) != (
        found.starts_at.replace(microsecond=0),
        found.ends_at.replace(microsecond=0),
    ):
        return None
    return found


@transaction.atomic
def pass_check(
    token: str, *, gate: Gate | None = None, now: dt.datetime | None = None
) -> CheckResult:
    """Check a pass and log the check for the parents. Answers only what the gate must know."""
    found = _from_token(token)
    if found is None:
        return CheckResult(False, "forged")
    return _judge(found, gate=gate, now=now or timezone.now())


def pass_valid_now(token: str) -> PickupPass | None:
    """The pass, if its token is genuine and it is valid right now (nothing is logged): the
    photo on the public page is shown only then."""
    found = _from_token(token)
    if found is None or _verdict(found, gate=None, now=timezone.now()):
        return None
    return found


@transaction.atomic
def pass_check_code(
    code: str, *, gate: Gate | None = None, now: dt.datetime | None = None
) -> CheckResult:
    normalised = tokens.normalise_code(code)
    found = (
        PickupPass.objects.select_related("issued_by__user", "family")
        .filter(code_hash=tokens.code_hash(normalised))
        .first()
        if normalised
        else None
    )
    if found is None:
        return CheckResult(False, "forged")
    return _judge(found, gate=gate, now=now or timezone.now())


def _verdict(found: PickupPass, *, gate: Gate | None, now: dt.datetime) -> str:
    """The reason the pass is not valid, or "" when it is."""
    if found.revoked_at is not None:
        reason = "revoked"
    elif found.awaiting_cosign:
        reason = "not_cosigned"
    elif now < found.starts_at:
        reason = "not_yet_valid"
    elif now >= found.ends_at:
        reason = "expired"
    elif gate is not None and (gate.family_id != found.family_id or found.gate_id != gate.pk):
        reason = "wrong_place"
    else:
        reason = ""
    return reason


def _judge(found: PickupPass, *, gate: Gate | None, now: dt.datetime) -> CheckResult:
    reason = _verdict(found, gate=gate, now=now)
    valid = reason == ""
    if gate is None or gate.family_id == found.family_id:
        PassCheck.objects.create(
            family=found.family, pickup_pass=found, gate=gate, valid=valid, reason=reason
        )
        notify(
            found.family,
            parents_of(found.family),
            Kind.PASS_CHECKED,
            link=reverse("passes:detail", args=[found.family.public_id, found.public_id]),
            detail=Detail(
                Phrase(
                    gettext_lazy("The pickup pass for %(person)s was checked%(at)s: valid")
                    if valid
                    else gettext_lazy(
                        "The pickup pass for %(person)s was checked%(at)s: NOT valid"
                    ),
                    {
                        "person": found.person_name,
                        "at": (
                            Phrase(gettext_lazy(" at %(gate)s"), {"gate": gate.name})
                            if gate
                            else ""
                        ),
                    },
                ),
                REASONS.get(reason, ""),
            ),
        )
    return CheckResult(valid, reason, found)


def issuer_names(pickup_pass: PickupPass) -> str:
    """Who issued (and co-signed) a pass, as the gate reads it. A parent under a protective
    order is "a parent": whoever holds the pass, or stands beside the staff, learns no name."""
    protected = safety_selectors.protected_user_ids(pickup_pass.family_id)
    names = [
        _("A parent") if m.user_id in protected else m.user.display_name
        for m in (pickup_pass.issued_by, pickup_pass.cosigned_by)
        if m is not None
    ]
    return _(" and ").join(names)


def _notice_place(pickup_pass: PickupPass) -> Text:
    """The place as a notice to both parents says it: one the issuer keeps confidential is not
    in it (the issuer knows it; the other parent must not read it)."""
    if pickup_pass.place_confidential:
        return safety_selectors.CONFIDENTIAL_PLACE  # read in each recipient's language
    return pickup_pass.place
