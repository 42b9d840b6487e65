"""Each provision in words: (label, value) lines for the plan page, the printable plan and the
subject summary the decisions app shows. `names` maps a parent's member id to their name."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from coparent.plan.forms import WEEKDAYS
from coparent.plan.provisions import (
    JOINT,
    Authority,
    Calls,
    ChildrenOnline,
    FirstRefusal,
    NewPartners,
    Provision,
    Relocation,
    Travel,
)

Lines = list[tuple[str, str]]


def _days(n: int) -> str:
    return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}


def _who(member_id: str, names: dict[str, str]) -> str:
    if member_id == JOINT:
        return _("Both parents, jointly")
    if not member_id:
        return _("Not said")
    return names.get(member_id, _("A parent no longer in the family"))


def _weekdays(days: list[int]) -> str:
    labels = dict(WEEKDAYS)
    return ", ".join(str(labels[d]) for d in days if d in labels)


def describe(provision: Provision, names: dict[str, str]) -> Lines:
    lines: Lines = []
    if isinstance(provision, FirstRefusal):
        lines += [
            (
                _("Offered first when away for more than"),
                ngettext("%(n)d hour", "%(n)d hours", provision.hours) % {"n": provision.hours},
            ),
            (
                _("Time to answer an offer"),
                ngettext("%(n)d hour", "%(n)d hours", provision.respond_hours)
                % {"n": provision.respond_hours},
            ),
        ]
    elif isinstance(provision, NewPartners):
        lines += [
            (_("Notice before introductions"), _days(provision.introduction_notice_days)),
            (_("Notice before overnights with a partner"), _days(provision.overnight_notice_days)),
            (
                _("Minimum time together first"),
                ngettext("%(n)d month", "%(n)d months", provision.minimum_months_together)
                % {"n": provision.minimum_months_together}
                if provision.minimum_months_together
                else pgettext("plan value", "None"),
            ),
        ]
    elif isinstance(provision, ChildrenOnline):
        photos = {
            "both": _("Either parent may post photos of the children"),
            "with_consent": _("Only with the other parent's consent"),
            "neither": _("Neither parent posts photos of the children"),
        }
        lines += [
            (_("Photos of the children"), photos[provision.photos]),
            (_("Platforms"), ", ".join(provision.platforms) or _("None named")),
            (_("Age for their own accounts"), str(provision.own_account_age)),
            (_("Not to be posted"), provision.not_posted or _("Nothing named")),
        ]
    elif isinstance(provision, Travel):
        lines += [
            (_("Notice before travel"), _days(provision.notice_days)),
            (
                _("Itinerary for travel abroad"),
                _("Required") if provision.international_itinerary else _("Not required"),
            ),
            (_("Passports kept by"), _who(provision.passports_held_by, names)),
        ]
    elif isinstance(provision, Relocation):
        lines.append((_("Notice before a move"), _days(provision.notice_days)))
    elif isinstance(provision, Calls):
        for window in provision.windows:
            lines.append(
                (
                    _weekdays(window.weekdays),
                    _("%(start)s to %(end)s (%(zone)s)")
                    % {"start": window.start, "end": window.end, "zone": provision.timezone},
                )
            )
        lines.append((_("Who calls"), _("The parent who does not have the children")))
    elif isinstance(provision, Authority):
        lines += [
            (_("Education decisions"), _who(provision.education, names)),
            (_("Medical decisions"), _who(provision.medical, names)),
        ]
    if provision.note:
        lines.append((_("Also agreed"), provision.note))
    return lines


def summary(provision: Provision, names: dict[str, str]) -> str:
    return "; ".join(f"{label}: {value}" for label, value in describe(provision, names))
