"""The one input boundary (core.inputs): edge dates, offsets and hostile text are a clear 4xx or
form error everywhere, never a 500, and never stored. A Hypothesis walk feeds every API
operation hostile values field by field; the pages get the same values through their forms."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.api.base import api
from coparent.core.inputs import instant_problem, json_text_problem, text_problem
from coparent.engine import SpecError, parse_spec
from coparent.records.models import FamilyLog, LogEntry
from coparent.schedule.models import Event
from tests.cast import Cast
from tests.schedule.helpers import agreed, two_two_three
from tests.test_tenancy import family_a_ids, fill, sample_value

NOW = dt.datetime(2026, 3, 4, 15, 0, tzinfo=dt.UTC)  # a Wednesday afternoon

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def csrf_client(user: Any) -> Client:
    """A session client that sends the CSRF token as a browser's script would."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get("/account/")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


def record_size() -> tuple[int, int]:
    return LogEntry.objects.count(), sum(FamilyLog.objects.values_list("size", flat=True))


def send(client: Client, method: str, path: str, body: Any) -> Any:
    # json.dumps writes a lone surrogate as the escape "\ud800", as a hostile client would.
    return client.generic(method, path, data=json.dumps(body), content_type="application/json")


def assert_refused(response: Any, where: str) -> None:
    assert 400 <= response.status_code < 500, (where, response.status_code, response.content)
    error = response.json()["error"]
    assert error["code"] and error["message"], (where, error)


# ---- the checks themselves ----------------------------------------------------------------------


def test_instants_need_an_offset_and_a_date_in_range() -> None:
    utc, plus14, minus12 = (
        dt.UTC,
        dt.timezone(dt.timedelta(hours=14)),
        dt.timezone(-dt.timedelta(hours=12)),
    )
    assert instant_problem(dt.datetime(2026, 1, 1, 12, tzinfo=plus14)) is None
    assert instant_problem(dt.datetime(2026, 1, 1, 12, tzinfo=minus12)) is None
    assert instant_problem(dt.datetime(2200, 12, 31, 23, tzinfo=minus12)) is None
    assert "UTC offset" in str(instant_problem(dt.datetime(2026, 1, 1)))
    for far in (
        dt.datetime(1, 1, 1, tzinfo=plus14),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=minus12),
        dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=utc),
        dt.datetime(1969, 12, 31, 23, tzinfo=utc),
    ):
        assert "between 1970 and 2200" in str(instant_problem(far)), far


@pytest.mark.parametrize(
    "text", ["x\x00y", "x\ud800y", "\udfff", "bell\x07", "esc\x1b[0m", "\x7f", "\x85"]
)
def test_control_and_broken_characters_are_refused(text: str) -> None:
    assert text_problem(text)
    assert json_text_problem({"a": [{"b": text}]}) and json_text_problem({text: 1})


def test_ordinary_text_passes() -> None:
    for text in ("", "Siobhán O'Neil & Co", "tab\there\r\nnew line", "日本語 😀", "=1+2"):
        assert text_problem(text) is None
    assert json_text_problem({"a": ["b", 1, None, {"c": "d"}]}) is None


def test_the_engine_refuses_dates_outside_the_range() -> None:
    for key, value in (("anchor", "9999-12-31"), ("anchor", "0001-01-01")):
        with pytest.raises(SpecError, match="between 1970-01-01 and 2200-12-31"):
            parse_spec(two_two_three(rotation={**two_two_three()["rotation"], key: value}))
    override = {"start": "9999-12-31T18:00", "end": "9999-12-31T19:00", "parent": "A"}
    with pytest.raises(SpecError, match="between"):
        parse_spec(two_two_three(overrides=[override]))
    holiday = {
        "name": "x",
        "date": {"month": 1, "day": 1},
        "start": {"days": 10**9, "time": "18:00"},
    }
    with pytest.raises(SpecError, match="between -10000 and 10000"):
        parse_spec(
            two_two_three(
                holidays=[{**holiday, "end": {"days": 1, "time": "18:00"}, "parent": "A"}]
            )
        )


# ---- the cases found from outside ---------------------------------------------------------------


