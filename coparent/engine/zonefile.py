"""The UTC offset changes of an IANA zone, read from its TZif file (RFC 8536).

zoneinfo converts one instant at a time and does not list a zone's transitions. Finding them by
sampling offsets (however fine the step) misses a short period that starts and ends between two
samples, so they are read from the same file zoneinfo reads, found the same way (zoneinfo.TZPATH,
then the tzdata package): the explicit transitions, then the POSIX TZ rule in the file's footer
for instants after the last one.
"""

from __future__ import annotations

import calendar
import os
import re
import struct
import threading
import zoneinfo
from bisect import bisect_left
from dataclasses import dataclass
from datetime import MAXYEAR, MINYEAR, UTC, datetime, timedelta
from importlib import resources

Transition = tuple[datetime, timedelta, timedelta]  # (instant, offset before, offset after)

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEADER = struct.Struct(">4sc15x6l")
_OFFSET = r"[+-]?\d{1,3}(?::\d{2}(?::\d{2})?)?"
_NAME = r"(?:[^<0-9:.,+-]+|<[A-Za-z0-9+-]+>)"
_TZ_STRING = re.compile(
    rf"{_NAME}(?P<std>{_OFFSET})(?:{_NAME}(?P<dst>{_OFFSET})?"
    rf",(?P<start>[^,/]+)(?:/(?P<start_time>{_OFFSET}))?"
    rf",(?P<end>[^,/]+)(?:/(?P<end_time>{_OFFSET}))?)?",
    re.ASCII,
)


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")]
    return sign * sum(part * unit for part, unit in zip(parts, (3600, 60, 1), strict=False))


@dataclass(frozen=True)
class _Day:
    """A POSIX TZ rule date: `Mm.w.d`, `Jn` (1-365, 29 February never counted) or `n` (0-365)."""

    kind: str  # "M", "J" or "n"
    numbers: tuple[int, ...]
    seconds: int  # local time of day; may be negative or past 24:00

    @classmethod
    def parse(cls, text: str, time: str | None) -> _Day:
        seconds = _seconds(time) if time else 7200
        if match := re.fullmatch(r"M(\d{1,2})\.([1-5])\.([0-6])", text):
            return cls("M", tuple(int(group) for group in match.groups()), seconds)
        if match := re.fullmatch(r"J(\d{1,3})", text):
            return cls("J", (int(match.group(1)),), seconds)
        if re.fullmatch(r"\d{1,3}", text):
            return cls("n", (int(text),), seconds)
        raise ValueError(f"bad TZ rule date {text!r}")

    def local(self, year: int) -> datetime:
        """The wall-clock time of this day in `year`, labelled UTC."""
        if self.kind == "M":
            month, week, weekday = self.numbers
            first_weekday, length = calendar.monthrange(year, month)  # Monday = 0
            day = (weekday - (first_weekday + 1)) % 7 + 1 + (week - 1) * 7  # POSIX: Sunday = 0
            if day > length:  # week 5 means the last one
                day -= 7
            start = datetime(year, month, day, tzinfo=UTC)
        else:
            number = self.numbers[0]
            if self.kind == "J":
                number += calendar.isleap(year) and number >= 60
                number -= 1
            start = datetime(year, 1, 1, tzinfo=UTC) + timedelta(days=number)
        return start + timedelta(seconds=self.seconds)


@dataclass(frozen=True)
class _Rule:
    """A footer with daylight saving: standard and daylight offsets and when each starts."""

    standard: timedelta
    daylight: timedelta
    start: _Day
    end: _Day

    def transitions(self, year: int) -> list[Transition]:
        begins = self.start.local(year) - self.standard
        ends = self.end.local(year) - self.daylight
        return sorted(
            [(begins, self.standard, self.daylight), (ends, self.daylight, self.standard)]
        )


def _rule(footer: str) -> _Rule | None:
    match = _TZ_STRING.fullmatch(footer)
    if match is None:
        raise ValueError(f"bad TZ string {footer!r}")
    if match.group("start") is None:
        return None  # a fixed offset after the last transition
    standard = -_seconds(match.group("std"))  # POSIX counts west of Greenwich as positive
    daylight = -_seconds(match.group("dst")) if match.group("dst") else standard + 3600
    return _Rule(
        timedelta(seconds=standard),
        timedelta(seconds=daylight),
        _Day.parse(match.group("start"), match.group("start_time")),
        _Day.parse(match.group("end"), match.group("end_time")),
    )


