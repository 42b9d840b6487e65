"""Decision and agreement pages: the flow through forms, who sees what, and query counts that
do not grow with history."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coparent.decisions import services
from coparent.decisions.models import Agreement, Decision, DecisionStatus
from coparent.records.models import LogEntry
from tests.cast import Cast
from tests.decisions.helpers import agreed, current, in_days, propose

pytestmark = pytest.mark.django_db

LIST_QUERIES = 8
DETAIL_QUERIES = 10
AGREEMENTS_QUERIES = 6


def base(cast: Cast) -> str:
    return f"/f/{cast.family_a.public_id}/"


def history(cast: Cast) -> None:
    """One of each: agreed (with comments), countered and open, declined, replaced."""
    old = agreed(cast, title="Bedtime 8pm")
    services.decision_comment(
        family=cast.family_a, actor=cast.bob, decision=old.decision, body="Fine by me"
    )
    agreed(cast, title="Bedtime 8:30pm", supersedes=old)
    countered = propose(cast, title="Piano lessons", category="activities")
    services.decision_counter(
        family=cast.family_a,
        actor=cast.bob,
        proposal=current(countered),
        title="Guitar lessons",
        respond_by=in_days(3),
    )
    declined = propose(cast, title="Summer camp abroad", category="travel")
    services.decision_decline(
        family=cast.family_a, actor=cast.bob, proposal=current(declined), reason="Too far"
    )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_proposing_answering_and_commenting_through_the_pages(cast: Cast, client_for) -> None:
    alice, bob = client_for(cast.alice), client_for(cast.bob)
    form = alice.get(base(cast) + "decisions/new/").content.decode()
    assert "Default outcome" in form or "court order" in form
    response = alice.post(
        base(cast) + "decisions/new/",
        {
            "title": "Which school from September",
            "category": "education",
            "children": [str(cast.kit.public_id)],
            "answer_kind": "options",
            "options": "Riverside Primary\nHill Academy",
            "respond_by": "2026-06-24T18:00",
            "on_no_answer": "nothing",
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/decisions/{decision.public_id}/"
    )
    page = bob.get(response["Location"]).content.decode()
    assert "Your answer" in page and "Hill Academy" in page
    assert "Your answer" not in alice.get(response["Location"]).content.decode()

    url = response["Location"]
    assert bob.post(url + "comment/", {"body": "Can we visit both?"}).status_code == 302
    assert bob.post(url + "accept/", {}).status_code == 200, "an option must be chosen"
    assert bob.post(url + "accept/", {"option": "Hill Academy"}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AGREED
    page = alice.get(url).content.decode()
    assert "Can we visit both?" in page and "Hill Academy" in page and "Agreed" in page
    agreements = alice.get(base(cast) + "agreements/").content.decode()
    assert "Which school from September" in agreements and "Save sharing" in agreements


def test_decline_and_counter_through_the_pages(cast: Cast, client_for) -> None:
    bob = client_for(cast.bob)
    first = propose(cast)
    url = f"{base(cast)}decisions/{first.public_id}/"
    assert bob.post(url + "decline/", {"reason": ""}).status_code == 200
    counter_form = bob.get(url + "counter/").content.decode()
    assert "TikTok" in counter_form, "the counter form starts from the version it answers"
    response = bob.post(
        url + "counter/",
        {
            "title": "TikTok at 15",
            "answer_kind": "yes_no",
            "respond_by": "2026-06-20T12:00",
            "on_no_answer": "nothing",
        },
    )
    assert response.status_code == 302
    assert current(first).number == 2
    second = propose(cast, title="Sleepover at Sam's")
    assert (
        bob.post(f"{base(cast)}decisions/{second.public_id}/decline/", {"reason": "Not yet"})
    ).status_code == 302
    second.refresh_from_db()
    assert second.status == DecisionStatus.DECLINED
    listed = bob.get(base(cast) + "decisions/?status=declined").content.decode()
    assert "Sleepover at Sam" in listed and "TikTok" not in listed


def test_pages_keep_their_query_counts_as_history_grows(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    history(cast)
    decision = Decision.objects.filter(status=DecisionStatus.OPEN).first()
    urls = {
        "list": (base(cast) + "decisions/", LIST_QUERIES),
        "all agreed": (base(cast) + "decisions/?status=agreed", LIST_QUERIES),
        "detail": (f"{base(cast)}decisions/{decision.public_id}/", DETAIL_QUERIES),
        "agreements": (base(cast) + "agreements/", AGREEMENTS_QUERIES),
    }
    alice.get(base(cast) + "decisions/")  # the session's first request records the sign-in
    first = {name: queries(alice, url) for name, (url, _n) in urls.items()}
    history(cast)
    services.decision_comment(family=cast.family_a, actor=cast.bob, decision=decision, body="Hm")
    # The writes grew the record: the next view counts the nav badge anew.
    alice.get(base(cast) + "decisions/")
    second = {name: queries(alice, url) for name, (url, _n) in urls.items()}
    assert first == second, (first, second)
    assert first == {name: n for name, (_url, n) in urls.items()}, first


def test_a_caregiver_sees_only_shared_agreements_and_no_decision(cast: Cast, client_for) -> None:
    shared = agreed(cast, title="Screen time: one hour on school days")
    hidden = agreed(cast, title="Relocation: nobody moves before 2028", category="relocation")
    services.agreement_share(
        family=cast.family_a, actor=cast.alice, agreement=shared, caregivers=True, children=False
    )
    open_one = propose(cast, title="Kit starts piano")
    gran = client_for(cast.gran)
    page = gran.get(base(cast) + "agreements/").content.decode()
    assert "Screen time" in page and "Relocation" not in page and "Save sharing" not in page
    for path in (
        "decisions/",
        "decisions/new/",
        f"decisions/{open_one.public_id}/",
        f"decisions/{hidden.decision.public_id}/",
        f"decisions/{shared.decision.public_id}/",
        f"decisions/{open_one.public_id}/counter/",
    ):
        assert gran.get(base(cast) + path).status_code == 404, path
    assert gran.post(f"{base(cast)}agreements/{shared.public_id}/share/", {}).status_code == 404
    # every link on the pages gran can open, followed: nothing unshared anywhere
    seen: set[str] = set()
    todo = [base(cast), base(cast) + "agreements/"]
    while todo:
        url = todo.pop()
        if url in seen or not url.startswith(base(cast)) or "/logout" in url:
            continue
        seen.add(url)
        response = gran.get(url)
        if response.status_code != 200 or "text/html" not in response["Content-Type"]:
            continue
        html = response.content.decode()
        assert "Relocation" not in html and "Kit starts piano" not in html, url
        todo += [u for u in re.findall(r'href="(/f/[^"#?]+)', html) if u not in seen]
    assert base(cast) + "agreements/" in seen


def test_sharing_from_the_agreements_page(cast: Cast, client_for) -> None:
    agreement = agreed(cast)
    alice = client_for(cast.alice)
    response = alice.post(
        f"{base(cast)}agreements/{agreement.public_id}/share/", {"caregivers": "on"}
    )
    assert response.status_code == 302 and response["Location"].endswith(
        f"/agreements/#agreement-{agreement.public_id}"
    )
    agreement.refresh_from_db()
    assert agreement.shared_with_caregivers and not agreement.shared_with_children
    alice.post(f"{base(cast)}agreements/{agreement.public_id}/share/", {})
    assert not Agreement.objects.get().shared_with_caregivers


def test_a_professional_reads_everything_and_writes_nothing(cast: Cast, client_for) -> None:
    agreement = agreed(cast)
    decision = propose(cast, title="Open one")
    mediator = client_for(cast.mediator)
    size = LogEntry.objects.filter(family=cast.family_a).count()
    assert mediator.get(base(cast) + "decisions/").status_code == 200
    page = mediator.get(f"{base(cast)}decisions/{decision.public_id}/").content.decode()
    assert "Your answer" not in page and "Open one" in page
    assert "TikTok" in mediator.get(base(cast) + "agreements/").content.decode()
    for path, body in (
        ("decisions/new/", {}),
        (f"decisions/{decision.public_id}/accept/", {}),
        (f"decisions/{decision.public_id}/comment/", {"body": "x"}),
        (f"agreements/{agreement.public_id}/share/", {"caregivers": "on"}),
    ):
        assert mediator.post(base(cast) + path, body).status_code == 403, path
    assert LogEntry.objects.filter(family=cast.family_a).count() == size


def test_a_child_sees_only_agreements_shared_with_the_children(cast: Cast, client_for) -> None:
    from tests.cast import join, make_user

    kit_user = make_user("kit@example.test", "Kit")
    join(cast.family_a, cast.alice, kit_user, "child", child=cast.kit)
    for_kit = agreed(cast, title="Bedtime is 8:30 on school nights")
    agreed(cast, title="Caregivers only: pickup rota")
    services.agreement_share(
        family=cast.family_a, actor=cast.alice, agreement=for_kit, caregivers=False, children=True
    )
    kit = client_for(kit_user)
    page = kit.get(base(cast) + "agreements/").content.decode()
    assert "Bedtime is 8:30" in page and "pickup rota" not in page
    assert kit.get(base(cast) + "decisions/").status_code == 404
    gran_page = client_for(cast.gran).get(base(cast) + "agreements/").content.decode()
    assert "Bedtime" not in gran_page, "shared with the children is not shared with caregivers"


def test_an_agreement_links_to_proposing_its_replacement(cast: Cast, client_for) -> None:
    agreement = agreed(cast)
    alice = client_for(cast.alice)
    page = alice.get(base(cast) + "agreements/").content.decode()
    link = f"{base(cast)}decisions/new/?replaces={agreement.public_id}"
    assert f'href="{link}"' in page
    form = alice.get(link).content.decode()
    assert f'<option value="{agreement.public_id}" selected>' in form
