"""The exchanges section of a court report: each planned handover in the period with its
check-ins and times, late, no-show or not recorded, and planned versus actual parenting time."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from coparent.exchanges import selectors
from coparent.reports.sections import ReportOut, ReportScope, Section, register_section

STATES = {
    "upcoming": pgettext_lazy("exchange status", "Upcoming"),
    "waiting": _("Waiting for check-ins"),
    "done": pgettext_lazy("exchange status", "Done"),
    "missed": _("Reported as not happened"),
    "not_recorded": _("Not recorded"),
    "cancelled": _("Cancelled by a schedule change"),
}
KINDS = [
    "exchange.checkin",
    "exchange.missed",
    "exchange.terms_proposed",
    "exchange.terms_accepted",
]


def write(scope: ReportScope, out: ReportOut) -> None:
    now = timezone.now()
    logged: dict[tuple[str, str], list[int]] = defaultdict(list)
    for row, entry in scope.entries(KINDS, until=max(scope.end, now) + dt.timedelta(days=2)):
        if "exchange" in entry.fields:
            logged[(str(entry.fields["plan"]), str(entry.fields["exchange"]))].append(row.index)
    views = selectors.exchange_views(scope.family, scope.reader, scope.start, scope.end, now=now)
    out.heading(str(_("Handovers")), level=2)
    out.note(
        str(
            _(
                "Each handover the agreed schedule planned, with who checked in and when. Late "
                "means after the agreed grace period; a no-show is a side the other's check-in "
                "or report shows absent; not recorded means nobody said anything."
            )
        )
    )
    write_csv = out.csv(
        "exchanges",
        ["planned_at", "from", "to", "children", "check_ins", "outcome", "late", "no_show"],
    )
    rows = []
    for view in views:
        key = (str(view.plan.public_id), view.at.astimezone(dt.UTC).isoformat())
        checkins = "; ".join(
            f"{c.member.user.display_name}: {c.kind.replace('_', ' ')} {scope.when(c.at)}"
            + (f" ({c.place})" if c.place else "")
            for c in view.checkins
        )
        state = str(STATES.get(view.outcome.state, view.outcome.state)) if view.outcome else ""
        values = [
            scope.when(view.at),
            view.name(view.from_parent),
            view.name(view.to_parent),
            ", ".join(child.first_name for child in view.children),
            checkins,
            state,
            ", ".join(view.late_names),
            ", ".join(view.no_show_names),
        ]
        write_csv(values)
        marks = ", ".join(out.entry(index) for index in logged.get(key, []))
        rows.append([*values, marks])
    out.table(
        [
            str(_("Planned")),
            str(pgettext_lazy("handover parent", "From")),
            str(pgettext_lazy("handover parent", "To")),
            str(_("Children")),
            str(_("Check-ins")),
            str(_("Outcome")),
            str(_("Late")),
            str(_("No-show")),
            str(_("Record")),
        ],
        [13, 9, 9, 9, 22, 11, 8, 8, 11],
        rows,
    )

    out.heading(str(_("Planned versus actual parenting time")), level=2)
    out.note(
        str(
            _(
                "Per plan: time with each parent by the agreed schedule, and by what the "
                "check-ins show. A handover nobody recorded counts as planned."
            )
        )
    )
    time_csv = out.csv(
        "parenting_time",
        [
            "plan",
            "parent",
            "planned_overnights",
            "planned_hours",
            "actual_overnights",
            "actual_hours",
            "not_recorded_handovers",
        ],
    )
    time_rows = []
    for plan in selectors.planned_versus_actual(
        scope.family, scope.reader, scope.start, scope.end, now=now
    ):
        for name, planned, actual in plan.lines:
            values = [
                plan.label,
                name,
                str(planned.overnights),
                f"{planned.hours:.1f} ({planned.hours_percent:.1f}%)",
                str(actual.overnights),
                f"{actual.hours:.1f} ({actual.hours_percent:.1f}%)",
                str(plan.not_recorded),
            ]
            time_csv(values)
            time_rows.append(values)
    out.table(
        [
            str(_("Plan")),
            str(_("Parent")),
            str(_("Planned nights")),
            str(_("Planned hours")),
            str(_("Actual nights")),
            str(_("Actual hours")),
            str(_("Not recorded")),
        ],
        [12, 16, 12, 16, 12, 16, 12],
        time_rows,
    )


register_section(Section(key="exchanges", title=_("Exchanges"), write=write, order=30))
