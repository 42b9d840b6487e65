"""Two unrelated, fictional families, built through the real services.

Family A has two parents, two children, a grandparent and a mediator; family B has its own two
parents and a child, so tenancy can be seen by signing in as each.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.utils import timezone

from coparent.accounts.models import User
from coparent.demo.childinfo import demo_child_info
from coparent.demo.decisions import demo_decisions
from coparent.demo.documents import load_documents
from coparent.demo.expenses import load_expenses
from coparent.demo.models import DemoFamily
from coparent.demo.plan import demo_plan
from coparent.demo.workspace import load_workspace_demo
from coparent.families import services
from coparent.families.models import Child, Family, Membership, ProfessionalKind, Role

DEMO_PASSWORD = "coparent-demo-2026"

DEMO_FAMILIES = {"a": "Brightwater and Fenwick", "b": "Hollowmere and Thistledown"}

DEMO_PEOPLE = {
    "morgan": ("morgan@demo.coparent.test", "Morgan Brightwater", "America/Chicago"),
    "casey": ("casey@demo.coparent.test", "Casey Fenwick", "America/New_York"),
    "ellis": ("ellis@demo.coparent.test", "Ellis Brightwater", "America/Chicago"),
    "dana": ("dana@demo.coparent.test", "Dana Quillfeather", "America/Chicago"),
    "riley": ("riley@demo.coparent.test", "Riley Hollowmere", "Europe/London"),
    "sam": ("sam@demo.coparent.test", "Sam Thistledown", "Europe/London"),
}


def _user(key: str) -> User:
    email, name, zone = DEMO_PEOPLE[key]
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email, DEMO_PASSWORD, display_name=name, timezone=zone, email_verified=True
        )
    return user


def _join(family: Family, inviter: User, invitee: User, role: str, **extra: object) -> None:
    if Membership.objects.active().filter(family=family, user=invitee).exists():
        return
    _invitation, token = services.invitation_create(
        family=family,
        actor=inviter,
        role=role,
        **extra,  # type: ignore[arg-type]
    )
    services.invitation_accept(token=token, user=invitee)


def _family(key: str, founder: User) -> Family:
    marker = DemoFamily.objects.filter(key=key).select_related("family").first()
    if marker is not None:
        return marker.family
    family = services.family_create(actor=founder, name=DEMO_FAMILIES[key])
    DemoFamily.objects.create(family=family, key=key)
    return family


@transaction.atomic
def load_demo() -> bool:
    """Creates whatever part of the demo is missing; returns False when all of it was there."""
    if DemoFamily.objects.filter(key__in=DEMO_FAMILIES).count() == len(DEMO_FAMILIES):
        return False
    people = {key: _user(key) for key in DEMO_PEOPLE}

    family_a = _family("a", people["morgan"])
    if not Child.objects.filter(family=family_a).exists():
        services.child_add(
            family=family_a,
            actor=people["morgan"],
            first_name="Robin",
            last_name="Brightwater",
            date_of_birth=dt.date(2015, 3, 14),
        )
        services.child_add(
            family=family_a,
            actor=people["morgan"],
            first_name="Sky",
            last_name="Brightwater",
            date_of_birth=dt.date(2018, 9, 2),
        )
    _join(family_a, people["morgan"], people["casey"], Role.PARENT)
    _join(family_a, people["morgan"], people["ellis"], Role.CAREGIVER, relationship="Grandfather")
    _join(
        family_a,
        people["morgan"],
        people["dana"],
        Role.PROFESSIONAL,
        professional_kind=ProfessionalKind.MEDIATOR,
        access_days=365,
    )

    family_b = _family("b", people["riley"])
    if not Child.objects.filter(family=family_b).exists():
        services.child_add(
            family=family_b,
            actor=people["riley"],
            first_name="Juniper",
            last_name="Hollowmere",
            date_of_birth=dt.date(2019, 6, 21),
        )
    _join(family_b, people["riley"], people["sam"], Role.PARENT)
    _demo_schedule(family_a, people["morgan"], people["casey"], "America/Chicago", "2-2-3")
    _demo_schedule(family_b, people["riley"], people["sam"], "Europe/London", "7-7")
    _demo_exchanges_and_passes(family_a, people)
    _demo_messages(family_a, people)
    _demo_swap(family_a, people)
    demo_child_info(family_a, people["morgan"])
    load_documents(family_a, people)
    load_workspace_demo(family_b, people, DEMO_PASSWORD)
    demo_decisions(family_a, people)
    demo_plan(family_a, people)
    load_expenses(family_a, people)
    return True


def _demo_messages(family: Family, people: dict[str, User]) -> None:
    from coparent.messaging import services as messaging
    from coparent.messaging.models import Thread

    if Thread.objects.filter(family=family).exists():
        return
    thread = messaging.thread_create(
        family=family,
        actor=people["morgan"],
        subject="Robin's school trip on Friday",
        body="The trip leaves at 07:30 on Friday, so drop-off is earlier than usual. "
        "Could you have Robin at school by 07:15? The permission slip is signed.",
    )
    messaging.message_view(
        family=family, actor=people["casey"], messages=list(thread.messages.all())
    )
    messaging.message_send(
        family=family,
        actor=people["casey"],
        thread=thread,
        body="Yes, I'll have Robin there by 07:15. I'll pack a lunch as well.",
    )
    grandpa = Membership.objects.get(family=family, user=people["ellis"], revoked_at__isnull=True)
    messaging.thread_create(
        family=family,
        actor=people["casey"],
        subject="Pickup on Wednesday",
        body="Ellis, could you collect both children from school on Wednesday at 15:00? "
        "There is a pickup pass for you at the front gate.",
        others=[grandpa],
    )


def _demo_schedule(
    family: Family, proposer: User, acceptor: User, zone: str, template: str
) -> None:
    """An agreed plan with the usual holidays, proposed by one parent and accepted by the other."""
    from coparent.engine import COMMON_HOLIDAYS
    from coparent.schedule import services as schedule
    from coparent.schedule.models import Plan

    if Plan.objects.filter(family=family).exists():
        return
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(zone))
    # Two weeks back, where both templates' cycles start over: whatever day `make run` is on,
    # there is an exchange today, and Morgan's home shows it.
    anchor = today - dt.timedelta(days=14)
    holidays = [h.as_rule("A", "B") for h in COMMON_HOLIDAYS if h.name in DEMO_HOLIDAYS]
    spec = {
        "timezone": zone,
        "parents": ["A", "B"],
        "rotation": {
            "template": template,
            "anchor": anchor.isoformat(),
            "first": "A",
            "exchange_time": "18:00",
        },
        "holidays": holidays,
    }
    version = schedule.schedule_propose(family=family, actor=proposer, spec=spec, note="Our plan")
    schedule.schedule_accept(family=family, actor=acceptor, version=version)


def _demo_swap(family: Family, people: dict[str, User]) -> None:
    """Casey asks Morgan for a weekend, so Morgan's home has a request to answer."""
    from coparent.schedule import services as schedule
    from coparent.schedule.models import Plan, SwapRequest

    if SwapRequest.objects.filter(family=family).exists():
        return
    plan = Plan.objects.get(family=family, child__isnull=True)
    zone = zoneinfo.ZoneInfo("America/Chicago")  # the schedule's zone: 18:00 is exchange time
    start = timezone.localtime(timezone.now() + dt.timedelta(days=10), zone).replace(
        hour=18, minute=0, second=0, microsecond=0
    )
    schedule.swap_request(
        family=family,
        actor=people["casey"],
        plan=plan,
        start_at=start,
        end_at=start + dt.timedelta(days=2),
        respond_by=start - dt.timedelta(days=5),
        reason="My sister's wedding is that weekend; the children are in it.",
    )