def test_the_reported_edge_values_are_clear_errors_and_nothing_is_stored(cast: Cast) -> None:
    agreed(cast)
    alice = csrf_client(cast.alice)
    family = f"/api/v1/families/{cast.family_a.public_id}"
    before = record_size()
    events = Event.objects.count()
    cases = [
        ("POST", "/events", {"title": "Play", "starts_at": "0001-01-01T00:00:00Z"}, "starts_at"),
        ("POST", "/events", {"title": "Play", "starts_at": "9999-12-31T23:59:59Z"}, "starts_at"),
        (
            "POST",
            "/events",
            {"title": "Play", "starts_at": "0001-01-01T00:00:00+14:00"},
            "starts_at",
        ),
        (
            "POST",
            "/events",
            {"title": "Play", "starts_at": "9999-12-31T23:00:00-12:00"},
            "starts_at",
        ),
        ("POST", "/events", {"title": "x\x00y", "starts_at": "2026-03-10T18:00:00Z"}, "title"),
        ("POST", "/events", {"title": "x\ud800y", "starts_at": "2026-03-10T18:00:00Z"}, "title"),
        (
            "POST",
            "/schedule/versions",
            {"spec": two_two_three(), "effective_at": "9999-12-31T00:00:00Z"},
            "effective_at",
        ),
        ("GET", "/threads/x/messages?after=0001-01-01T00:00:00%2B14:00", None, "after"),
        ("GET", "/schedule/timeline?date_from=9999-12-31", None, "date_from"),
    ]
    for method, path, body, field in cases:
        response = send(alice, method, family + path, body) if body else alice.get(family + path)
        assert response.status_code == 422, (path, body, response.content)
        assert field in response.json()["error"]["fields"], (path, response.json())
    far_anchor = two_two_three(rotation={**two_two_three()["rotation"], "anchor": "9999-12-31"})
    for spec in (far_anchor, two_two_three(**{"x-note": "a\u0000b"})):
        response = send(alice, "POST", f"{family}/schedule/versions", {"spec": spec})
        assert response.status_code == 400 and "spec" in response.json()["error"]["fields"]
    assert record_size() == before and Event.objects.count() == events


def test_offsets_at_the_edges_of_the_world_work(cast: Cast) -> None:
    alice = csrf_client(cast.alice)
    family = f"/api/v1/families/{cast.family_a.public_id}"
    for offset in ("+14:00", "-12:00"):
        created = send(
            alice,
            "POST",
            f"{family}/events",
            {"title": "Call", "starts_at": f"2026-03-10T18:00:00{offset}"},
        )
        assert created.status_code == 201, created.content
    late = send(
        alice, "POST", f"{family}/events", {"title": "Late", "starts_at": "2200-12-31T23:59:59Z"}
    )
    assert late.status_code == 201 and late.json()["ends_at"].startswith("2201-01-01T00:59:59")


# ---- every API operation, every field -----------------------------------------------------------

OUT_OF_RANGE_DAYS = ["0001-01-01", "9999-12-31", "1969-12-31", "2201-01-01", "20260101"]
OUT_OF_RANGE_INSTANTS = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59Z",
    "1969-12-31T23:00:00Z",
    "2026-03-10T18:00:00",  # no offset
    "1700000000",
]
HOSTILE_TEXT = ["x\x00y", "\x00", "x\ud800y", "\udc00", "ok\x1b[31m", "x" * 20_001]
WRONG_TYPES: list[Any] = [123, -1, 2**70, 1.5, [], {}, True, None]


def _resolved(schema: dict, prop: dict) -> dict:
    ref = prop.get("$ref") or next((p["$ref"] for p in prop.get("allOf", []) if "$ref" in p), "")
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else prop


def _variants(prop: dict) -> list[dict]:
    return [p for p in prop.get("anyOf", [prop]) if p.get("type") != "null"]


def hostile_values(schema: dict, prop: dict, *, in_url: bool) -> list[Any]:
    """Values the field must refuse, whatever it is: edge dates, hostile text, wrong types."""
    variants = [_resolved(schema, p) for p in _variants(prop)]
    formats = {v.get("format") for v in variants}
    types = {v.get("type") for v in variants}
    found: list[Any] = []
    if "date" in formats:
        found += OUT_OF_RANGE_DAYS
    if "date-time" in formats:
        found += OUT_OF_RANGE_INSTANTS
    if "string" in types or not types - {None}:
        # Surrogates cannot travel in a URL (it is UTF-8); they arrive as U+FFFD, which is fine.
        found += [t for t in HOSTILE_TEXT if not (in_url and "\\ud" in repr(t))]
    if in_url:
        return found
    if "integer" in types:
        found += [2**70, -(2**70), "x", 1.5]
    if "number" in types:
        found += [1e308, -1e308, "x"]
    if "array" in types:
        found += ["x\x00", 1]
    if "object" in types:
        found += ["x\x00", 1, {"timezone": "x\x00"}]
    if "boolean" in types:
        found += [[], {}]
    if "string" in types:
        found += [v for v in WRONG_TYPES if v is not None and not isinstance(v, bool)]
    return found


