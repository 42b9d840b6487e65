"""Pydantic's field errors get our messages, in the active language; our validators' own
messages pass through; a pydantic type we have no words for gets a general message, never
pydantic's English in another language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation
from pydantic import BaseModel, Field, ValidationError, field_validator

from coparent.core.validation import MESSAGES, PYDANTIC_TYPES, field_message


class Shape(BaseModel):
    name: str = Field(min_length=2, max_length=5)
    count: int = Field(ge=1)
    when: dt.date
    price: Decimal = Field(decimal_places=2)
    tags: list[str] = Field(max_length=2)

    @field_validator("name")
    @classmethod
    def _no_x(cls, value: str) -> str:
        if "x" in value:
            raise ValueError(translation.gettext("Give a number."))
        return value


def errors_of(payload: dict) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        Shape.model_validate(payload)
    return {str(e["loc"][0]): field_message(e) for e in caught.value.errors()}


def test_each_field_gets_our_words_in_english() -> None:
    with translation.override("en"):
        found = errors_of(
            {"name": "a", "count": 0, "when": "31/01/2026", "price": "1.234", "tags": [1, 2, 3]}
        )
    assert found["name"] == "Write at least 2 characters."
    assert found["count"] == "Give a number of at least 1."
    assert found["when"] == "Write the date as 2026-01-31."
    assert found["price"] == "Use at most 2 decimal places."
    assert found["tags"] == "Give at most 2 items."


def test_the_same_fields_read_in_spanish() -> None:
    with translation.override("es"):
        found = errors_of({"count": "many", "when": "x", "price": "x", "tags": "x"})
    assert found["name"] == "Este campo es obligatorio."
    assert all(message and "Input should" not in message for message in found.values())


def test_our_validators_messages_pass_through_in_the_active_language() -> None:
    with translation.override("es"):
        found = errors_of({"name": "xx", "count": 1, "when": "2026-01-31", "price": 1, "tags": []})
    assert found == {"name": "Indique un número."}


def test_a_pydantic_type_without_words_gets_a_general_message() -> None:
    unknown = next(kind for kind in sorted(PYDANTIC_TYPES) if kind not in MESSAGES)
    with translation.override("en"):
        assert field_message({"type": unknown, "msg": "Pydantic's words"}) == (
            "This value is not valid."
        )
    assert field_message({"type": "our_own", "msg": "Our words"}) == "Our words"
