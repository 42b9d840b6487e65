"""Every record entry kind in words, for people reading the record page.

Built only from the entry's own leaf fields (ids, times, roles) and its author's name: what the
page already holds, so a sentence never tells a professional or the other parent more than the
entry does. `tests/records/test_labels.py` fails when a kind written anywhere has no sentence here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from coparent.families.models import Role
from coparent.tlog.entry import FieldValue
from coparent.tlog.rollback import KIND as ROLLBACK

Fields = Mapping[str, FieldValue]
Sentence = Callable[[str, Fields], str]


def _moment(fields: Fields, name: str) -> dt.datetime | None:
    value = fields.get(name)
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.localtime(moment) if moment.tzinfo else None


def _day_text(day: dt.date, *, year: bool) -> str:
    # A format per language, as Django's own locales translate theirs: "3 July", "3 de julio".
    if year:
        return formats.date_format(day, pgettext("date format: day, month and year", "j F Y"))
    return formats.date_format(day, pgettext("date format: day and month", "j F"))


def _span(fields: Fields, start: str, end: str) -> str:
    """ "3-5 July", "30 June - 2 July" (with en dashes), "3 July", in the viewer's zone. An
    end at midnight belongs to the day before (a swap "until Monday 00:00" is a weekend)."""
    first, last = _moment(fields, start), _moment(fields, end)
    if first is None:
        return ""
    year = first.year != timezone.localtime().year
    if last is None or last <= first:
        return _day_text(first.date(), year=year)
    last_day = (last - dt.timedelta(microseconds=1)).date()
    if last_day == first.date():
        return _day_text(first.date(), year=year)
    if (last_day.year, last_day.month) == (first.year, first.month):
        return f"{first.day}\u2013{_day_text(last_day, year=year)}"
    if last_day.year != first.year:
        year = True
    return f"{_day_text(first.date(), year=year)} \u2013 {_day_text(last_day, year=year)}"


def _day(fields: Fields, name: str) -> str:
    moment = _moment(fields, name)
    if moment is None:
        return ""
    return _day_text(moment.date(), year=moment.year != timezone.localtime().year)


_ROLES: dict[str, str] = {
    Role.PARENT: gettext_noop("a parent"),
    Role.CAREGIVER: gettext_noop("a family member or caregiver"),
    Role.CHILD: gettext_noop("a child"),
    Role.PROFESSIONAL: gettext_noop("a professional (read-only)"),
}


def _role(fields: Fields) -> str:
    return _(_ROLES.get(str(fields.get("role", "")), gettext_noop("a member")))


def _with(sentence: str, detail: str, template: str) -> str:
    return template % {"sentence": sentence, "detail": detail} if detail else sentence


def _schedule(verb: str) -> Sentence:
    def sentence(who: str, fields: Fields) -> str:
        text = _(verb) % {"who": who}
        return _with(text, _day(fields, "effective_at"), _("%(sentence)s, from %(detail)s"))

    return sentence


def _swap(verb: str) -> Sentence:
    def sentence(who: str, fields: Fields) -> str:
        return _with(
            _(verb) % {"who": who},
            _span(fields, "start_at", "end_at"),
            _("%(sentence)s for %(detail)s"),
        )

    return sentence


def _event(verb: str) -> Sentence:
    def sentence(who: str, fields: Fields) -> str:
        return _with(
            _(verb) % {"who": who}, _day(fields, "starts_at"), _("%(sentence)s on %(detail)s")
        )

    return sentence


def _plain(text: str) -> Sentence:
    return lambda who, fields: _(text) % {"who": who}


def _child_info(text: str) -> Sentence:
    def sentence(who: str, fields: Fields) -> str:
        from coparent.childinfo.kinds import KINDS

        spec = KINDS.get(str(fields.get("info_kind", "")))
        kind = str(spec.label).lower() if spec else _("an item")
        return _(text) % {"who": who, "kind": kind}

    return sentence


_CHECKS = {
    "arrived": gettext_noop("arrived"),
    "handed_over": gettext_noop("handed over"),
    "received": gettext_noop("received"),
}


def _checkin(who: str, fields: Fields) -> str:
    check = _(_CHECKS.get(str(fields.get("check", "")), gettext_noop("checked in")))
    text = _("%(who)s checked in at an exchange: %(check)s") % {"who": who, "check": check}
    text = _with(text, _day(fields, "exchange"), _("%(sentence)s (%(detail)s)"))
    place = fields.get("place")
    return f"{text}, {place}" if isinstance(place, str) and place else text


def _message(who: str, fields: Fields) -> str:
    if fields.get("corrects"):
        return _("%(who)s sent a correction to an earlier message") % {"who": who}
    return _("%(who)s sent a message") % {"who": who}


def _attachment(who: str, fields: Fields) -> str:
    if str(fields.get("media_type", "")).startswith("image/"):
        return _("%(who)s attached a photo to a message") % {"who": who}
    return _("%(who)s attached a file to a message") % {"who": who}


def _pass_issued(who: str, fields: Fields) -> str:
    text = _with(
        _("%(who)s issued a pickup pass") % {"who": who},
        _span(fields, "starts", "ends"),
        _("%(sentence)s for %(detail)s"),
    )
    if fields.get("needs_cosign") == "yes":
        return _("%(text)s, waiting for the other parent to co-sign") % {"text": text}
    return text


def _member_joined(who: str, fields: Fields) -> str:
    return _("%(who)s joined the family as %(role)s") % {"who": who, "role": _role(fields)}


def _invitation(who: str, fields: Fields) -> str:
    return _("%(who)s invited someone to join as %(role)s") % {"who": who, "role": _role(fields)}


def _moderated(who: str, fields: Fields) -> str:
    decision = fields.get("decision")
    if decision == "approved":
        return _("%(who)s delivered a moderated message as written") % {"who": who}
    if decision == "edited":
        return _("%(who)s delivered a moderated message with changes") % {"who": who}
    return _("%(who)s did not deliver a moderated message") % {"who": who}


def _access_granted(who: str, fields: Fields) -> str:
    days = fields.get("days")
    if isinstance(days, int):
        return _("%(who)s gave a professional read-only access for %(days)d days") % {
            "who": who,
            "days": days,
        }
    return _("%(who)s gave a professional read-only access") % {"who": who}


def _access_approval(who: str, fields: Fields) -> str:
    if fields.get("access_approval") == "both":
        return _("%(who)s decided that both parents must approve a professional's access") % {
            "who": who
        }
    return _("%(who)s decided that one parent's approval is enough for a professional") % {
        "who": who
    }


def _away(verb: str) -> Sentence:
    def sentence(who: str, fields: Fields) -> str:
        return _with(
            _(verb) % {"who": who},
            _span(fields, "start_at", "end_at"),
            _("%(sentence)s for %(detail)s"),
        )

    return sentence


def _decision(verb: str) -> Sentence:
    """ "Alice proposed a decision (Education)": the category is a leaf field; the title is not."""

    def sentence(who: str, fields: Fields) -> str:
        from coparent.decisions.models import Category

        text = _(verb) % {"who": who}
        category = str(fields.get("category", ""))
        if category in Category.values:
            return _("%(sentence)s (%(category)s)") % {
                "sentence": text,
                "category": Category(category).label,
            }
        return text

    return sentence


def _decision_expired(who: str, fields: Fields) -> str:
    if fields.get("outcome") == "court_default":
        return _(
            "The respond-by date passed unanswered on a proposed decision; the default outcome "
            "from the court order applies"
        )
    return _("The respond-by date passed unanswered on a proposed decision; nothing was decided")


def _decision_shared(who: str, fields: Fields) -> str:
    caregivers, children = fields.get("caregivers") == 1, fields.get("children") == 1
    if caregivers and children:
        return _("%(who)s shared an agreement with caregivers and children") % {"who": who}
    if caregivers:
        return _("%(who)s shared an agreement with caregivers") % {"who": who}
    if children:
        return _("%(who)s shared an agreement with the children") % {"who": who}
    return _("%(who)s stopped sharing an agreement") % {"who": who}


def _money(verb: str) -> Sentence:
    """A sentence with the entry's amount and currency ("… of 120.00 USD"), when it has them."""

    def sentence(who: str, fields: Fields) -> str:
        amount, currency = fields.get("amount"), fields.get("currency")
        text = _(verb) % {"who": who}
        if isinstance(amount, str) and isinstance(currency, str) and amount and currency:
            return _("%(sentence)s: %(amount)s %(currency)s") % {
                "sentence": text,
                "amount": amount,
                "currency": currency,
            }
        return text

    return sentence


