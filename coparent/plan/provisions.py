"""The parenting plan's provisions: one schema per kind of provision, validated the same way
for the API, the pages and the decisions machinery (a provision is agreed as a proposal whose
payload is one of these).

Parents are named by their membership's public id; whether that id is a parent of the family is
checked by the service, which knows the family.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
import zoneinfo
from typing import Annotated, Any, ClassVar, Literal

from django.utils.translation import gettext, gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from coparent.core.inputs import JsonNumber, Text
from coparent.core.validation import field_message

JOINT = "joint"
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")

Days = Annotated[int, Field(ge=0, le=365), JsonNumber]
Note = Annotated[str, Text(1000)]


def _member_id(value: str, *, allow: str) -> str:
    if value == allow:
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError(gettext("Choose one of the family's parents.")) from None


class Provision(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: ClassVar[str]
    title: ClassVar[Any]
    category: ClassVar[str]  # the decisions category it belongs to
    note: Note = ""

    def member_ids(self) -> list[str]:
        """Membership public ids this provision names (checked to be parents)."""
        return []


class FirstRefusal(Provision):
    kind = "first_refusal"
    title = gettext_lazy("Right of first refusal")
    category = "other"
    hours: Annotated[int, Field(ge=1, le=336), JsonNumber]
    respond_hours: Annotated[int, Field(ge=1, le=168), JsonNumber] = 24


class NewPartners(Provision):
    kind = "new_partners"
    title = gettext_lazy("New partners")
    category = "partners"
    introduction_notice_days: Days = 0
    overnight_notice_days: Days = 0
    minimum_months_together: Annotated[int, Field(ge=0, le=120), JsonNumber] = 0


class ChildrenOnline(Provision):
    kind = "online"
    title = gettext_lazy("The children online")
    category = "online"
    photos: Literal["both", "neither", "with_consent"]
    platforms: Annotated[list[Annotated[str, Text(60, required=True)]], Field(max_length=20)] = []
    own_account_age: Annotated[int, Field(ge=0, le=21), JsonNumber] = 13
    not_posted: Annotated[str, Text(1000)] = ""


class Travel(Provision):
    kind = "travel"
    title = gettext_lazy("Travel")
    category = "travel"
    notice_days: Days
    international_itinerary: bool = True
    passports_held_by: Annotated[str, Text(40)] = ""  # a parent's member id, or "" for not said

    @field_validator("passports_held_by")
    @classmethod
    def _member(cls, value: str) -> str:
        return _member_id(value, allow="")

    def member_ids(self) -> list[str]:
        return [self.passports_held_by] if self.passports_held_by else []


class Relocation(Provision):
    kind = "relocation"
    title = gettext_lazy("Relocation")
    category = "relocation"
    notice_days: Days


class CallWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")
    weekdays: Annotated[list[Annotated[int, Field(ge=0, le=6), JsonNumber]], Field(min_length=1)]
    start: Annotated[str, Text(5, required=True)]
    end: Annotated[str, Text(5, required=True)]

    @field_validator("start", "end")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.fullmatch(value):
            raise ValueError(gettext("Write times as 18:00."))
        return value

    @field_validator("weekdays")
    @classmethod
    def _unique(cls, value: list[int]) -> list[int]:
        return sorted(set(value))

    def times(self) -> tuple[dt.time, dt.time]:
        return dt.time.fromisoformat(self.start), dt.time.fromisoformat(self.end)


class Calls(Provision):
    kind = "calls"
    title = gettext_lazy("Calls with the children")
    category = "other"
    windows: Annotated[list[CallWindow], Field(min_length=1, max_length=14)]
    timezone: Annotated[str, Text(64, required=True)]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(gettext("Choose a time zone such as Europe/Paris.")) from error
        return value

    @field_validator("windows")
    @classmethod
    def _ordered(cls, value: list[CallWindow]) -> list[CallWindow]:
        for window in value:
            start, end = window.times()
            if end <= start:
                raise ValueError(gettext("A call window ends after it starts, on the same day."))
        return value


class Authority(Provision):
    kind = "authority"
    title = gettext_lazy("Decision authority")
    category = "other"
    education: Annotated[str, Text(40, required=True)] = JOINT
    medical: Annotated[str, Text(40, required=True)] = JOINT

    @field_validator("education", "medical")
    @classmethod
    def _member(cls, value: str) -> str:
        return _member_id(value, allow=JOINT)

    def member_ids(self) -> list[str]:
        return [v for v in (self.education, self.medical) if v != JOINT]


KINDS: dict[str, type[Provision]] = {
    cls.kind: cls
    for cls in (FirstRefusal, NewPartners, ChildrenOnline, Travel, Relocation, Calls, Authority)
}
ORDER = list(KINDS)


class ProvisionError(ValueError):
    """A payload that is not a valid provision: `fields` maps a field path to its message."""

    def __init__(self, message: str, fields: dict[str, str]) -> None:
        super().__init__(message)
        self.fields = fields


def parse(kind: str, payload: Any) -> Provision:
    """The provision of `kind` from a JSON payload, or ProvisionError."""
    schema = KINDS.get(kind)
    if schema is None:
        unknown = gettext("Unknown kind of provision.")
        raise ProvisionError(unknown, {"kind": unknown})
    if not isinstance(payload, dict):
        raise ProvisionError(
            gettext("Give the provision's terms."), {"terms": gettext("Give an object.")}
        )
    try:
        return schema.model_validate(payload)
    except ValidationError as error:
        fields = {
            ".".join(str(p) for p in item["loc"]) or "terms": field_message(item)
            for item in error.errors()
        }
        first = next(iter(fields.items()))
        raise ProvisionError(f"{first[0]}: {first[1]}", fields) from error


def dump(provision: Provision) -> dict[str, Any]:
    return provision.model_dump(mode="json")
