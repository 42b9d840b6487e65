"""What each kind says when it must not say anything (the neutral title), and how it is
delivered until the person chooses otherwise."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from coparent.notifications.models import Channel, Kind

# Neutral: true of any family, naming nobody and quoting nothing, safe on a shared screen.
NEUTRAL_TITLES: dict[str, Promise] = {
    Kind.MESSAGE: _("You have a new message in coparent"),
    Kind.SWAP_REQUEST: _("You have a new request in coparent"),
    Kind.SWAP_ANSWER: _("A request you made in coparent was answered"),
    Kind.SCHEDULE_PROPOSAL: _("You have a new proposal in coparent"),
    Kind.SCHEDULE_ANSWER: _("A proposal you made in coparent was answered"),
    Kind.DEADLINE_EXPIRED: _("A request or proposal in coparent expired"),
    Kind.DECISION_PROPOSAL: _("You have a new proposal in coparent"),
    Kind.DECISION_ANSWER: _("A proposal you made in coparent was answered"),
    Kind.DECISION_COMMENT: _("There is a new comment in coparent"),
    Kind.PASS_ISSUED: _("There is news about a pickup pass in coparent"),
    Kind.PASS_COSIGNED: _("There is news about a pickup pass in coparent"),
    Kind.PASS_REVOKED: _("There is news about a pickup pass in coparent"),
    Kind.PASS_CHECKED: _("There is news about a pickup pass in coparent"),
    Kind.EXCHANGE_REMINDER: _("You have a reminder from coparent"),
    Kind.EXCHANGE_CHECKIN: _("There is news about an exchange in coparent"),
    Kind.MEMBER_JOINED: _("There is news about your family in coparent"),
    Kind.PROFESSIONAL_ACCESS: _("There is news about your family in coparent"),
    Kind.SIGN_IN: _("New sign-in to your coparent account"),
    Kind.PROTECTION: _("There is news about your family in coparent"),
    Kind.MODERATION: _("There is news about messages in coparent"),
    Kind.CHILD_MEDICAL: _("There is news about your children's information in coparent"),
    Kind.DOCUMENT_ADDED: _("There is news about a document in coparent"),
    Kind.DOCUMENT_EXPIRING: _("You have a reminder from coparent"),
    Kind.JOURNAL_SHARED: _("Something was shared with you in coparent"),
    Kind.ACCESS_REQUEST: _("There is news about your family in coparent"),
    Kind.TIME_AWAY_OFFER: _("You have a new request in coparent"),
    Kind.TIME_AWAY_ANSWER: _("A request you made in coparent was answered"),
    Kind.EXPENSE_REQUEST: _("There is news about shared expenses in coparent"),
    Kind.EXPENSE_ANSWER: _("There is news about shared expenses in coparent"),
    Kind.EXPENSE_OVERDUE: _("There is news about shared expenses in coparent"),
    Kind.EXPENSE_RULES: _("There is news about shared expenses in coparent"),
    Kind.PAYMENT: _("There is news about shared expenses in coparent"),
}

# What was emailed before notifications existed keeps being emailed; the rest waits in the app.
DEFAULT_CHANNELS: dict[str, str] = {
    Kind.MESSAGE: Channel.EMAIL,
    Kind.SWAP_REQUEST: Channel.EMAIL,
    Kind.SWAP_ANSWER: Channel.EMAIL,
    Kind.SCHEDULE_PROPOSAL: Channel.EMAIL,
    Kind.SCHEDULE_ANSWER: Channel.EMAIL,
    Kind.DEADLINE_EXPIRED: Channel.EMAIL,
    Kind.DECISION_PROPOSAL: Channel.EMAIL,
    Kind.DECISION_ANSWER: Channel.EMAIL,
    Kind.DECISION_COMMENT: Channel.APP,
    Kind.PASS_ISSUED: Channel.EMAIL,
    Kind.PASS_COSIGNED: Channel.APP,
    Kind.PASS_REVOKED: Channel.APP,
    Kind.PASS_CHECKED: Channel.APP,
    Kind.EXCHANGE_REMINDER: Channel.EMAIL,
    Kind.EXCHANGE_CHECKIN: Channel.APP,
    Kind.MEMBER_JOINED: Channel.APP,
    Kind.PROFESSIONAL_ACCESS: Channel.EMAIL,
    Kind.SIGN_IN: Channel.EMAIL,
    Kind.PROTECTION: Channel.EMAIL,
    Kind.MODERATION: Channel.EMAIL,
    Kind.CHILD_MEDICAL: Channel.EMAIL,
    Kind.DOCUMENT_ADDED: Channel.APP,
    Kind.DOCUMENT_EXPIRING: Channel.EMAIL,
    Kind.JOURNAL_SHARED: Channel.EMAIL,
    Kind.ACCESS_REQUEST: Channel.EMAIL,
    Kind.TIME_AWAY_OFFER: Channel.EMAIL,
    Kind.TIME_AWAY_ANSWER: Channel.EMAIL,
    Kind.EXPENSE_REQUEST: Channel.EMAIL,
    Kind.EXPENSE_ANSWER: Channel.EMAIL,
    Kind.EXPENSE_OVERDUE: Channel.EMAIL,
    Kind.EXPENSE_RULES: Channel.EMAIL,
    Kind.PAYMENT: Channel.APP,
}

# Only these get through quiet hours: a handover does not wait for the morning.
THROUGH_QUIET_HOURS = frozenset({Kind.EXCHANGE_REMINDER})
