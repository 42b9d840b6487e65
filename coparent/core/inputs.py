"""The one boundary for input: dates and instants the project can compute with, and text without
control characters or broken (unpaired surrogate) characters. The checks are plain functions;
the API's pydantic types are here, the pages' form fields in `core.forms`, and both use them.

Out of range is refused rather than clamped: beyond 1970-2200 date arithmetic overflows (an event
at 9999-12-31T23:59:59Z has no default end) and no calendar here can show the result.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja.parser import Parser
from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

FIRST_DAY, LAST_DAY = dt.date(1970, 1, 1), dt.date(2200, 12, 31)

OUT_OF_RANGE = gettext_lazy("Choose a date between 1970 and 2200.")
NEEDS_OFFSET = gettext_lazy("Give the time with a UTC offset, e.g. 2026-01-31T18:00:00Z.")
BAD_TEXT = gettext_lazy(
    "Remove the control characters (such as NUL) or broken characters from this text."
)
EMPTY_TEXT = gettext_lazy("This cannot be empty.")
NOT_A_NUMBER = gettext_lazy("Give a number.")
DATE_FORMAT = gettext_lazy("Write dates as 2026-01-31, and times as 2026-01-31T18:00:00Z.")

# C0 controls but tab, line feed and carriage return; DEL and the C1 controls; lone surrogates
# (JSON's "\ud800" escapes reach Python as such, and no database can store them).
_REFUSED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_BAD_CHARACTER = re.compile(f"[{_REFUSED}\ud800-\udfff]")
# What the OpenAPI schema says of text (surrogates cannot be written in a JSON schema's pattern).
TEXT_PATTERN = f"^[^{_REFUSED}]*$"
REQUIRED_TEXT_PATTERN = f"^[^{_REFUSED}]*[^\\s{_REFUSED}][^{_REFUSED}]*$"


def day_in_range(day: dt.date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def instant_problem(value: dt.datetime) -> str | None:
    """Why an instant is refused (no UTC offset, or outside the range), or None."""
    if value.tzinfo is None or value.utcoffset() is None:
        return str(NEEDS_OFFSET)
    # The date as written, not in UTC: years 1 and 9999 with an offset overflow on conversion,
    # and a parent who writes 2200-12-31T23:00-06:00 means a day in range.
    if not day_in_range(value.date()):
        return str(OUT_OF_RANGE)
    return None


def text_problem(value: str) -> str | None:
    return str(BAD_TEXT) if _BAD_CHARACTER.search(value) else None


def json_text_problem(value: Any) -> str | None:
    """text_problem for every string (keys included) of a parsed JSON document."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _BAD_CHARACTER.search(item):
                return str(BAD_TEXT)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


# ---- pydantic types for the API -----------------------------------------------------------------


def _check_day(value: dt.date) -> dt.date:
    if not day_in_range(value):
        raise PydanticCustomError("out_of_range", str(OUT_OF_RANGE))
    return value


def _check_instant(value: dt.datetime) -> dt.datetime:
    problem = instant_problem(value)
    if problem:
        code = "needs_offset" if problem == str(NEEDS_OFFSET) else "out_of_range"
        raise PydanticCustomError(code, problem)
    return value


def _check_text(value: Any) -> Any:
    # Before pydantic's own string check, which answers lone surrogates less clearly.
    if isinstance(value, str) and text_problem(value):
        raise PydanticCustomError("bad_text", str(BAD_TEXT))
    return value


def _check_not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("empty", str(EMPTY_TEXT))
    return value


# The shapes the API reads (RFC 3339, as the schema's formats say), and the same with the range
# of years, for the schema: JSON Schema has no bounds for dates, a pattern beside the format does.
_MONTH_DAY = r"-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])"
_CLOCK = r"[Tt]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
_TIME = r"[Tt]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,6})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)"
_ANY_YEAR, _YEAR_IN_RANGE = r"\d{4}", r"(19[7-9]\d|2[01]\d\d|2200)"
_DAY_SHAPE = re.compile(f"{_ANY_YEAR}{_MONTH_DAY}")
_INSTANT_SHAPE = re.compile(f"{_ANY_YEAR}{_MONTH_DAY}{_TIME}")
_NAIVE_SHAPE = re.compile(f"{_ANY_YEAR}{_MONTH_DAY}({_CLOCK})?")
DAY_PATTERN = f"^{_YEAR_IN_RANGE}{_MONTH_DAY}$"
INSTANT_PATTERN = f"^{_YEAR_IN_RANGE}{_MONTH_DAY}{_TIME}$"
_DAY_SCHEMA = {"description": "A date between 1970-01-01 and 2200-12-31.", "pattern": DAY_PATTERN}
_INSTANT_SCHEMA = {
    "description": "A time with a UTC offset, on a date between 1970-01-01 and 2200-12-31.",
    "pattern": INSTANT_PATTERN,
}


def _shape_check(shape: re.Pattern[str]) -> BeforeValidator:
    # Pydantic would also take numbers (and numeric strings) as Unix timestamps, and times with
    # no seconds: the API reads what its schema says, and says so.
    def check(value: Any) -> Any:
        if isinstance(value, dt.date) or (isinstance(value, str) and shape.fullmatch(value)):
            return value
        if shape is _INSTANT_SHAPE and isinstance(value, str) and _NAIVE_SHAPE.fullmatch(value):
            raise PydanticCustomError("needs_offset", str(NEEDS_OFFSET))
        raise PydanticCustomError("date_format", str(DATE_FORMAT))

    return BeforeValidator(check)


# A calendar date in the project's range.
Day = Annotated[
    dt.date,
    _shape_check(_DAY_SHAPE),
    AfterValidator(_check_day),
    Field(json_schema_extra=_DAY_SCHEMA),
]
# An aware instant (naive times are refused: whose midnight would it be?) in the range.
Instant = Annotated[
    dt.datetime,
    _shape_check(_INSTANT_SHAPE),
    AfterValidator(_check_instant),
    Field(json_schema_extra=_INSTANT_SCHEMA),
]


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """`Annotated[str, Text(120)]`: text of at most 120 characters, none of them refused;
    `required=True` also needs a character that is not white space."""

    max_length: int
    required: bool = False

    def __iter__(self) -> Iterator[object]:
        # minLength and pattern are for the schema: the validators below say it more clearly.
        extra: dict[str, Any] = (
            {"minLength": 1, "pattern": REQUIRED_TEXT_PATTERN}
            if self.required
            else {"pattern": TEXT_PATTERN}
        )
        yield Field(max_length=self.max_length, json_schema_extra=extra)
        yield BeforeValidator(_check_text)
        if self.required:
            yield AfterValidator(_check_not_blank)


def _check_json_number(value: Any) -> Any:
    # Pydantic would take true as 1 and "5" as 5; a JSON body says what it means.
    if isinstance(value, bool | str):
        raise PydanticCustomError("number_type", str(NOT_A_NUMBER))
    return value


# `Annotated[int, Field(ge=0), JsonNumber]`: a number in a JSON body, never a boolean or text
# (the Field goes first, or its bounds fall out of the schema).
JsonNumber = BeforeValidator(_check_json_number)


# ---- JSON bodies --------------------------------------------------------------------------------


class JsonObjectParser(Parser):
    """Every request body of the API is a JSON object. Ninja would read the fields of anything
    else as missing attributes, so `[null, null]` would pass as an empty update."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise ValueError("The request body must be a JSON object.")  # ninja answers 400
        return data
