"""The providers for the areas that exist today: swap and schedule proposals, exchange terms,
pickup passes to co-sign, unread conversations, today's and tomorrow's exchanges, and
invitations not yet accepted. Each asks only about rows of the viewer's family."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from coparent.attention.registry import SHOWN, Item, Provider, Viewer, register, rest_line
from coparent.core import fragments
from coparent.exchanges import selectors as exchange_selectors
from coparent.exchanges.models import ExchangeTerms, TermsStatus
from coparent.exchanges.outcome import ARRIVED, HANDED_OVER, RECEIVED
from coparent.families.models import Invitation, Role
from coparent.messaging.models import ThreadParticipant
from coparent.passes.models import PickupPass
from coparent.safety import selectors as safety_selectors
from coparent.schedule.models import ScheduleVersion, SwapRequest, SwapStatus, VersionStatus
from coparent.schedule.selectors import plan_label

PARENTS = frozenset({Role.PARENT})


def _plans_of(viewer: Viewer) -> Q:
    """The plans the viewer is one of the two parents of: only they answer for them."""
    return Q(plan__parent_a=viewer.membership) | Q(plan__parent_b=viewer.membership)


@register
class SwapProvider(Provider):
    """Swap requests (and counter-offers) the other parent asked this parent to answer. One whose
    answer deadline has passed has expired: it is no longer answerable and is left out."""

    kind = "swap"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[SwapRequest]:
        return (
            SwapRequest.objects.filter(
                family=viewer.family, status=SwapStatus.PENDING, respond_by__gt=viewer.now
            )
            .filter(_plans_of(viewer))
            .exclude(requested_by=viewer.user)
        )

    def items(self, viewer: Viewer) -> list[Item]:
        swaps = self._pending(viewer).select_related("plan__child", "requested_by")
        result = []
        for swap in swaps:
            who = swap.requested_by.display_name
            title = (
                _("%(name)s answered your request with a counter-offer") % {"name": who}
                if swap.counter_of_id
                else _("%(name)s asks to swap time") % {"name": who}
            )
            detail = _("%(plan)s: from %(start)s to %(end)s. Answer by %(deadline)s.") % {
                "plan": plan_label(swap.plan),
                "start": viewer.when(swap.start_at),
                "end": viewer.when(swap.end_at),
                "deadline": viewer.when(swap.respond_by),
            }
            link = reverse("schedule:swap_detail", args=[viewer.family.public_id, swap.public_id])
            result.append(Item(self.kind, title, detail, link, deadline=swap.respond_by))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[SwapRequest]:
        return self._pending(viewer)


@register
class ScheduleProposalProvider(Provider):
    """Schedules and schedule changes the other parent proposed for a plan this parent is in."""

    kind = "schedule"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[ScheduleVersion]:
        return (
            ScheduleVersion.objects.filter(family=viewer.family, status=VersionStatus.PROPOSED)
            .filter(_plans_of(viewer))
            .exclude(proposed_by=viewer.user)
        )

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for version in self._pending(viewer).select_related("plan__child", "proposed_by"):
            who = version.proposed_by.display_name
            if version.effective_at:
                title = _("%(name)s proposes a schedule change") % {"name": who}
                detail = _("%(plan)s, from %(start)s. Accept or decline it.") % {
                    "plan": plan_label(version.plan),
                    "start": viewer.when(version.effective_at),
                }
            else:
                title = _("%(name)s proposes a schedule") % {"name": who}
                detail = _("%(plan)s. It takes effect when you accept it.") % {
                    "plan": plan_label(version.plan)
                }
            link = (
                reverse("schedule:overview", args=[viewer.family.public_id])
                + f"#version-{version.public_id}"
            )
            result.append(Item(self.kind, title, detail, link))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[ScheduleVersion]:
        return self._pending(viewer)


@register
class TermsProvider(Provider):
    """Exchange terms (place, grace period, conduct) the other parent proposed."""

    kind = "terms"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[ExchangeTerms]:
        return (
            ExchangeTerms.objects.filter(family=viewer.family, status=TermsStatus.PROPOSED)
            .filter(_plans_of(viewer))
            .exclude(proposed_by=viewer.user)
        )

    def items(self, viewer: Viewer) -> list[Item]:
        result = []
        for terms in self._pending(viewer).select_related("plan__child", "proposed_by"):
            title = _("%(name)s proposes exchange terms") % {"name": terms.proposed_by.display_name}
            detail = _("%(plan)s: %(place)s, %(grace)d minutes' grace.") % {
                "plan": plan_label(terms.plan),
                "place": terms.place_name,
                "grace": terms.grace_minutes,
            }
            link = reverse("exchanges:terms", args=[viewer.family.public_id, terms.plan.public_id])
            result.append(Item(self.kind, title, detail, link))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[ExchangeTerms]:
        return self._pending(viewer)


@register
class PassCosignProvider(Provider):
    """Pickup passes the other parent issued for time that is not all theirs: they are not valid
    until this parent co-signs. A pass whose window is over can no longer be used and is left
    out."""

    kind = "pass"
    roles = PARENTS

    def _pending(self, viewer: Viewer) -> QuerySet[PickupPass]:
        return PickupPass.objects.filter(
            family=viewer.family,
            needs_cosign=True,
            cosigned_at__isnull=True,
            revoked_at__isnull=True,
            ends_at__gt=viewer.now,
        ).exclude(issued_by=viewer.membership)

    def items(self, viewer: Viewer) -> list[Item]:
        passes = (
            self._pending(viewer)
            .select_related("issued_by__user")
            .prefetch_related("children")
            .order_by("starts_at")
        )
        result = []
        for pickup_pass in passes:
            title = _("Co-sign the pickup pass for %(person)s") % {
                "person": pickup_pass.person_name
            }
            detail = _(
                "%(issuer)s issued it: %(children)s at %(place)s, from %(start)s to %(end)s."
            ) % {
                "issuer": pickup_pass.issued_by.user.display_name,
                "children": ", ".join(c.first_name for c in pickup_pass.children.all()),
                "place": safety_selectors.shown_place(
                    pickup_pass.place,
                    confidential=pickup_pass.place_confidential,
                    owner_id=pickup_pass.issued_by.user_id,
                    viewer_id=viewer.user.pk,
                ),
                "start": viewer.when(pickup_pass.starts_at),
                "end": viewer.when(pickup_pass.ends_at),
            }
            link = reverse("passes:detail", args=[viewer.family.public_id, pickup_pass.public_id])
            # Needed before the pickup starts; once it has, until the window closes.
            deadline = (
                pickup_pass.starts_at if pickup_pass.starts_at > viewer.now else pickup_pass.ends_at
            )
            result.append(Item(self.kind, title, detail, link, deadline=deadline))
        return result

    def badge(self, viewer: Viewer) -> QuerySet[PickupPass]:
        return self._pending(viewer)


@register
class UnreadMessagesProvider(Provider):
    """One item per conversation with messages this person has not opened. Professionals are
    left out: their visits leave no read receipts, so nothing would ever clear."""

    kind = "messages"
    roles = frozenset({Role.PARENT, Role.CAREGIVER, Role.CHILD})

    def _seats(self, viewer: Viewer) -> QuerySet[ThreadParticipant]:
        # The seat keeps its unread count (messaging.services): one indexed lookup, whatever
        # the length of the threads.
        return ThreadParticipant.objects.filter(
            family=viewer.family, membership=viewer.membership, unread__gt=0
        )

    def items(self, viewer: Viewer) -> list[Item]:
        seats = list(
            self._seats(viewer)
            .select_related("thread")
            .order_by("-thread__last_message_at", "pk")[: SHOWN + 1]
        )
        result = []
        for seat in seats[:SHOWN]:
            thread, n = seat.thread, seat.unread
            detail = ngettext(
                "%(n)d new message, the last %(when)s.",
                "%(n)d new messages, the last %(when)s.",
                n,
            ) % {"n": n, "when": viewer.when(thread.last_message_at)}
            link = reverse("messaging:thread", args=[viewer.family.public_id, thread.public_id])
            result.append(Item(self.kind, thread.subject, detail, link, count=n))
        result += rest_line(
            self.kind,
            seats,
            self._seats(viewer),
            lambda more: (
                ngettext(
                    "%(n)s more conversation with new messages",
                    "%(n)s more conversations with new messages",
                    more,
                )
                % {"n": more}
            ),
            _("Newest first."),
            reverse("messaging:threads", args=[viewer.family.public_id]),
        )
        return result

    def badge(self, viewer: Viewer) -> QuerySet[ThreadParticipant]:
        return self._seats(viewer)


@register
class ExchangeProvider(Provider):
    """Today's and tomorrow's exchanges (in the viewer's zone) for the two parents handing over
    and receiving, and for a caregiver, who may collect for a parent. Each says where its
    check-ins stand. To know, not to answer: they are not counted in the badge."""

    kind = "exchange"
    roles = frozenset({Role.PARENT, Role.CAREGIVER})

    def items(self, viewer: Viewer) -> list[Item]:
        today = viewer.local(viewer.now).replace(hour=0, minute=0, second=0, microsecond=0)
        start = today.astimezone(dt.UTC)
        end = (today + dt.timedelta(days=2)).astimezone(dt.UTC)
        views = exchange_selectors.exchange_views(
            viewer.family, viewer.membership, start, end, now=viewer.now
        )
        result = []
        for view in views:
            if view.outcome is None or view.outcome.state == "cancelled":
                continue
            parties = {m.pk for m in (view.from_member, view.to_member) if m is not None}
            if viewer.membership.pk not in parties and viewer.membership.role != Role.CAREGIVER:
                continue
            title = self._title(viewer, view)
            for moment in view.moments:  # the item's state reads differently then
                fragments.changes_at(moment)
            link = reverse(
                "exchanges:detail",
                args=[viewer.family.public_id, view.plan.public_id, view.timestamp],
            )
            result.append(
                Item(
                    self.kind,
                    title,
                    self._state(viewer, view),
                    link,
                    deadline=view.at,
                    answer=False,
                )
            )
        return result

    def _title(self, viewer: Viewer, view: exchange_selectors.ExchangeView) -> str:
        when = viewer.when(view.at)
        if view.from_member is not None and view.from_member.pk == viewer.membership.pk:
            return _("Exchange %(when)s: you hand over to %(to)s") % {
                "when": when,
                "to": view.name(view.to_parent),
            }
        if view.to_member is not None and view.to_member.pk == viewer.membership.pk:
            return _("Exchange %(when)s: %(from)s hands over to you") % {
                "when": when,
                "from": view.name(view.from_parent),
            }
        return _("Exchange %(when)s: %(from)s to %(to)s") % {
            "when": when,
            "from": view.name(view.from_parent),
            "to": view.name(view.to_parent),
        }

    def _state(self, viewer: Viewer, view: exchange_selectors.ExchangeView) -> str:
        place = view.terms.place_name if view.terms else ""
        assert view.outcome is not None
        if view.outcome.handover_at is not None:
            text = _("Handed over at %(time)s.") % {"time": viewer.when(view.outcome.handover_at)}
        elif view.checkins:
            words = {ARRIVED: _("arrived"), HANDED_OVER: _("handed over"), RECEIVED: _("received")}
            text = (
                "; ".join(
                    _("%(name)s %(what)s at %(time)s")
                    % {
                        "name": c.member.user.display_name,
                        "what": words.get(c.kind, c.kind),
                        "time": viewer.when(c.at),
                    }
                    for c in view.checkins
                )
                + "."
            )
        else:
            text = _("No one has checked in yet.")
        if view.outcome.no_show:
            text += " " + _("Not checked in after the grace period: %(names)s.") % {
                "names": ", ".join(view.no_show_names)
            }
        return f"{place}. {text}" if place else text


@register
class InvitationProvider(Provider):
    """Invitations a parent sent that nobody has accepted yet: the other person has to act, but
    the parent may want to resend the link or withdraw it before it expires."""

    kind = "invitation"
    roles = PARENTS

    def items(self, viewer: Viewer) -> list[Item]:
        invitations = Invitation.objects.filter(
            family=viewer.family,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=viewer.now,
        ).order_by("expires_at")
        link = reverse("families:members", args=[viewer.family.public_id])
        result = []
        for invitation in invitations:
            who = invitation.email or invitation.role_label
            title = _("Invitation for %(who)s not accepted yet") % {"who": who}
            detail = _("%(role)s. The link stops working %(when)s.") % {
                "role": invitation.role_label,
                "when": viewer.when(invitation.expires_at),
            }
            result.append(
                Item(self.kind, title, detail, link, deadline=invitation.expires_at, answer=False)
            )
        return result
