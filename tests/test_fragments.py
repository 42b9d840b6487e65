"""Kept page content (core/fragments.py): drawn once per reader, family state, address, language
and zone, never served across readers, and never with another browser's form token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.timesince import timeuntil
from hypothesis import example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from coparent.core import fragments
from coparent.families import services
from coparent.families.models import Family, Membership, Role
from coparent.notifications.models import Kind
from coparent.notifications.services import Detail, notify
from tests.cast import Cast
from tests.exchanges.helpers import daily_exchanges
from tests.passes.test_passes import issue, one_parent_always, window
from tests.schedule.helpers import agreed, soon, swap, two_two_three

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def browser(user) -> Client:
    """A browser of its own: a session and a CSRF cookie of its own, and no token header (the
    form's hidden field is all it sends)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_a_kept_form_carries_each_browser_s_own_token(cast: Cast) -> None:
    services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER, email="nanny@example.test"
    )
    home = f"/f/{cast.family_a.public_id}/"
    phone, laptop = browser(cast.alice), browser(cast.alice)
    drawn = phone.get(home).content.decode()
    kept = laptop.get(home).content.decode()  # the same member, address and family state
    assert "kept-csrf" not in drawn + kept
    phone_token, laptop_token = TOKEN.findall(drawn)[-1], TOKEN.findall(kept)[-1]
    assert phone_token != laptop_token
    resend = re.search(r'action="([^"]+/resend/)"', kept)
    assert resend is not None
    answer = laptop.post(resend.group(1), {"csrfmiddlewaretoken": laptop_token, "from": "home"})
    assert answer.status_code == 200  # the new link; a token from the other browser is a 403
    assert "New invitation link ready" in answer.content.decode()


def test_the_frame_is_kept_with_each_request_s_own_token_and_id(cast: Cast) -> None:
    month = f"/f/{cast.family_a.public_id}/calendar/"
    phone, laptop = browser(cast.alice), browser(cast.alice)
    drawn = phone.get(month)
    assert "base.html" in [template.name for template in drawn.templates]
    kept = laptop.get(month)
    assert kept.templates == []  # neither the content nor the frame around it was drawn
    page = kept.content.decode()
    assert "kept-" not in page
    # Every form on the page (sign out, quick exit, the content's) carries this browser's token,
    # and the record witness names this request.
    assert len(TOKEN.findall(page)) >= 2 and len(set(TOKEN.findall(page))) == 1
    assert set(TOKEN.findall(page)).isdisjoint(TOKEN.findall(drawn.content.decode()))
    assert f'data-page="{kept["X-Request-ID"]}"' in page
    signed_out = laptop.post("/accounts/logout/", {"csrfmiddlewaretoken": TOKEN.findall(page)[0]})
    assert signed_out.status_code == 302