def _receipt(who: str, fields: Fields) -> str:
    if str(fields.get("media_type", "")).startswith("image/"):
        return _("%(who)s added a photo of a receipt to an expense") % {"who": who}
    return _("%(who)s added a receipt to an expense") % {"who": who}


def _expense_created(who: str, fields: Fields) -> str:
    if fields.get("recurring"):
        return _money(gettext_noop("A repeating expense came due and its share was asked for"))(
            who, fields
        )
    return _money(gettext_noop("%(who)s recorded an expense"))(who, fields)


LABELS: dict[str, Sentence] = {
    "family.created": _plain(gettext_noop("%(who)s created the family")),
    "member.joined": _member_joined,
    "member.access_ended": _plain(gettext_noop("%(who)s ended someone's access to the family")),
    "child.added": _plain(gettext_noop("%(who)s added a child")),
    "child.updated": _plain(gettext_noop("%(who)s updated a child's details")),
    "invitation.created": _invitation,
    "invitation.withdrawn": _plain(gettext_noop("%(who)s withdrew an invitation")),
    "invitation.renewed": _plain(gettext_noop("%(who)s sent an invitation again with a new link")),
    "thread.created": _plain(gettext_noop("%(who)s started a conversation")),
    "message.sent": _message,
    "attachment.added": _attachment,
    "message.viewed": _plain(gettext_noop("%(who)s read a message")),
    "redaction": _plain(gettext_noop("%(who)s redacted a message")),
    "schedule.proposed": _schedule(gettext_noop("%(who)s proposed a schedule")),
    "schedule.accepted": _schedule(gettext_noop("%(who)s agreed to the schedule")),
    "schedule.declined": _schedule(gettext_noop("%(who)s declined the proposed schedule")),
    "schedule.withdrawn": _schedule(gettext_noop("%(who)s withdrew a proposed schedule")),
    "schedule.expired": _schedule(
        gettext_noop("The deadline passed unanswered on a proposed schedule")
    ),
    "swap.requested": _swap(gettext_noop("%(who)s asked to swap time")),
    "swap.countered": _swap(gettext_noop("%(who)s answered a swap request with a counter-offer")),
    "swap.accepted": _swap(gettext_noop("%(who)s accepted the swap")),
    "swap.declined": _swap(gettext_noop("%(who)s declined the swap")),
    "swap.withdrawn": _swap(gettext_noop("%(who)s withdrew the swap request")),
    "plan.time_away_offered": _away(
        gettext_noop("%(who)s will be away and offered the time to the other parent first")
    ),
    "plan.time_away_accepted": _away(
        gettext_noop("%(who)s took the time offered while the other parent is away")
    ),
    "plan.time_away_declined": _away(gettext_noop("%(who)s declined the time offered")),
    "plan.time_away_withdrawn": _away(gettext_noop("%(who)s withdrew an offer of time away")),
    "plan.time_away_expired": _away(
        gettext_noop("The deadline passed unanswered on an offer of time away")
    ),
    "swap.expired": _swap(gettext_noop("The deadline passed unanswered on the swap request")),
    "decision.proposed": _decision(gettext_noop("%(who)s proposed a decision")),
    "decision.countered": _decision(
        gettext_noop("%(who)s answered a proposed decision with a new version")
    ),
    "decision.accepted": _plain(gettext_noop("%(who)s accepted a proposed decision: it is agreed")),
    "decision.declined": _plain(gettext_noop("%(who)s declined a proposed decision")),
    "decision.withdrawn": _plain(gettext_noop("%(who)s withdrew a proposed decision")),
    "decision.expired": _decision_expired,
    "decision.commented": _plain(gettext_noop("%(who)s commented on a decision")),
    "decision.shared": _decision_shared,
    "event.created": _event(gettext_noop("%(who)s added an event")),
    "event.updated": _event(gettext_noop("%(who)s changed an event")),
    "event.deleted": _event(gettext_noop("%(who)s removed an event")),
    "calendar_feed.created": _plain(gettext_noop("%(who)s made a private calendar link")),
    "calendar_feed.revoked": _plain(gettext_noop("%(who)s turned off their private calendar link")),
    "exchange.terms_proposed": _plain(
        gettext_noop("%(who)s proposed where and how exchanges happen")
    ),
    "exchange.terms_accepted": _plain(gettext_noop("%(who)s agreed to the exchange terms")),
    "exchange.terms_declined": _plain(gettext_noop("%(who)s declined the proposed exchange terms")),
    "exchange.checkin": _checkin,
    "exchange.missed": _plain(gettext_noop("%(who)s reported that an exchange did not happen")),
    "pass.issued": _pass_issued,
    "childinfo.added": _child_info(
        gettext_noop("%(who)s added to a child's information: %(kind)s")
    ),
    "childinfo.changed": _child_info(
        gettext_noop("%(who)s changed a child's information: %(kind)s")
    ),
    "childinfo.removed": _child_info(
        gettext_noop("%(who)s removed from a child's information: %(kind)s")
    ),
    "childinfo.calendared": _plain(
        gettext_noop("%(who)s put an activity's sessions on the calendar")
    ),
    "pass.cosigned": _plain(gettext_noop("%(who)s co-signed a pickup pass")),
    "pass.revoked": _plain(gettext_noop("%(who)s cancelled a pickup pass")),
    "gate.created": _plain(gettext_noop("%(who)s set up a place where staff check pickup passes")),
    "gate.revoked": _plain(gettext_noop("%(who)s closed a place where staff check pickup passes")),
    "gate.link_replaced": _plain(
        gettext_noop("%(who)s replaced the staff link of a place where pickup passes are checked")
    ),
    "safety.protection_started": _plain(
        gettext_noop(
            "%(who)s turned on protective-order mode: messages from the other parent pass a "
            "form or a moderator, and their read receipts stay off the record"
        )
    ),
    "safety.protection_ended": _plain(gettext_noop("%(who)s turned off protective-order mode")),
    "safety.moderator_set": _plain(gettext_noop("%(who)s named who moderates messages")),
    "safety.message_held": _plain(
        gettext_noop("%(who)s wrote a message for the moderator to review")
    ),
    "safety.message_moderated": _moderated,
    "document.added": _plain(gettext_noop("%(who)s added a document")),
    "document.changed": _plain(gettext_noop("%(who)s changed a document's details")),
    "document.version_added": _plain(gettext_noop("%(who)s uploaded a version of a document")),
    "journal.written": _plain(
        gettext_noop("%(who)s wrote a private journal entry (its fingerprint only)")
    ),
    "journal.shared": _plain(
        gettext_noop("%(who)s shared private journal entries with a professional")
    ),
    "journal.share_revoked": _plain(
        gettext_noop("%(who)s stopped sharing private journal entries")
    ),
    "access_request.filed": _plain(
        gettext_noop("%(who)s filed a professional's request for access under this family")
    ),
    "access_request.approved": _plain(
        gettext_noop("%(who)s approved a professional's request for access")
    ),
    "access_request.granted": _access_granted,
    "access_request.declined": _plain(
        gettext_noop("%(who)s declined a professional's request for access")
    ),
    "access_request.withdrawn": _plain(gettext_noop("%(who)s withdrew their request for access")),
    "member.left": _plain(gettext_noop("%(who)s left the family and deleted their account")),
    "family.emptied": _plain(
        gettext_noop(
            "The last member left the family; it will be deleted unless a parent placed a hold"
        )
    ),
    "family.access_approval_changed": _access_approval,
    "family.hold_placed": _plain(
        gettext_noop("%(who)s placed a hold: the family's data is kept even if everyone leaves")
    ),
    "family.hold_lifted": _plain(
        gettext_noop("%(who)s lifted the hold on deleting the family's data")
    ),
    "expense.settings_changed": _plain(gettext_noop("%(who)s changed the expense settings")),
    "expense.category_added": _plain(gettext_noop("%(who)s added an expense category")),
    "expense.shared": _plain(
        gettext_noop("%(who)s changed which expense categories a caregiver sees")
    ),
    "expense.rules_proposed": _plain(
        gettext_noop("%(who)s proposed split rules for shared expenses")
    ),
    "expense.rules_accepted": _plain(gettext_noop("%(who)s agreed to the split rules")),
    "expense.rules_declined": _plain(gettext_noop("%(who)s declined the proposed split rules")),
    "expense.rules_withdrawn": _plain(gettext_noop("%(who)s withdrew proposed split rules")),
    "expense.rules_expired": _plain(
        gettext_noop("The deadline passed unanswered on proposed split rules")
    ),
    "expense.created": _expense_created,
    "expense.corrected": _money(gettext_noop("%(who)s corrected an expense")),
    "expense.correction_reason": _plain(gettext_noop("%(who)s gave a reason for a correction")),
    "expense.receipt_added": _receipt,
    "expense.approved": _money(gettext_noop("%(who)s approved a share of an expense")),
    "expense.partly_approved": _money(
        gettext_noop("%(who)s approved part of a share of an expense")
    ),
    "expense.disputed": _plain(gettext_noop("%(who)s disputed an expense")),
    "expense.replied": _plain(gettext_noop("%(who)s answered about an expense and asked again")),
    "expense.withdrawn": _plain(gettext_noop("%(who)s withdrew an expense")),
    "expense.overdue": _plain(
        gettext_noop("A request for a share of an expense passed its answer date unanswered")
    ),
    "expense.recurring_created": _money(gettext_noop("%(who)s set up a repeating expense")),
    "expense.recurring_stopped": _plain(gettext_noop("%(who)s stopped a repeating expense")),
    "expense.consent_requested": _money(gettext_noop("%(who)s asked for consent before spending")),
    "expense.consent_given": _plain(
        gettext_noop("%(who)s consented to spending above the agreed limit")
    ),
    "expense.consent_refused": _plain(gettext_noop("%(who)s did not consent to spending")),
    "payment.recorded": _money(gettext_noop("%(who)s recorded a payment")),
    "payment.confirmed": _plain(gettext_noop("%(who)s confirmed receiving a payment")),
    "payment.disputed": _plain(gettext_noop("%(who)s disputed a payment")),
    ROLLBACK: _plain(
        gettext_noop("The server was restored from a backup and some entries were lost")
    ),
}


def entry_label(kind: str, who: str, fields: Fields) -> str:
    """The sentence for one entry; an unknown kind (from a newer server, say) reads plainly."""
    sentence = LABELS.get(kind)
    if sentence is None:
        return _("%(who)s: %(kind)s") % {"who": who, "kind": kind}
    return sentence(who, fields)
