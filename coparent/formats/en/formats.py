"""English display formats. Unambiguous in every English-speaking country (no 06/07 puzzles),
short enough for a phone. Input formats fall back to Django's own."""

DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, H:i"
SHORT_DATE_FORMAT = "D j M Y"
SHORT_DATETIME_FORMAT = "D j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "D j M"
YEAR_MONTH_FORMAT = "F Y"