def test_the_browser_tab_names_the_page_then_the_site(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    for _ in range(2):  # drawn, then kept
        month = alice.get(f"/f/{cast.family_a.public_id}/calendar/").content.decode()
        assert "<title>Calendar · coparent</title>" in month
    signed_out = Client().get("/accounts/login/").content.decode()
    assert re.search(r"<title>[^<]+ · coparent</title>", signed_out)


def test_the_kept_frame_shows_what_changed_outside_the_record(
    cast: Cast, client_for, django_capture_on_commit_callbacks
) -> None:
    alice = client_for(cast.alice)
    month = f"/f/{cast.family_a.public_id}/calendar/"
    unread = re.compile(r'(\d+)<span class="visually-hidden"> unread</span>')
    before = unread.search(alice.get(month).content.decode())
    count = int(before.group(1)) if before else 0
    # A notification and a family name are not record entries: the content stays kept, the
    # frame (keyed on what it shows) does not.
    with django_capture_on_commit_callbacks(execute=True):
        notify(cast.family_a, [cast.alice], Kind.MESSAGE, link="/", detail=Detail("Hello"))
    Family.objects.filter(pk=cast.family_a.pk).update(name="Renamed at the desk")
    page = alice.get(month)
    drawn = {template.name for template in page.templates}
    assert "base.html" in drawn and "schedule/month.html" not in drawn
    text = page.content.decode()
    assert f'{count + 1}<span class="visually-hidden"> unread</span>' in text
    assert "Renamed at the desk" in text
    # The menu marks the page being read.
    assert f'href="{month}" aria-current="page"' in text
    week = alice.get(month + "week/").content.decode()
    assert f'href="{month}" aria-current="page"' not in week


def test_a_message_shown_once_is_drawn_in_the_frame_once(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    ledger = f"/f/{cast.family_a.public_id}/expenses/"
    assert alice.get(ledger).status_code == 200  # frame and content kept
    shown = alice.get(ledger + "settle/USD/", follow=True).content.decode()
    assert "You owe nothing in USD." in shown
    assert "You owe nothing in USD." not in alice.get(ledger).content.decode()


def test_the_calendar_keeps_its_day_and_moves_with_the_date(cast: Cast, client_for, time_machine):
    # Sunday 23:50 in Chicago, Alice's zone.
    time_machine.move_to(dt.datetime(2026, 6, 15, 4, 50, tzinfo=dt.UTC), tick=False)
    alice = client_for(cast.alice)
    week = f"/f/{cast.family_a.public_id}/calendar/week/"
    assert "Week of Mon 8 Jun 2026" in alice.get(week).content.decode()
    # Twenty minutes later it is Monday: the page asked for no date shows the new week, not
    # the one kept on Sunday.
    time_machine.move_to(dt.datetime(2026, 6, 15, 5, 10, tzinfo=dt.UTC), tick=False)
    assert "Week of Mon 15 Jun 2026" in alice.get(week).content.decode()


def test_kept_content_is_never_served_past_the_tenancy_gate(cast: Cast, client_for) -> None:
    record = f"/f/{cast.family_a.public_id}/record/"
    assert client_for(cast.alice).get(record).status_code == 200  # now kept for Alice
    # The gate answers before anything kept is looked at: an outsider asking the same address,
    # and a member whose access ended, get 404.
    assert client_for(cast.charlie).get(record).status_code == 404
    bob = client_for(cast.bob)
    assert bob.get(record).status_code == 200
    Membership.objects.filter(family=cast.family_a, user=cast.bob).update(revoked_at=timezone.now())
    assert bob.get(record).status_code == 404


@hypothesis_settings(max_examples=500, deadline=None)
@given(
    now=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2090, 1, 1),
        timezones=st.just(dt.UTC),
    ),
    left=st.timedeltas(min_value=dt.timedelta(microseconds=1), max_value=dt.timedelta(days=800)),
    part=st.floats(min_value=0, max_value=1, exclude_max=True),
)
@example(now=dt.datetime(2026, 6, 8, 9, 1, tzinfo=dt.UTC), left=dt.timedelta(hours=10), part=0.5)
@example(now=dt.datetime(2026, 6, 8, 9, 1, tzinfo=dt.UTC), left=dt.timedelta(days=3), part=0.5)
@example(now=dt.datetime(2026, 6, 8, 9, 1, tzinfo=dt.UTC), left=dt.timedelta(days=9), part=0.9)
# "1 month" at 23:00 on the last day of February, "4 weeks" from midnight on.
@example(
    now=dt.datetime(2001, 2, 28, 23, 0, tzinfo=dt.UTC),
    left=dt.timedelta(days=28, hours=2),
    part=0.5,
)
def test_a_countdown_reads_the_same_until_its_next_step(
    now: dt.datetime, left: dt.timedelta, part: float
) -> None:
    deadline = now + left
    step = fragments.countdown_step(deadline, now)
    assert now < step <= deadline + dt.timedelta(microseconds=1)
    between = min(now + (step - now) * part, step - dt.timedelta(microseconds=1))
    assert timeuntil(deadline, between) == timeuntil(deadline, now)


def test_home_is_drawn_again_when_its_countdown_or_deadline_moves(
    cast: Cast, client_for, time_machine
) -> None:
    time_machine.move_to(dt.datetime(2026, 6, 8, 9, 0, 30, tzinfo=dt.UTC), tick=False)
    request = swap(cast, agreed(cast, two_two_three()), respond_by=soon(0.5, hour=20))
    bob = client_for(cast.bob)
    home = f"/f/{cast.family_a.public_id}/"
    assert "10\xa0hours, 59\xa0minutes left" in bob.get(home).content.decode()
    # Nothing is written from here on: within the 30 s a page is kept, only the moments it
    # named while drawn (the countdown's next step, the deadline) draw it again.
    time_machine.move_to(dt.datetime(2026, 6, 8, 9, 0, 50, tzinfo=dt.UTC), tick=False)
    assert "10\xa0hours, 59\xa0minutes left" in bob.get(home).content.decode()
    time_machine.move_to(dt.datetime(2026, 6, 8, 9, 1, 0, tzinfo=dt.UTC), tick=False)
    assert "10\xa0hours, 59\xa0minutes left" in bob.get(home).content.decode()
    time_machine.move_to(dt.datetime(2026, 6, 8, 9, 1, 0, 1, tzinfo=dt.UTC), tick=False)
    assert "10\xa0hours, 58\xa0minutes left" in bob.get(home).content.decode()
    time_machine.move_to(request.respond_by - dt.timedelta(seconds=1), tick=False)
    assert "asks to swap time" in bob.get(home).content.decode()
    time_machine.move_to(request.respond_by, tick=False)  # no longer answerable
    assert "asks to swap time" not in bob.get(home).content.decode()