DEMO_HOLIDAYS = {"Thanksgiving", "Christmas", "Mother's Day", "Father's Day", "Halloween"}


def _demo_exchanges_and_passes(family: Family, people: dict[str, User]) -> None:
    from coparent.exchanges import services as exchanges
    from coparent.passes import services as passes
    from coparent.passes.models import Gate
    from coparent.schedule.models import Plan

    plan = Plan.objects.get(family=family, child__isnull=True)
    terms = exchanges.terms_propose(
        family=family,
        actor=people["morgan"],
        plan=plan,
        place_kind="school",
        place_name="Riverside Elementary, front entrance",
        grace_minutes=15,
        transport="The receiving parent picks the children up.",
        conduct="On school days the handover is at school. Otherwise the receiving parent waits "
        "at the curb and does not enter the home.",
    )
    exchanges.terms_decide(family=family, actor=people["casey"], terms=terms, accept=True)
    if Gate.objects.filter(family=family).exists():
        return
    gate, _token = passes.gate_create(
        family=family, actor=people["morgan"], name="Riverside Elementary, front gate"
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0)
    children = list(Child.objects.filter(family=family))
    week_pass = passes.pass_issue(
        family=family,
        actor=people["morgan"],
        person_name="Ellis Brightwater",
        person_relationship="grandfather",
        holder=Membership.objects.get(
            family=family, user=people["ellis"], revoked_at__isnull=True
        ),  # so Ellis shows it from his own passes page
        children=children,
        gate=gate,
        starts_at=start,
        ends_at=start + dt.timedelta(days=7),
    )
    if week_pass.needs_cosign:  # a week spans both parents' time under 2-2-3
        passes.pass_cosign(family=family, actor=people["casey"], pickup_pass=week_pass)
