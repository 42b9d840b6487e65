import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from coparent.engine import (
    COMMON_HOLIDAYS,
    SpecError,
    exchanges,
    parse_family_spec,
    parse_spec,
    parse_spec_text,
    responsible_at,
    spec_to_json,
)
from tests.engine.helpers import local, make_spec, timeline_for

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "schedule-spec.md"
SCHEMA = ROOT / "coparent" / "engine" / "schedule-spec.schema.json"
CHI = "America/Chicago"


def doc_examples():
    blocks = re.findall(r"```json\n(.*?)```", DOC.read_text(), flags=re.DOTALL)
    return [json.loads(block) for block in blocks]


def full_specs():
    return [e for e in doc_examples() if {"timezone", "children"} & set(e)]


def test_the_doc_has_full_examples_and_every_json_block_is_valid_json():
    assert len(doc_examples()) >= 6
    assert len(full_specs()) >= 3


@pytest.mark.parametrize("index", range(3))
def test_every_full_doc_example_parses(index):
    example = full_specs()[index]
    if "children" in example:
        assert parse_family_spec(example)
    else:
        assert parse_spec(example)


def test_fragment_examples_parse_inside_a_spec():
    for example in doc_examples():
        if "rrule" in example:
            parse_spec(make_spec(recurring=[example]))
        elif "date" in example:
            parse_spec(make_spec(holidays=[example]))
        elif "anchor" in example:
            parse_spec(make_spec(rotation=example))
        elif "start" in example:
            parse_spec(make_spec(overrides=[example]))


def test_the_schema_is_draft_2020_12_and_every_reference_resolves():
    schema = json.loads(SCHEMA.read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    references = re.findall(r'"\$ref": "#/\$defs/([A-Za-z]+)"', SCHEMA.read_text())
    assert references and set(references) <= set(schema["$defs"])


def test_the_schema_knows_every_field_of_the_doc_examples():
    schema = json.loads(SCHEMA.read_text())["$defs"]
    top = set(schema["settings"]["properties"]) | set(schema["planFields"]["properties"])
    for example in full_specs():
        specs = example["children"].values() if "children" in example else [example]
        for spec in specs:
            allowed = top | ({"versions"} if "versions" in spec else set())
            assert set(spec) <= allowed
            for key, definition in (
                ("rotation", "rotation"),
                ("recurring", "recurring"),
                ("holidays", "holiday"),
                ("overrides", "override"),
                ("swaps", "swap"),
            ):
                items = spec.get(key, [])
                for item in items if isinstance(items, list) else [items]:
                    assert set(item) <= set(schema[definition]["properties"]), (key, item)


@pytest.mark.parametrize("index", range(3))
def test_parse_then_write_then_parse_gives_the_same_schedule(index):
    example = full_specs()[index]
    for spec in example["children"].values() if "children" in example else [example]:
        schedule = parse_spec(spec)
        assert parse_spec(spec_to_json(schedule)) == schedule
        assert parse_spec(json.loads(json.dumps(spec_to_json(schedule)))) == schedule


def test_a_custom_pattern_and_every_rule_kind_survive_the_round_trip():
    spec = make_spec(
        parents=["A", "B", "C"],
        rotation={
            "pattern": "AABC",
            "anchor": "2026-01-05",
            "first": "C",
            "exchange_time": "08:30",
        },
        recurring=[
            {
                "rrule": "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE",
                "dtstart": "2026-01-07",
                "start_time": "17:00",
                "end": {"days": 0, "time": "19:00"},
                "parent": {"even": "A", "odd": "B"},
                "name": "dinner",
            }
        ],
        holidays=[
            {
                "name": n,
                "date": d,
                "start": {"days": 0, "time": "09:00"},
                "end": {"days": 1, "time": "09:00"},
                "parent": "B",
            }
            for n, d in [
                ("a", {"easter": 1, "method": "orthodox"}),
                ("b", {"public": "US", "holiday": "Labor Day"}),
                ("c", {"dates": ["2026-02-02"]}),
                ("d", {"periods": [{"first": "2026-03-01", "last": "2026-03-05"}]}),
            ]
        ],
        swaps=[
            {"id": 3, "start": "2026-01-10T10:00+01:00", "end": "2026-01-11T10:00", "parent": "C"}
        ],
    )
    schedule = parse_spec(spec)
    assert parse_spec(spec_to_json(schedule)) == schedule


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timezone": "Nowhere/Town"}, r"^timezone: unknown IANA time zone 'Nowhere/Town'$"),
        ({"parents": ["A", "A"]}, "unique"),
        (
            {"rotation": {"template": "8-6", "anchor": "2026-01-05", "first": "A"}},
            "unknown template",
        ),
        ({"rotation": {"template": "7-7", "anchor": "2026-01-05", "first": "Z"}}, "not declared"),
        ({"rotation": {"pattern": "AB1", "anchor": "2026-01-05", "first": "A"}}, "letters only"),
        ({"rotation": {"pattern": "ABC", "anchor": "2026-01-05", "first": "A"}}, "3 letters"),
        ({"rotation": {"template": "7-7", "anchor": "2026-02-30", "first": "A"}}, "anchor"),
        (
            {
                "rotation": {
                    "template": "7-7",
                    "anchor": "2026-01-05",
                    "first": "A",
                    "exchange_time": "25:00",
                }
            },
            "exchange_time",
        ),
        ({"rotation": None}, "needs a 'rotation' or a 'default'"),
        ({"night_check": "24:00"}, "night_check"),
        ({"day_rule": "texas"}, "day_rule"),
        ({"colour": "blue"}, "unknown field 'colour'"),
        (
            {
                "recurring": [
                    {
                        "rrule": "FREQ=WEEKLY;BYDAY=XX",
                        "start_time": "18:00",
                        "end": {"days": 0, "time": "20:00"},
                        "parent": "A",
                    }
                ]
            },
            "bad RRULE",
        ),
        (
            {
                "recurring": [
                    {
                        "rrule": "FREQ=HOURLY",
                        "start_time": "18:00",
                        "end": {"days": 0, "time": "20:00"},
                        "parent": "A",
                    }
                ]
            },
            "DAILY or coarser",
        ),
        (
            {
                "recurring": [
                    {
                        "rrule": "FREQ=DAILY",
                        "start_time": "18:00",
                        "end": {"days": 0, "time": "17:00"},
                        "parent": "A",
                    }
                ]
            },
            "end must be after start",
        ),
        (
            {"holidays": [{"name": "x", "date": {"month": 2, "day": 30}, "parent": "A"}]},
            "no day 30",
        ),
        (
            {
                "holidays": [
                    {"name": "x", "date": {"month": 5, "weekday": "MO", "nth": 0}, "parent": "A"}
                ]
            },
            "nth",
        ),
        (
            {
                "holidays": [
                    {"name": "x", "date": {"public": "US", "holiday": "Boxing Day"}, "parent": "A"}
                ]
            },
            "no single holiday",
        ),
        (
            {"holidays": [{"name": "x", "date": {"public": "XX", "holiday": "Y"}, "parent": "A"}]},
            "unknown country",
        ),
        (
            {"holidays": [{"name": "x", "date": {"month": 5, "day": 1}, "parent": {"even": "A"}}]},
            "missing field 'odd'",
        ),
        (
            {
                "holidays": [
                    {
                        "name": "x",
                        "date": {"month": 5, "day": 1},
                        "parent": {"split": {"days": 3, "time": "00:00"}, "first_half": "A"},
                    }
                ]
            },
            "between start and end",
        ),
        (
            {"overrides": [{"start": "2026-01-05", "end": "2026-01-06T00:00", "parent": "A"}]},
            "datetime",
        ),
        (
            {"swaps": [{"start": "2026-01-05T00:00", "end": "2026-01-06T00:00", "parent": "A"}]},
            "missing field 'id'",
        ),
    ],
)
def test_an_invalid_spec_raises_a_one_line_error_naming_the_field(change, message):
    with pytest.raises(SpecError, match=message) as raised:
        parse_spec(make_spec(**change))
    assert "\n" not in str(raised.value)