def api_cases(ids: dict[str, str]) -> list[tuple[str, str, str, dict, str, list[Any]]]:
    """(method, path, query, body, field, hostile values) for every field of every operation."""
    schema = api.get_openapi_schema()
    cases = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            params = operation.get("parameters", [])
            content = operation.get("requestBody", {}).get("content", {}).get("application/json")
            component = _resolved(schema, content["schema"]) if content else {"properties": {}}
            body = {
                name: sample_value(name, component["properties"][name], schema)
                for name in component.get("required", [])
            }
            query = {
                p["name"]: sample_value(p["name"], p["schema"], schema)
                for p in params
                if p["in"] == "query" and p.get("required")
            }
            for p in params:
                values = hostile_values(schema, p["schema"], in_url=True)
                cases.append(
                    (
                        method.upper(),
                        path,
                        p["in"],
                        {"query": query, "body": body},
                        p["name"],
                        values,
                    )
                )
            for name, prop in component["properties"].items():
                values = hostile_values(schema, prop, in_url=False)
                cases.append(
                    (method.upper(), path, "body", {"query": query, "body": body}, name, values)
                )
    return cases


def build_request(case: tuple, ids: dict[str, str], value: Any) -> tuple[str, str, Any]:
    method, path, where, base, name, _values = case
    query = dict(base["query"])
    body = dict(base["body"])
    path_ids = dict(ids)
    if where == "path":
        path_ids[name] = quote(str(value), safe="")
    elif where == "query":
        query[name] = value
    else:
        body[name] = value
    url = fill(path, path_ids)
    if query:
        url += "?" + "&".join(f"{k}={quote(str(v), safe='')}" for k, v in query.items())
    return method, url, body


def test_every_api_field_refuses_hostile_values(cast: Cast) -> None:
    ids = family_a_ids(cast)
    alice = csrf_client(cast.alice)
    cases = [c for c in api_cases(ids) if c[5]]
    assert len(cases) > 80, "the walk found too few fields: it is broken"
    before = record_size()

    @settings(
        max_examples=300,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.data())
    def check(data: st.DataObject) -> None:
        case = data.draw(st.sampled_from(range(len(cases))).map(cases.__getitem__), label="case")
        value = data.draw(st.sampled_from(case[5]), label="value")
        method, url, body = build_request(case, ids, value)
        response = send(alice, method, url, body)
        assert_refused(response, f"{method} {url} {case[4]}={value!r:.60}")

    check()
    # Each field once, so that no field is left out by chance.
    for case in cases:
        method, url, body = build_request(case, ids, case[5][0])
        assert_refused(send(alice, method, url, body), f"{method} {url} {case[4]}")
    assert record_size() == before


# ---- the pages ----------------------------------------------------------------------------------


def page_cases(cast: Cast, ids: dict[str, str]) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    """(page, a valid form, the fields to spoil and their kind) for forms with dates or text."""
    kit = str(cast.kit.public_id)
    return [
        (
            "passes/new/",
            {
                "person_name": "Jo Cousin",
                "children": [kit],
                "place": "School",
                "starts_at": "2026-03-10T15:00",
                "ends_at": "2026-03-10T17:00",
            },
            {"person_name": "text", "place": "text", "starts_at": "date", "ends_at": "date"},
        ),
        (
            "swaps/new/",
            {
                "plan": ids["plan_id"],
                "start_at": "2026-03-20T18:00",
                "end_at": "2026-03-22T18:00",
                "respond_by": "2026-03-15T18:00",
            },
            {
                "start_at": "date",
                "end_at": "date",
                "respond_by": "date",
                "offer_start_at": "date",
                "offer_end_at": "date",
                "reason": "text",
            },
        ),
        (
            "events/new/",
            {"title": "Play", "kind": "school", "starts_at": "2026-03-10T18:00"},
            {
                "title": "text",
                "starts_at": "date",
                "ends_at": "date",
                "place": "text",
                "notes": "text",
            },
        ),
        (
            "children/add/",
            {"first_name": "Sky", "date_of_birth": "2020-01-01"},
            {"first_name": "text", "last_name": "text", "date_of_birth": "date"},
        ),
        (
            "messages/new/",
            {"subject": "Summer", "body": "Hello"},
            {"subject": "text", "body": "text"},
        ),
        ("settings/", {"name": "Family A"}, {"name": "text"}),
        (
            f"children/{kit}/info/new/allergy/",
            {"allergen": "Dust", "visibility": "caregivers"},
            {"allergen": "text", "reaction": "text", "treatment": "text"},
        ),
        (
            "plan/propose/relocation/",
            {"notice_days": "30", "respond_by": "2026-03-10T18:00"},
            {"respond_by": "date", "details": "text", "note": "text"},
        ),
        (
            "plan/time-away/new/",
            {
                "plan": ids["plan_id"],
                "starts_at": "2026-03-10T19:00",
                "ends_at": "2026-03-11T09:00",
            },
            {"starts_at": "date", "ends_at": "date", "note": "text"},
        ),
        (
            "decisions/new/",
            {
                "title": "Piano lessons",
                "category": "activities",
                "answer_kind": "yes_no",
                "respond_by": "2026-03-10T18:00",
                "on_no_answer": "nothing",
            },
            {
                "title": "text",
                "details": "text",
                "options": "text",
                "respond_by": "date",
                "default_outcome": "text",
                "default_source": "text",
            },
        ),
        *expense_page_cases(cast),
        (
            "reports/",
            {"start": "2026-06-01", "end": "2026-06-17", "sections": ["access"]},
            {"bates_prefix": "text"},
        ),
    ]


