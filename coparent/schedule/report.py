"""The calendar section of a court report: the schedule versions (who proposed, who accepted,
when), swaps with their history, events, and every calendar entry of the record in the period
with its log index."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coparent.reports.sections import ReportOut, ReportScope, Section, register_section
from coparent.safety import selectors as safety_selectors
from coparent.schedule import selectors
from coparent.schedule.models import VersionStatus

KINDS = [
    "schedule.proposed",
    "schedule.accepted",
    "schedule.declined",
    "schedule.withdrawn",
    "schedule.expired",
    "swap.requested",
    "swap.countered",
    "swap.accepted",
    "swap.declined",
    "swap.withdrawn",
    "swap.expired",
    "event.created",
    "event.updated",
    "event.deleted",
]


def write(scope: ReportScope, out: ReportOut) -> None:
    plans = selectors.plan_list(scope.family, scope.reader)
    by_object: dict[str, list[int]] = defaultdict(list)
    logged = []
    for row, entry in scope.entries(KINDS):
        for name in ("version", "swap", "event"):
            if name in entry.fields:
                by_object[str(entry.fields[name])].append(row.index)
        logged.append((row.index, scope.when(row.created_at), scope.sentence(row, entry)))

    def marks(public_id: object) -> str:
        return ", ".join(out.entry(index) for index in by_object.get(str(public_id), []))

    in_period = Q(proposed_at__gte=scope.start, proposed_at__lt=scope.end) | Q(
        decided_at__gte=scope.start, decided_at__lt=scope.end
    )
    governing = Q(status=VersionStatus.ACCEPTED, decided_at__lt=scope.start)
    versions = (
        selectors.version_list(scope.family)
        .filter(plan__in=plans)
        .filter(in_period | governing)
        .order_by("proposed_at", "id")
    )
    out.heading(str(_("Schedule versions")), level=2)
    out.note(
        str(
            _(
                "Every version proposed or decided in the period, and the agreed versions in force "
                "when it began. An agreed version is never edited; a change is a new version."
            )
        )
    )
    write_csv = out.csv(
        "schedule_versions",
        ["plan", "proposed_by", "proposed_at", "status", "decided_by", "decided_at", "effective"],
    )
    rows = []
    for version in versions.iterator(chunk_size=500):
        values = [
            selectors.plan_label(version.plan),
            scope.name(version.proposed_by_id),
            scope.when(version.proposed_at),
            str(version.get_status_display()),
            scope.name(version.decided_by_id) if version.decided_by_id else "",
            scope.when(version.decided_at),
            scope.when(version.effective_at),
        ]
        write_csv(values)
        rows.append([*values, marks(version.public_id)])
    out.table(
        [
            str(_("Plan")),
            str(_("Proposed by")),
            str(_("Proposed")),
            str(_("Status")),
            str(_("Decided by")),
            str(_("Decided")),
            str(_("In force from")),
            str(_("Record")),
        ],
        [10, 12, 14, 12, 12, 14, 14, 12],
        rows,
    )

    out.heading(str(_("Swaps")), level=2)
    swaps = (
        selectors.swap_list(scope.family, plans)
        .filter(
            Q(requested_at__gte=scope.start, requested_at__lt=scope.end)
            | Q(decided_at__gte=scope.start, decided_at__lt=scope.end)
        )
        .order_by("requested_at", "id")
    )
    swap_csv = out.csv(
        "swaps",
        ["asked_by", "asked_at", "days", "status", "answered_by", "answered_at", "counter_to"],
    )
    swap_rows = []
    for swap in swaps.iterator(chunk_size=500):
        days = f"{scope.when(swap.start_at)} \u2013 {scope.when(swap.end_at)}"
        if swap.offer_start_at and swap.offer_end_at:
            days += str(_("; offered in return: %(start)s \u2013 %(end)s")) % {
                "start": scope.when(swap.offer_start_at),
                "end": scope.when(swap.offer_end_at),
            }
        counter = (
            str(_("counter-offer to the request of %(when)s"))
            % {"when": scope.when(swap.counter_of.requested_at)}
            if swap.counter_of
            else ""
        )
        values = [
            scope.name(swap.requested_by_id),
            scope.when(swap.requested_at),
            days,
            str(swap.get_status_display()),
            scope.name(swap.decided_by_id) if swap.decided_by_id else "",
            scope.when(swap.decided_at),
            counter,
        ]
        swap_csv(values)
        swap_rows.append([*values, marks(swap.public_id)])
    out.table(
        [
            str(_("Asked by")),
            str(_("Asked")),
            str(_("Days")),
            str(_("Status")),
            str(_("Answered by")),
            str(_("Answered")),
            str(_("History")),
            str(_("Record")),
        ],
        [10, 12, 22, 11, 10, 12, 13, 10],
        swap_rows,
    )

    out.heading(str(_("Events")), level=2)
    events = selectors.event_list(scope.family, scope.reader, scope.start, scope.end).order_by(
        "starts_at", "id"
    )
    event_rows = []
    for event in events.iterator(chunk_size=500):
        event_rows.append(
            [
                scope.when(event.starts_at),
                scope.when(event.ends_at),
                event.title,
                str(event.get_kind_display()),
                # A home address is never printed; a confidential place only to its author.
                ""
                if event.place_is_home
                else safety_selectors.shown_place(
                    event.place,
                    confidential=event.place_confidential,
                    owner_id=event.created_by_id,
                    viewer_id=getattr(scope.reader, "user_id", None),
                ),
                marks(event.public_id),
            ]
        )
    out.table(
        [
            str(_("Starts")),
            str(_("Ends")),
            str(_("What")),
            str(_("Kind")),
            str(_("Place")),
            str(_("Record")),
        ],
        [15, 15, 25, 10, 20, 15],
        event_rows,
    )

    out.heading(str(_("Calendar entries in the record")), level=2)
    out.table(
        [str(_("Record")), str(_("Logged")), str(_("What happened"))],
        [12, 20, 68],
        ([out.entry(index), when, sentence] for index, when, sentence in logged),
    )


register_section(Section(key="calendar", title=_("Calendar"), write=write, order=20))