def test_malformed_json_text_raises_a_spec_error():
    with pytest.raises(SpecError, match="malformed JSON"):
        parse_spec_text('{"timezone": ')


def test_common_holidays_make_valid_rules_on_their_own_dates():
    rules = [holiday.as_rule("A", "B") for holiday in COMMON_HOLIDAYS]
    timeline = timeline_for(
        make_spec(rotation=None, default="B", holidays=rules), date(2026, 1, 1), date(2027, 1, 1)
    )
    sources = {s.source for s in timeline.segments}
    assert {f"holiday:{h.name}" for h in COMMON_HOLIDAYS} <= sources
    assert any(
        s.source == "holiday:Thanksgiving" and s.start == local(CHI, 2026, 11, 25, 18)
        for s in timeline.segments
    )


def test_exchanges_list_every_change_of_parent_and_skip_changes_of_source():
    spec = make_spec(
        overrides=[
            {
                "start": "2026-01-05T20:00",
                "end": "2026-01-06T09:00",
                "parent": "A",
                "name": "same parent",
            }
        ]
    )
    timeline = timeline_for(spec, date(2026, 1, 5), date(2026, 1, 12))
    found = [(e.at, e.from_parent, e.to_parent) for e in exchanges(timeline)]
    assert found == [
        (local(CHI, 2026, 1, 5, 18), "B", "A"),
        (local(CHI, 2026, 1, 7, 18), "A", "B"),
        (local(CHI, 2026, 1, 9, 18), "B", "A"),
    ]


def test_responsible_at_returns_the_covering_segment():
    schedule = parse_spec(make_spec())
    segment = responsible_at(schedule, local(CHI, 2026, 1, 8, 3))
    assert (segment.parent, segment.source) == ("B", "rotation")
    assert segment.start == local(CHI, 2026, 1, 7, 18)
    assert segment.end - segment.start == timedelta(days=2)
