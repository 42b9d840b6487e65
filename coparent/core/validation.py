"""Field messages for pydantic's validation errors, in the reader's language.

Pydantic writes its messages in English only. The API answers each field with the message for the
error's type, written here with gettext; messages our own validators raise (custom error types,
value errors) are already in the active language and are kept as they are. A pydantic type not
listed gets a general message rather than pydantic's English.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from pydantic_core import core_schema

PYDANTIC_TYPES = frozenset(typing.get_args(core_schema.ErrorType))


def _expected(ctx: Mapping[str, Any]) -> str:
    return _("Choose one of: %(expected)s.") % {"expected": ctx.get("expected", "")}


def _min_length(ctx: Mapping[str, Any]) -> str:
    n = int(ctx.get("min_length", 1))
    if n <= 1:
        return _("This cannot be empty.")
    return ngettext("Write at least %(n)d character.", "Write at least %(n)d characters.", n) % {
        "n": n
    }


def _max_length(ctx: Mapping[str, Any]) -> str:
    n = int(ctx.get("max_length", 0))
    return ngettext("Write at most %(n)d character.", "Write at most %(n)d characters.", n) % {
        "n": n
    }


def _min_items(ctx: Mapping[str, Any]) -> str:
    n = int(ctx.get("min_length", 1))
    return ngettext("Give at least %(n)d item.", "Give at least %(n)d items.", n) % {"n": n}


def _max_items(ctx: Mapping[str, Any]) -> str:
    n = int(ctx.get("max_length", 0))
    return ngettext("Give at most %(n)d item.", "Give at most %(n)d items.", n) % {"n": n}


def _decimal_places(ctx: Mapping[str, Any]) -> str:
    n = int(ctx.get("decimal_places", 0))
    return ngettext("Use at most %(n)d decimal place.", "Use at most %(n)d decimal places.", n) % {
        "n": n
    }


def _limit(template: Callable[[], str], key: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda ctx: template() % {"limit": ctx.get(key, "")}


def _fixed(template: Callable[[], str]) -> Callable[[Mapping[str, Any]], str]:
    return lambda ctx: template()


_WHOLE = _fixed(lambda: _("Give a whole number."))
_NUMBER = _fixed(lambda: _("Give a number."))
_OBJECT = _fixed(lambda: _("Give an object."))
_LIST = _fixed(lambda: _("Give a list."))
_DATE = _fixed(lambda: _("Write the date as 2026-01-31."))
_INSTANT = _fixed(lambda: _("Write the time as 2026-01-31T18:00:00Z."))
_TIME = _fixed(lambda: _("Write the time as 18:00."))
_ID = _fixed(lambda: _("Give a valid id."))

MESSAGES: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "missing": _fixed(lambda: _("This field is required.")),
    "extra_forbidden": _fixed(lambda: _("This field is not expected here.")),
    "string_type": _fixed(lambda: _("Give text.")),
    "string_unicode": _fixed(lambda: _("Give text.")),
    "int_type": _WHOLE,
    "int_parsing": _WHOLE,
    "int_from_float": _WHOLE,
    "int_parsing_size": _WHOLE,
    "float_type": _NUMBER,
    "float_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "decimal_parsing": _NUMBER,
    "finite_number": _NUMBER,
    "bool_type": _fixed(lambda: _("Give true or false.")),
    "bool_parsing": _fixed(lambda: _("Give true or false.")),
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "dict_type": _OBJECT,
    "model_type": _OBJECT,
    "model_attributes_type": _OBJECT,
    "dataclass_type": _OBJECT,
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "datetime_type": _INSTANT,
    "datetime_parsing": _INSTANT,
    "datetime_from_date_parsing": _INSTANT,
    "datetime_object_invalid": _INSTANT,
    "timezone_aware": _INSTANT,
    "time_type": _TIME,
    "time_parsing": _TIME,
    "uuid_type": _ID,
    "uuid_parsing": _ID,
    "uuid_version": _ID,
    "enum": _expected,
    "literal_error": _expected,
    "string_too_short": _min_length,
    "string_too_long": _max_length,
    "too_short": _min_items,
    "too_long": _max_items,
    "greater_than": _limit(lambda: _("Give a number greater than %(limit)s."), "gt"),
    "greater_than_equal": _limit(lambda: _("Give a number of at least %(limit)s."), "ge"),
    "less_than": _limit(lambda: _("Give a number less than %(limit)s."), "lt"),
    "less_than_equal": _limit(lambda: _("Give a number of at most %(limit)s."), "le"),
    "string_pattern_mismatch": _fixed(lambda: _("This is not in the expected form.")),
    "decimal_max_places": _decimal_places,
    "decimal_max_digits": _fixed(lambda: _("This number has too many digits.")),
    "decimal_whole_digits": _fixed(lambda: _("This number has too many digits.")),
    "json_invalid": _fixed(lambda: _("This is not valid JSON.")),
    "json_type": _fixed(lambda: _("This is not valid JSON.")),
    "url_parsing": _fixed(lambda: _("Give a web address.")),
    "url_type": _fixed(lambda: _("Give a web address.")),
}


def field_message(error: Mapping[str, Any]) -> str:
    """The message for one item of pydantic's `errors()`."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in ("value_error", "assertion_error") and "error" in ctx:
        return str(ctx["error"])
    if kind in MESSAGES:
        return MESSAGES[kind](ctx)
    if kind in PYDANTIC_TYPES:
        return _("This value is not valid.")
    return str(error.get("msg") or _("This value is not valid."))
