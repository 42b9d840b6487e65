from __future__ import annotations

from coparent.demo.data import load_demo
from coparent.demo.models import DemoFamily
from coparent.plan import selectors
from coparent.plan.models import TimeAway


def test_the_demo_family_has_a_plan_with_history_a_pending_change_and_time_away(db) -> None:
    assert load_demo()
    family = DemoFamily.objects.get(key="a").family
    in_force = selectors.provisions_in_force(family, None)
    assert set(in_force) == {
        "first_refusal",
        "relocation",
        "online",
        "calls",
        "authority",
        "new_partners",
    }
    sections = {s.kind: s for s in selectors.plan_sections(family, None)}
    assert len(sections["relocation"].decisions) == 2
    assert sections["travel"].pending is not None
    assert TimeAway.objects.filter(family=family).count() == 1
    assert not load_demo()