@dataclass(frozen=True)
class ZoneFile:
    table: tuple[Transition, ...]  # the explicit transitions that change the offset, in order
    rule: _Rule | None  # the footer's rule for instants after the last explicit transition

    def transitions(self, start: datetime, end: datetime) -> list[Transition]:
        """Every change of UTC offset at an instant in [start, end), in order."""
        instants = [moment for moment, _, _ in self.table]
        found = list(self.table[bisect_left(instants, start) : bisect_left(instants, end)])
        if self.rule is not None:
            after = self.table[-1][0] if self.table else None
            first_year = max(MINYEAR, start.year - 1, after.year if after else MINYEAR)
            for year in range(first_year, min(end.year, MAXYEAR - 1) + 1):
                found.extend(
                    change
                    for change in self.rule.transitions(year)
                    if start <= change[0] < end and (after is None or change[0] > after)
                )
        return _changes(found)


def _changes(transitions: list[Transition]) -> list[Transition]:
    """Sorted, with changes at one instant joined and those that change nothing dropped."""
    joined: list[Transition] = []
    for moment, before, after in sorted(transitions, key=lambda change: change[0]):
        if joined and joined[-1][0] == moment:
            before = joined.pop()[1]
        joined.append((moment, before, after))
    return [change for change in joined if change[1] != change[2]]


def parse_tzif(data: bytes) -> ZoneFile:
    """The transitions and footer rule of a TZif file (versions 1 to 4)."""
    magic, version, *counts = _HEADER.unpack_from(data)
    if magic != b"TZif":
        raise ValueError("not a TZif file")
    position = _HEADER.size
    time_size = 4
    if version != b"\x00":  # version 2+: skip the 32-bit block, read the 64-bit one
        isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
        position += timecnt * 5 + typecnt * 6 + charcnt + leapcnt * 8 + isstdcnt + isutcnt
        magic, version, *counts = _HEADER.unpack_from(data, position)
        position += _HEADER.size
        time_size = 8
    isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt = counts
    times = struct.unpack_from(f">{timecnt}{'q' if time_size == 8 else 'l'}", data, position)
    position += timecnt * time_size
    indices = struct.unpack_from(f">{timecnt}B", data, position)
    position += timecnt
    types = [struct.unpack_from(">lbB", data, position + 6 * i) for i in range(typecnt)]
    position += typecnt * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt + isutcnt
    footer = data[position:].strip(b"\n").decode("ascii") if time_size == 8 else ""
    # Before the first transition: the first standard-time type, as zoneinfo does.
    initial = next((offset for offset, dst, _ in types if not dst), None)
    offset = timedelta(seconds=initial if initial is not None else types[indices[0]][0])
    table: list[Transition] = []
    for seconds, index in zip(times, indices, strict=True):
        following = timedelta(seconds=types[index][0])
        moment = _EPOCH + timedelta(seconds=seconds)
        if MINYEAR < moment.year < MAXYEAR:
            table.append((moment, offset, following))
        offset = following
    return ZoneFile(tuple(_changes(table)), _rule(footer) if footer else None)


def _read(key: str) -> bytes:
    if os.path.isabs(key) or ".." in key.split("/"):
        raise zoneinfo.ZoneInfoNotFoundError(key)
    for root in zoneinfo.TZPATH:
        path = os.path.join(root, key)
        if os.path.isfile(path):
            with open(path, "rb") as file:
                return file.read()
    *folders, name = key.split("/")
    try:
        return resources.files(".".join(["tzdata.zoneinfo", *folders])).joinpath(name).read_bytes()
    except (ImportError, FileNotFoundError) as error:
        raise zoneinfo.ZoneInfoNotFoundError(key) from error


_FILES: dict[str, ZoneFile] = {}
_LOCK = threading.Lock()


def zone_file(zone: zoneinfo.ZoneInfo) -> ZoneFile:
    """The parsed TZif file of `zone` (read once per key)."""
    key = zone.key
    if key is None:
        raise ValueError("a zone loaded from a file has no key to find its transitions by")
    found = _FILES.get(key)
    if found is None:
        with _LOCK:
            found = _FILES.get(key)
            if found is None:
                found = _FILES[key] = parse_tzif(_read(key))
    return found


def clear() -> None:
    _FILES.clear()
