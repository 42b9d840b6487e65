"""The demo's decisions: an agreement about the children online (shared with the
grandfather), one decision still open with a deadline, and one declined."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coparent.accounts.models import User
from coparent.decisions import services
from coparent.decisions.models import Decision
from coparent.decisions.selectors import current_proposal, decision_get
from coparent.families.models import Child, Family


def demo_decisions(family: Family, people: dict[str, User]) -> None:
    if Decision.objects.filter(family=family).exists():
        return
    morgan, casey = people["morgan"], people["casey"]
    children = list(Child.objects.filter(family=family))
    robin = [c for c in children if c.first_name == "Robin"]
    now = timezone.now()

    online = services.decision_propose(
        family=family,
        actor=morgan,
        title="Robin may post videos on one private account from 13",
        details=(
            "A private account, followers approved by Robin and one of us. No face in videos "
            "until 15, no school uniform, no location. Both of us follow the account."
        ),
        category="online",
        children=robin,
        respond_by=now + dt.timedelta(days=7),
    )
    services.decision_comment(
        family=family,
        actor=casey,
        decision=online,
        body="Agreed, as long as we both follow it. Screen time stays as it is.",
    )
    agreement = services.decision_accept(
        family=family, actor=casey, proposal=current_proposal(decision_get(family, online))
    )
    services.agreement_share(
        family=family, actor=morgan, agreement=agreement, caregivers=True, children=True
    )

    services.decision_propose(
        family=family,
        actor=casey,
        title="Which secondary school for Robin",
        details="Open evenings are in October; applications close on 31 October.",
        category="education",
        children=robin,
        answer_kind="options",
        options=["Riverside Academy", "Hillcrest School", "St Anne's"],
        respond_by=now + dt.timedelta(days=10),
        on_no_answer="court_default",
        default_outcome="Robin applies to the school nearest the primary residence",
        default_source="Parenting order, paragraph 9",
    )

    declined = services.decision_propose(
        family=family,
        actor=morgan,
        title="Sky joins the Saturday swim squad",
        category="activities",
        children=[c for c in children if c.first_name == "Sky"],
        respond_by=now + dt.timedelta(days=5),
    )
    services.decision_decline(
        family=family,
        actor=casey,
        proposal=current_proposal(decision_get(family, declined)),
        reason="Saturdays are my weekend mornings with Sky; a weekday session would work.",
    )