def test_the_pass_list_is_drawn_again_when_a_pass_starts_and_ends(
    cast: Cast, client_for, time_machine
) -> None:
    time_machine.move_to(dt.datetime(2026, 6, 8, 9, 0, tzinfo=dt.UTC), tick=False)
    one_parent_always(cast)  # Alice's time: her pass needs no co-signature
    start, end = window(hours_from_now=2)
    issue(cast, actor=cast.alice, starts_at=start, ends_at=end)
    alice = client_for(cast.alice)
    passes = f"/f/{cast.family_a.public_id}/passes/"
    assert ">Upcoming<" in alice.get(passes).content.decode()
    time_machine.move_to(start - dt.timedelta(seconds=1), tick=False)
    assert ">Upcoming<" in alice.get(passes).content.decode()  # kept
    time_machine.move_to(start, tick=False)
    assert ">Valid now<" in alice.get(passes).content.decode()
    time_machine.move_to(end - dt.timedelta(seconds=1), tick=False)
    assert ">Valid now<" in alice.get(passes).content.decode()
    time_machine.move_to(end, tick=False)
    assert ">Expired<" in alice.get(passes).content.decode()


def test_the_exchange_list_is_drawn_again_when_an_exchange_falls_due_and_its_grace_ends(
    cast: Cast, client_for, time_machine
) -> None:
    due = dt.datetime(2026, 6, 8, 18, 0, tzinfo=dt.UTC)  # daily at 18:00 UTC, 15 min of grace
    time_machine.move_to(due - dt.timedelta(seconds=1), tick=False)
    daily_exchanges(cast)
    alice = client_for(cast.alice)
    exchanges = f"/f/{cast.family_a.public_id}/exchanges/"
    line = re.compile(rf'/{int(due.timestamp())}/".*?<span class="badge[^"]*"[^>]*>([^<]+)<', re.S)

    def state() -> str:
        found = line.search(alice.get(exchanges).content.decode())
        assert found is not None
        return found.group(1)

    steps = [
        (dt.timedelta(seconds=-1), "Upcoming"),
        (dt.timedelta(0), "In progress"),
        (dt.timedelta(minutes=14, seconds=59), "In progress"),
        (dt.timedelta(minutes=15), "In progress"),
        (dt.timedelta(minutes=15, microseconds=1), "Not recorded"),
    ]
    for after, expected in steps:
        time_machine.move_to(due + after, tick=False)
        assert state() == expected, (after, expected)


def _reads(name: str, seen: set[str] | None = None) -> set[str]:
    """Every variable a template reads (dotted, as written; a loop variable's reads under its
    own name), with what it extends and includes, less what it binds itself ({% with %},
    "as" names)."""
    from django.template import defaulttags, engines, smartif
    from django.template.base import FilterExpression, Node, NodeList, Variable
    from django.template.loader_tags import ExtendsNode, IncludeNode

    seen = seen if seen is not None else set()
    if name in seen:
        return set()
    seen.add(name)
    read: set[str] = set()
    bound: set[str] = set()

    def variable(value: object) -> None:
        if isinstance(value, Variable) and value.lookups:
            read.add(value.var)

    def walk(thing: object) -> None:
        if isinstance(thing, FilterExpression):
            variable(thing.var)
            for _filter, arguments in thing.filters:
                for _is_variable, argument in arguments:
                    variable(argument)
        elif isinstance(thing, (NodeList, list, tuple)):
            for item in thing:
                walk(item)
        elif isinstance(thing, dict):
            for item in thing.values():
                walk(item)
        elif isinstance(thing, (Node, defaulttags.TemplateLiteral, smartif.TokenBase)):
            if isinstance(thing, defaulttags.CsrfTokenNode):
                read.add("csrf_token")
            if isinstance(thing, defaulttags.FilterNode):
                bound.add("var")  # {% filter %} passes what it wraps as "var"
            if isinstance(getattr(thing, "variable", None), str):
                bound.add(thing.variable)
            if isinstance(getattr(thing, "extra_context", None), dict):
                bound.update(thing.extra_context)  # {% with %}, {% blocktranslate with %}
            for linked in ("template", "parent_name"):  # {% include %}, {% extends %}
                other = getattr(thing, linked, None)
                if isinstance(thing, (IncludeNode, ExtendsNode)) and other is not None:
                    assert isinstance(other.var, str), "a template named by a variable"
                    read.update(_reads(other.var, seen))
            for key, value in vars(thing).items():
                if key not in {"origin", "token", "blocks"}:
                    walk(value)

    walk(engines["django"].engine.get_template(name).nodelist)
    return {v for v in read if v.split(".")[0] not in bound}


def test_the_frame_key_covers_everything_the_frame_reads() -> None:
    """A kept frame is served for any request with the same key: a value the templates read
    but the key leaves out would show one reader's value to the next."""
    read = _reads("kept_page.html")
    assert read - fragments.FRAME_READS == set()
    assert fragments.FRAME_READS - read == set()  # the list says what the templates read now
    assert {"nav_unread", "nav_family.name", "request.path"} <= read  # the walk sees through
