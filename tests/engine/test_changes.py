"""The human diff of a proposed spec against the agreed one."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.engine import COMMON_HOLIDAYS
from coparent.engine.changes import spec_changes

NAMES = {"A": "Alice", "B": "Bob"}


def agreed() -> dict[str, Any]:
    return {
        "timezone": "America/Chicago",
        "parents": ["A", "B"],
        "rotation": {
            "template": "2-2-3",
            "anchor": "2026-06-15",
            "first": "A",
            "exchange_time": "18:00",
        },
        "holidays": [
            COMMON_HOLIDAYS[-1].as_rule("A", "B"),
            {
                "name": "Winter break",
                "date": {"periods": [{"first": "2026-12-19", "last": "2027-01-03"}]},
                "start": {"days": 0, "time": "18:00"},
                "end": {"days": 1, "time": "18:00"},
                "parent": {"even": "A", "odd": "B"},
            },
        ],
        "x-exchange-place": "Riverside School",
    }


def test_the_same_spec_has_no_changes() -> None:
    assert spec_changes(agreed(), agreed(), NAMES) == []


def test_each_kind_of_change_reads_as_a_line() -> None:
    new = agreed()
    new["x-exchange-place"] = "Library car park"
    new["rotation"]["exchange_time"] = "17:30"
    new["rotation"]["first"] = "B"
    new["rotation"]["anchor"] = "2026-06-22"
    new["holidays"] = new["holidays"][:1]
    new["holidays"][0] = COMMON_HOLIDAYS[-1].as_rule("B", "A")
    new["holidays"].append(COMMON_HOLIDAYS[0].as_rule("A", "B"))
    assert spec_changes(agreed(), new, NAMES) == [
        "Exchange place: Riverside School → Library car park",
        "First day of the pattern: Mon 15 Jun 2026 → Mon 22 Jun 2026",
        "Who has the children at the start of the pattern: Alice → Bob",
        "Exchange time: 18:00 → 17:30",
        "Christmas: split; first half: Alice in even years, Bob in odd years → "
        "split; first half: Bob in even years, Alice in odd years",
        "New Year: added (Alice in even years, Bob in odd years)",
        "Winter break: removed",
    ]


def test_an_added_or_removed_place_and_other_rules() -> None:
    old = agreed()
    del old["x-exchange-place"]
    new = agreed()
    new["recurring"] = [{"name": "Wednesday dinner"}]
    assert spec_changes(old, new, NAMES) == [
        "Exchange place: Riverside School (added)",
        "Recurring times: added",
    ]
    assert spec_changes(new, old, NAMES) == [
        "Exchange place: Riverside School (removed)",
        "Recurring times: removed",
    ]


_values = st.one_of(st.none(), st.text(max_size=8), st.integers(), st.booleans())
_specs = st.dictionaries(
    st.sampled_from(["timezone", "x-exchange-place", "rotation", "holidays", "night_check"]),
    st.one_of(
        _values,
        st.dictionaries(st.sampled_from(["template", "anchor", "first", "pattern"]), _values),
        st.lists(
            st.dictionaries(st.sampled_from(["name", "parent", "start", "end"]), _values),
            max_size=3,
        ),
    ),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(_specs, _specs)
def test_no_change_exactly_when_the_specs_are_equal(before, after) -> None:
    """Whatever the shapes, the diff never crashes and is empty only for equal specs (up to an
    empty place, which is no place)."""

    def norm(spec):
        spec = copy.deepcopy(spec)
        if not spec.get("x-exchange-place"):
            spec.pop("x-exchange-place", None)
        if not spec.get("rotation"):
            spec.pop("rotation", None)
        if not spec.get("holidays"):
            spec.pop("holidays", None)
        return spec

    lines = spec_changes(before, after, NAMES)
    assert all(isinstance(line, str) and line for line in lines)
    assert spec_changes(before, before, NAMES) == []
    if norm(before) == norm(after):
        assert lines == []