def expense_page_cases(cast: Cast) -> list[tuple[str, dict[str, Any], dict[str, str]]]:
    from coparent.families.models import Membership

    alice = str(Membership.objects.active().get(family=cast.family_a, user=cast.alice).public_id)
    bob = str(Membership.objects.active().get(family=cast.family_a, user=cast.bob).public_id)
    return [
        (
            "expenses/new/",
            {
                "description": "Dentist",
                "category": "medical",
                "date": "2026-06-01",
                "amount": "10.00",
                "currency": "USD",
                "paid_by": alice,
            },
            {"description": "text", "note": "text", "date": "date"},
        ),
        (
            "expenses/payments/new/",
            {"to": bob, "amount": "5", "currency": "USD", "date": "2026-06-01", "method": "cash"},
            {"date": "date", "reference": "text", "note": "text", "app_name": "text"},
        ),
        (
            "expenses/repeating/",
            {
                "form": "add",
                "description": "Tuition",
                "category": "education",
                "amount": "250",
                "currency": "USD",
                "paid_by": alice,
                "rrule": "FREQ=MONTHLY",
                "starts_on": "2026-07-01",
            },
            {"description": "text", "note": "text", "starts_on": "date"},
        ),
        (
            "expenses/rules/",
            {"effective_from": "2026-07-01", f"default_{alice}": "50", f"default_{bob}": "50"},
            {"effective_from": "date", "note": "text"},
        ),
    ]


# Form fields that take a day, not a date and time.
DAY_FIELDS = frozenset({"date_of_birth", "date", "effective_from", "starts_on"})

HOSTILE_FORM_VALUES = {
    "date": (
        ["9999-12-30T10:00", "9999-12-31T23:59", "0001-01-01T00:00", "9999-12-31", "0001-01-01"],
        "between 1970 and 2200",
    ),
    "text": (["x\x00y", "bell\x07", "esc\x1b[0m"], "control characters"),
}


@pytest.mark.parametrize("zone", ["America/Chicago", "Pacific/Kiritimati", "Etc/GMT+12"])
def test_pages_answer_hostile_values_with_a_form_error(cast: Cast, zone: str) -> None:
    ids = family_a_ids(cast)
    cast.alice.timezone = zone
    cast.alice.save(update_fields=["timezone"])
    alice = csrf_client(cast.alice)
    base = f"/f/{cast.family_a.public_id}/"
    before = record_size()
    for page, form, fields in page_cases(cast, ids):
        for field, kind in fields.items():
            values, message = HOSTILE_FORM_VALUES[kind]
            for value in values:
                if kind == "date" and "T" not in value and field not in DAY_FIELDS:
                    continue
                if kind == "date" and "T" in value and field in DAY_FIELDS:
                    continue
                response = alice.post(base + page, {**form, field: value})
                where = (page, field, value, response.status_code)
                assert response.status_code == 200, where
                assert message in response.content.decode(), where
    assert record_size() == before


def test_page_query_parameters_with_odd_digits_are_ignored_not_a_500(cast: Cast) -> None:
    """Pages that page by a number in the query string: superscript digits pass isdigit() but not
    int(), and twenty digits overflow SQLite's integers."""
    ids = family_a_ids(cast)
    alice = csrf_client(cast.alice)
    base = f"/f/{cast.family_a.public_id}"
    for page in ("record/", f"messages/{ids['thread_id']}/", f"messages/{ids['thread_id']}/poll/"):
        for name in ("before", "after"):
            for value in ("²", "٣", "9" * 30, "-1", "x\x00"):
                response = alice.get(f"{base}/{page}?{name}={quote(value)}")
                assert response.status_code == 200, (page, name, value, response.status_code)


def test_multipart_attachments_refuse_hostile_text_too(cast: Cast) -> None:
    """The one operation that reads a form body by hand: its text gets the rules (Django already
    drops unprintable characters from file names)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.messaging.helpers import png_bytes

    ids = family_a_ids(cast)
    alice = csrf_client(cast.alice)
    path = f"/api/v1/families/{cast.family_a.public_id}/threads/{ids['thread_id']}/attachments"
    before = record_size()
    for body, name in (("x\x00y", "photo.png"), ("esc\x1b[0m", "a.png")):
        upload = SimpleUploadedFile(name, png_bytes(), content_type="image/png")
        response = alice.post(path, {"file": upload, "body": body})
        assert_refused(response, repr((body, name)))
    assert record_size() == before
