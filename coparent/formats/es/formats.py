"""Spanish display formats, for readers across Latin America: "mié 17 jun 2026", 24-hour times.
Numbers follow CLDR's es-419 (Babel's es_419, which money uses too): a decimal point and a
thousands comma, as in Mexico, Central America and among Spanish speakers in the US. Input
formats fall back to Django's own for Spanish (day before month)."""

DATE_FORMAT = "D j b Y"
DATETIME_FORMAT = "D j b Y, H:i"
SHORT_DATE_FORMAT = "D j b Y"
SHORT_DATETIME_FORMAT = "D j b Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "D j b"
YEAR_MONTH_FORMAT = r"F \d\e Y"
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
