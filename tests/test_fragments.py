"""Kept page content (core/fragments.py): drawn once per reader, family state, address, language
and zone, never served across readers, and never with another browser's form token."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from coparent.families import services
from coparent.families.models import Membership, Role
from tests.cast import Cast

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
