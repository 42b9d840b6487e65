"""Protective-order mode: the protected parent alone turns it on and off; the other parent
writes through forms or the moderator; read receipts, the email address and check-in places stay
out of the other parent's sight; everything is on the record."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied  # noqa: F401

from coparent.core.errors import ServiceError
from coparent.families.models import Membership
from coparent.messaging import services as messaging
from coparent.messaging.models import Message, MessageView
from coparent.notifications.models import Channel, ChannelPreference, Notification
from coparent.notifications.services import settings_get
from coparent.records.models import LogEntry
from coparent.safety import selectors, services
from coparent.safety.models import HeldMessage, HeldStatus
from tests.cast import Cast
from tests.messaging.helpers import open_thread, send
from tests.safety.helpers import moderator, protect_alice

pytestmark = pytest.mark.django_db


def kinds(cast: Cast) -> list[str]:
    return list(
        LogEntry.objects.filter(family=cast.family_a)
        .order_by("index")
        .values_list("kind", flat=True)
    )


def test_the_protected_parent_turns_it_on_alone_and_the_other_is_told_neutrally(
    cast: Cast, client_for
) -> None:
    client = client_for(cast.alice)
    page = f"/f/{cast.family_a.public_id}/protection/"
    response = client.post(page, {"reference": "  Order   2026-PO-0042 "})
    assert response.status_code == 302
    order = selectors.order_protecting(
        Membership.objects.get(family=cast.family_a, user=cast.alice)
    )
    assert order is not None and order.reference == "Order 2026-PO-0042"
    assert kinds(cast)[-1] == "safety.protection_started"

    told = Notification.objects.get(recipient=cast.bob, kind="protection")
    assert "protective order" in told.detail_title and "Alice" not in told.detail_title
    # Alice's own notifications became one neutral daily summary.
    assert not settings_get(cast.alice).include_details
    assert set(
        ChannelPreference.objects.filter(user=cast.alice).values_list("channel", flat=True)
    ) == {Channel.DIGEST}

    html = client.get(page).content.decode()
    assert 'data-testid="protection-on"' in html and 'data-testid="two-factor-prompt"' in html
    bob_page = client_for(cast.bob).get(page).content.decode()
    assert 'data-testid="protection-restricted"' in bob_page
    assert "2026-PO-0042" not in bob_page


def test_only_the_protected_parent_can_end_it(cast: Cast, client_for) -> None:
    order = protect_alice(cast)
    end = f"/f/{cast.family_a.public_id}/protection/{order.public_id}/end/"
    assert client_for(cast.bob).post(end).status_code == 404
    with pytest.raises(ServiceError):
        services.protection_end(family=cast.family_a, actor=cast.bob, order=order)
    assert client_for(cast.alice).post(end).status_code == 302
    order.refresh_from_db()
    assert order.ended_at is not None and kinds(cast)[-1] == "safety.protection_ended"


def test_a_bad_reference_changes_nothing(cast: Cast, client_for) -> None:
    before = kinds(cast)
    for reference in ("", "   ", "x" * 121, "Order\x00 1"):
        response = client_for(cast.alice).post(
            f"/f/{cast.family_a.public_id}/protection/", {"reference": reference}
        )
        assert response.status_code == 400
    assert kinds(cast) == before


def test_the_other_parent_cannot_send_free_text(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    protect_alice(cast)
    with pytest.raises(ServiceError) as refused:
        send(cast, thread, cast.bob, "We need to talk")
    assert refused.value.code == "restricted"
    client = client_for(cast.bob)
    url = f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/"
    assert client.post(url, {"body": "We need to talk"}).status_code == 400
    api = client.post(
        f"/api/v1/families/{cast.family_a.public_id}/threads/{thread.public_id}/messages",
        {"body": "We need to talk"},
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["error"]["code"] == "restricted"
    assert not Message.objects.filter(body="We need to talk").exists()
    html = client.get(url).content.decode()
    assert 'data-testid="restricted-compose"' in html and "I am running late" in html
    # The protected parent writes as before.
    send(cast, thread, cast.alice, "Noted.")


def test_a_structured_message_is_delivered_at_once_with_its_form_on_the_record(
    cast: Cast, client_for
) -> None:
    thread = open_thread(cast)
    protect_alice(cast)
    client = client_for(cast.bob)
    url = f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/form/late/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"date": "2026-06-19", "minutes": "500"}).status_code == 400
    response = client.post(url, {"date": "2026-06-19", "minutes": "15"})
    assert response.status_code == 302
    message = Message.objects.get(sender=cast.bob)
    assert message.form == "late"
    assert message.body == "I am running about 15 minutes late for the exchange on Fri 19 Jun 2026."
    assert kinds(cast)[-1] == "message.sent"
    html = client_for(cast.alice).get(f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/")
    assert "Sent with a message form" in html.content.decode()
    assert (
        client.get(
            f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/form/nonsense/"
        ).status_code
        == 404
    )


def test_free_text_waits_for_the_moderator_who_delivers_edits_or_rejects(
    cast: Cast, client_for
) -> None:
    thread = open_thread(cast)
    order = protect_alice(cast)
    mod = order.moderator
    bob = client_for(cast.bob)
    hold = f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/moderated/"
    for text in ("Can we swap Sunday?", "You are useless", "Please send the inhaler"):
        assert bob.post(hold, {"body": text}).status_code == 302
    assert kinds(cast)[-1] == "safety.message_held"
    assert not Message.objects.filter(sender=cast.bob).exists(), "nothing reaches Alice yet"
    assert Notification.objects.filter(recipient=mod.user, kind="moderation").exists()

    first, second, third = HeldMessage.objects.order_by("created_at")
    moderate = f"/f/{cast.family_a.public_id}/moderation/"
    # The cast's mediator is a professional too, but not the moderator.
    mediator = client_for(cast.mediator)
    assert mediator.get(moderate).status_code == 403
    assert (
        mediator.post(f"{moderate}{first.public_id}/", {"decision": "approved"}).status_code == 403
    )

    client = client_for(mod.user)
    assert "Can we swap Sunday?" in client.get(moderate).content.decode()
    client.post(f"{moderate}{first.public_id}/", {"decision": "approved"})
    client.post(f"{moderate}{second.public_id}/", {"decision": "rejected", "reason": ""})
    second.refresh_from_db()
    assert second.status == HeldStatus.PENDING, "a rejection needs a reason"
    client.post(
        f"{moderate}{second.public_id}/",
        {"decision": "rejected", "reason": "Keep to the children."},
    )
    client.post(
        f"{moderate}{third.public_id}/",
        {"decision": "edited", "edited": "Please send Kit's inhaler."},
    )

    delivered = {m.body: m.moderation for m in Message.objects.filter(sender=cast.bob)}
    assert delivered == {"Can we swap Sunday?": "approved", "Please send Kit's inhaler.": "edited"}
    third.refresh_from_db()
    assert third.body == "Please send the inhaler", "what was written never changes"
    assert kinds(cast).count("safety.message_moderated") == 3
    alice_sees = (
        client_for(cast.alice)
        .get(f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/")
        .content.decode()
    )
    assert "You are useless" not in alice_sees
    assert "Delivered by the moderator, with changes" in alice_sees
    bob_sees = bob.get(
        f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/"
    ).content.decode()
    assert "Keep to the children." in bob_sees and "Not delivered" in bob_sees


def test_without_a_moderator_only_the_forms_work(cast: Cast) -> None:
    thread = open_thread(cast)
    protect_alice(cast, with_moderator=False)
    with pytest.raises(ServiceError, match="No moderator"):
        services.message_hold(family=cast.family_a, actor=cast.bob, thread=thread, body="Hello")
    assert not HeldMessage.objects.exists()


def test_the_protected_parents_reading_is_hidden_and_off_the_record(cast: Cast, client_for) -> None:
    thread = open_thread(cast)
    protect_alice(cast)
    mine = messaging.message_send(
        family=cast.family_a, actor=cast.bob, thread=thread, body="I'll be late", form="late"
    )
    before = kinds(cast)
    messaging.message_view(family=cast.family_a, actor=cast.alice, messages=[mine])
    assert MessageView.objects.get(message=mine, viewer=cast.alice).withheld
    assert kinds(cast) == before, "no read receipt on the record the other parent reads"

    bob = client_for(cast.bob)
    html = bob.get(f"/f/{cast.family_a.public_id}/messages/{thread.public_id}/").content.decode()
    assert "Seen by Alice" not in html and "read receipts are not shown" in html
    api = bob.get(
        f"/api/v1/families/{cast.family_a.public_id}/threads/{thread.public_id}/messages"
    ).json()
    assert all(m["seen_by"] == [] for m in api if m["sender"] == "Bob Parent")

    members = bob.get(f"/api/v1/families/{cast.family_a.public_id}/members").json()
    assert cast.alice.email not in str(members)
    assert cast.alice.email in str(
        client_for(cast.alice).get(f"/api/v1/families/{cast.family_a.public_id}/members").json()
    )


def test_ending_it_withdraws_what_waits_and_lifts_the_limits(cast: Cast) -> None:
    thread = open_thread(cast)
    order = protect_alice(cast)
    held = services.message_hold(family=cast.family_a, actor=cast.bob, thread=thread, body="Hi")
    services.protection_end(family=cast.family_a, actor=cast.alice, order=order)
    held.refresh_from_db()
    assert held.status == HeldStatus.WITHDRAWN
    send(cast, thread, cast.bob, "Free to write again")


def test_a_restricted_parent_may_claim_protection_too(cast: Cast) -> None:
    thread = open_thread(cast)
    protect_alice(cast)
    services.protection_start(family=cast.family_a, actor=cast.bob, reference="Order B-7")
    with pytest.raises(ServiceError):
        send(cast, thread, cast.alice, "Now both are limited")
    with pytest.raises(ServiceError, match="already on"):
        services.protection_start(family=cast.family_a, actor=cast.bob, reference="Order B-8")


def test_a_moderator_must_be_a_professional_of_the_family(cast: Cast) -> None:
    gran = Membership.objects.get(family=cast.family_a, user=cast.gran)
    with pytest.raises(ServiceError, match="professional"):
        services.protection_start(
            family=cast.family_a, actor=cast.alice, reference="Order 1", moderator=gran
        )
    other = moderator(cast)
    order = services.protection_start(
        family=cast.family_a, actor=cast.alice, reference="Order 1", moderator=other
    )
    assert kinds(cast)[-1] == "safety.protection_started"
    services.moderator_set(family=cast.family_a, actor=cast.alice, order=order, moderator=None)
    assert kinds(cast)[-1] == "safety.moderator_set"


def test_the_pages_cost_the_same_whatever_the_history(
    cast: Cast, client_for, django_assert_max_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thread = open_thread(cast)
    order = protect_alice(cast)
    alice, mod = client_for(cast.alice), client_for(order.moderator.user)
    pages = [
        (alice, f"/f/{cast.family_a.public_id}/protection/"),
        (mod, f"/f/{cast.family_a.public_id}/moderation/"),
    ]

    def costs() -> list[int]:
        found = []
        for client, page in pages:
            client.get(page)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(page).status_code == 200
            found.append(len(queries))
        return found

    first = costs()
    for n in range(6):
        services.message_hold(family=cast.family_a, actor=cast.bob, thread=thread, body=f"Note {n}")
    assert costs() == first
