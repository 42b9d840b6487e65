"""The access log in words: one line per page a professional opened ("Dana viewed the calendar
(December 2026)"), with what that page asked for in the background (record checks, a
conversation's polls for new messages) folded under it, and the raw requests behind each line.

Grouping key: the page view's request id. The page hands its own id to the record witness
script and to htmx, which name it on their background calls (core.tenancy.PAGE_HEADER); those
calls are stored with it as `page_request_id`. Time windows would fold a scripted call made in
the same second under a page it had nothing to do with; the id ties each call to its page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coparent.families.models import AccessLogEntry, Family

# What opening each family page means, as "<who> <phrase>". Every family page has one
# (tests/test_families.py checks), so a new page cannot show up as a bare address.
PAGES: dict[str, str] = {
    "families:detail": gettext_noop("opened the family's home page"),
    "families:members": gettext_noop("viewed the people in the family"),
    "families:invitation_create": gettext_noop("opened the invitation form"),
    "families:invitation_revoke": gettext_noop("opened an invitation"),
    "families:invitation_resend": gettext_noop("opened an invitation"),
    "families:membership_revoke": gettext_noop("opened a member's access page"),
    "families:child_add": gettext_noop("opened the form to add a child"),
    "families:child_edit": gettext_noop("viewed a child's details"),
    "families:access_log": gettext_noop("viewed the access log"),
    "families:access_log_member": gettext_noop("viewed what a professional opened"),
    "families:access_request_review": gettext_noop("opened a professional's request for access"),
    "families:settings": gettext_noop("viewed the family's settings"),
    "records:record": gettext_noop("viewed the family record"),
    "records:export": gettext_noop("downloaded a copy of the family record"),
    "messaging:threads": gettext_noop("viewed the list of conversations"),
    "messaging:thread_create": gettext_noop("opened the form to start a conversation"),
    "messaging:search": gettext_noop("searched the messages"),
    "messaging:response_times": gettext_noop("viewed message response times"),
    "messaging:settings": gettext_noop("viewed the message settings"),
    "messaging:attachment": gettext_noop("opened a file attached to a message"),
    "messaging:thread": gettext_noop("read a conversation"),
    "messaging:poll": gettext_noop("checked a conversation for new messages"),
    "messaging:message_seen": gettext_noop("opened a message"),
    "messaging:message_redact": gettext_noop("opened the redaction form of a message"),
    "childinfo:children": gettext_noop("viewed the list of children"),
    "childinfo:child": gettext_noop("viewed a child's information"),
    "childinfo:history": gettext_noop("viewed the history of a child's information"),
    "childinfo:item_new": gettext_noop("opened the form to add to a child's information"),
    "childinfo:item_edit": gettext_noop("opened the form to change a child's information"),
    "childinfo:item_remove": gettext_noop("opened the form to remove a child's information"),
    "childinfo:activity_calendar": gettext_noop(
        "opened the form to put an activity on the calendar"
    ),
    "decisions:list": gettext_noop("viewed the family's decisions"),
    "decisions:new": gettext_noop("opened the form to propose a decision"),
    "decisions:detail": gettext_noop("viewed a decision"),
    "decisions:accept": gettext_noop("opened a decision's answer"),
    "decisions:decline": gettext_noop("opened a decision's answer"),
    "decisions:counter": gettext_noop("opened the form to counter-propose a decision"),
    "decisions:withdraw": gettext_noop("opened a decision's answer"),
    "decisions:comment": gettext_noop("opened a decision's comments"),
    "decisions:agreements": gettext_noop("viewed the family's agreements"),
    "decisions:agreement_share": gettext_noop("opened an agreement's sharing"),
    "passes:list": gettext_noop("viewed the pickup passes"),
    "passes:new": gettext_noop("opened the form to issue a pickup pass"),
    "passes:gates": gettext_noop("viewed the places where staff check passes"),
    "passes:gate_revoke": gettext_noop("opened a pass-checking place"),
    "passes:gate_detail": gettext_noop("viewed a place where staff check passes"),
    "passes:gate_link_replace": gettext_noop("opened a pass-checking place"),
    "passes:mine": gettext_noop("viewed their own pickup passes"),
    "passes:detail": gettext_noop("viewed a pickup pass"),
    "passes:photo": gettext_noop("viewed the photo on a pickup pass"),
    "passes:revoke": gettext_noop("opened the form to cancel a pickup pass"),
    "passes:cosign": gettext_noop("opened the form to co-sign a pickup pass"),
    "documents:list": gettext_noop("viewed the documents"),
    "documents:new": gettext_noop("opened the form to add a document"),
    "documents:detail": gettext_noop("viewed a document"),
    "documents:edit": gettext_noop("opened the form to change a document"),
    "documents:version_new": gettext_noop("opened the form to upload a new version of a document"),
    "documents:preview": gettext_noop("viewed a document's file"),
    "documents:download": gettext_noop("downloaded a document's file"),
    "journal:list": gettext_noop("opened their private journal"),
    "journal:new": gettext_noop("opened the form to write a journal entry"),
    "journal:detail": gettext_noop("read an entry of their private journal"),
    "journal:correct": gettext_noop("opened the form to correct a journal entry"),
    "journal:photo": gettext_noop("viewed a photo in a journal entry"),
    "journal:shares": gettext_noop("viewed what they share of their journal"),
    "journal:share_revoke": gettext_noop("opened the form to stop sharing journal entries"),
    "journal:shared": gettext_noop("read the journal entries shared with them"),
    "exchanges:list": gettext_noop("viewed the exchanges"),
    "exchanges:report": gettext_noop("viewed the exchange report"),
    "reports:list": gettext_noop("viewed the court reports page"),
    "reports:status": gettext_noop("checked on a court report being written"),
    "reports:download": gettext_noop("downloaded a court report"),
    "reports:tables": gettext_noop("downloaded the tables of a court report"),
    "exchanges:reminders": gettext_noop("viewed the exchange reminders"),
    "exchanges:terms": gettext_noop("viewed the exchange terms"),
    "exchanges:terms_decide": gettext_noop("opened proposed exchange terms"),
    "exchanges:detail": gettext_noop("viewed an exchange"),
    "exchanges:check_in": gettext_noop("opened the check-in of an exchange"),
    "exchanges:missed": gettext_noop("opened the report of a missed exchange"),
    "plan:plan": gettext_noop("viewed the parenting plan"),
    "plan:print": gettext_noop("viewed the printable parenting plan"),
    "plan:propose": gettext_noop("opened the form to propose a provision of the plan"),
    "plan:counter": gettext_noop("opened the form to answer a provision with different terms"),
    "plan:answer": gettext_noop("opened the answer to a proposed provision"),
    "plan:share": gettext_noop("opened the sharing of a provision of the plan"),
    "plan:time_away_new": gettext_noop("opened the time-away form"),
    "plan:time_away": gettext_noop("viewed an offer of time away"),
    "plan:time_away_answer": gettext_noop("opened the answer to an offer of time away"),
    "expenses:ledger": gettext_noop("viewed the money ledger"),
    "expenses:expense_new": gettext_noop("opened the form to add an expense"),
    "expenses:summary": gettext_noop("viewed the money summary"),
    "expenses:export": gettext_noop("downloaded the expenses as a spreadsheet"),
    "expenses:settings": gettext_noop("viewed the money settings"),
    "expenses:rules": gettext_noop("viewed the split rules"),
    "expenses:recurring": gettext_noop("viewed the repeating expenses"),
    "expenses:consents": gettext_noop("viewed the requests for consent before spending"),
    "expenses:rules_detail": gettext_noop("viewed a split rules proposal"),
    "expenses:payment_new": gettext_noop("opened the form to record a payment"),
    "expenses:settle_up": gettext_noop("opened the settle-up form"),
    "expenses:payment_detail": gettext_noop("viewed a payment"),
    "expenses:payment_proof": gettext_noop("opened the proof of a payment"),
    "expenses:receipt": gettext_noop("opened a receipt"),
    "expenses:receipt_add": gettext_noop("opened the form to add receipts to an expense"),
    "expenses:expense_detail": gettext_noop("viewed an expense"),
    "expenses:expense_answer": gettext_noop("opened the answer form of an expense"),
    "expenses:expense_correct": gettext_noop("opened the correction form of an expense"),
    "schedule:month": gettext_noop("viewed the calendar"),
    "schedule:week": gettext_noop("viewed the calendar by week"),
    "schedule:agenda": gettext_noop("viewed the agenda"),
    "schedule:feed_settings": gettext_noop("viewed the calendar link settings"),
    "schedule:overview": gettext_noop("viewed the parenting schedule"),
    "schedule:builder": gettext_noop("opened the schedule builder"),
    "schedule:import": gettext_noop("opened the schedule import"),
    "schedule:export": gettext_noop("downloaded the parenting schedule"),
    "schedule:version_accept": gettext_noop("opened a proposed schedule"),
    "schedule:version_decline": gettext_noop("opened a proposed schedule"),
    "schedule:version_withdraw": gettext_noop("opened a proposed schedule"),
    "schedule:swaps": gettext_noop("viewed the swap requests"),
    "schedule:swap_create": gettext_noop("opened the form to ask for a swap"),
    "schedule:swap_detail": gettext_noop("viewed a swap request"),
    "schedule:swap_counter": gettext_noop("opened a swap request's counter-offer form"),
    "schedule:swap_accept": gettext_noop("opened a swap request"),
    "schedule:swap_decline": gettext_noop("opened a swap request"),
    "schedule:swap_withdraw": gettext_noop("opened a swap request"),
    "schedule:event_create": gettext_noop("opened the form to add an event"),
    "schedule:event_detail": gettext_noop("viewed an event"),
    "schedule:event_delete": gettext_noop("opened an event"),
    "schedule:report": gettext_noop("viewed the parenting-time report"),
    "schedule:report_csv": gettext_noop("downloaded the parenting-time report"),
    "safety:protection": gettext_noop("opened the protective-order page"),
    "safety:protection_end": gettext_noop("turned protective-order mode off"),
    "safety:moderator": gettext_noop("changed the moderator"),
    "safety:order_document": gettext_noop("downloaded the protective order"),
    "safety:structured": gettext_noop("opened a message form"),
    "safety:hold": gettext_noop("wrote a message for the moderator"),
    "safety:moderation": gettext_noop("viewed the messages to moderate"),
    "safety:moderate": gettext_noop("moderated a message"),
    "safety:contact": gettext_noop("changed their contact details"),
}
VISITS = 100


@dataclass
class Visit:
    at: dt.datetime
    sentence: str
    raw: list[str] = field(default_factory=list)
    background: int = 0


def _day(value: str) -> str:
    return formats.date_format(dt.date.fromisoformat(value), "DATE_FORMAT")


def describe_detail(detail: str) -> str:
    """ "month=2026-12" -> "December 2026". The values were checked when written; a malformed
    one (an impossible date) is left out rather than shown."""
    parts: dict[str, str] = dict(
        part.split("=", 1) for part in detail.split("&") if part.count("=") == 1
    )
    try:
        if "month" in parts:
            year, month = (int(n) for n in parts["month"].split("-"))
            return formats.date_format(dt.date(year, month, 1), "YEAR_MONTH_FORMAT")
        if "date" in parts:
            return _("from %(day)s") % {"day": _day(parts["date"])}
        first = parts.get("from") or parts.get("start")
        last = parts.get("to") or parts.get("end")
        if first and last:
            return _("%(first)s to %(last)s") % {"first": _day(first), "last": _day(last)}
        if "at" in parts:
            moment = dt.datetime.fromtimestamp(int(parts["at"]), tz=dt.UTC)
            return formats.date_format(moment.date(), "DATE_FORMAT")
    except (ValueError, OverflowError):
        return ""
    return ""


def describe(entry: AccessLogEntry) -> str:
    who = entry.user.display_name
    if entry.view_name in PAGES:
        text = _("%(who)s %(what)s") % {"who": who, "what": _(PAGES[entry.view_name])}
    elif entry.via_api:
        text = _("%(who)s read %(path)s through the API") % {"who": who, "path": entry.path}
    else:  # a row from before pages were named
        text = _("%(who)s opened %(path)s") % {"who": who, "path": entry.path}
    detail = describe_detail(entry.detail)
    return f"{text} ({detail})" if detail else text


def raw_line(entry: AccessLogEntry) -> str:
    return f"{'API ' if entry.via_api else ''}{entry.method} {entry.path}"


def visit_list(family: Family, *, user_id: int | None = None) -> list[Visit]:
    """The newest visits, newest first, each with the background checks its page made; only
    one person's with `user_id`. Two queries however long the log: the visits, then the checks
    that name them."""
    pages = AccessLogEntry.objects.filter(family=family, page_request_id="")
    if user_id is not None:
        pages = pages.filter(user_id=user_id)
    visits = list(pages.select_related("user").order_by("-at", "-pk")[:VISITS])
    by_request = {v.request_id: v for v in visits if v.request_id}
    checks: dict[str, list[AccessLogEntry]] = {}
    if by_request:
        for check in AccessLogEntry.objects.filter(
            family=family, page_request_id__in=list(by_request)
        ).order_by("at", "pk"):
            page = by_request[check.page_request_id]
            if check.user_id == page.user_id:  # only the same person's page groups their checks
                checks.setdefault(check.page_request_id, []).append(check)
    result = []
    for entry in visits:
        grouped = checks.get(entry.request_id, []) if entry.request_id else []
        result.append(
            Visit(
                at=entry.at,
                sentence=describe(entry),
                raw=[raw_line(entry), *(raw_line(c) for c in grouped)],
                background=len(grouped),
            )
        )
    return result
