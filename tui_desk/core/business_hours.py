"""Business hours: the opening days and times of a team, and business time counted in them.

Pure Python: no store, no UI. The hours are wall clock times in their own time zone (so
DST shifts them in UTC, and a 24/7 day with a DST change lasts 23 or 25 hours); see
docs/lifecycle.md, "SLA clock rules". Also the checks of the hours values of the config
file, whose one-line errors name the setting.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.errors import InvalidInput
from ..i18n import _

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_MIDNIGHT = time(0)
_FULL_DAY = 86400
_CACHE_LIMIT = 4096

DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken as UTC (as the store's text is)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _utc_zone() -> tzinfo:
    try:
        return ZoneInfo("UTC")
    except (ZoneInfoNotFoundError, ValueError, OSError):  # no tz database (Windows without tzdata)
        return UTC


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def machine_timezone() -> tzinfo:
    """The machine's IANA time zone: ``$TZ``, then ``/etc/localtime``, then ``/etc/timezone``; else UTC."""
    candidates: list[str] = []
    env = os.environ.get("TZ", "").lstrip(":").strip()
    if env:
        candidates.append(env)
    with contextlib.suppress(OSError):
        candidates.append(os.readlink("/etc/localtime"))
    with contextlib.suppress(OSError):
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    for name in candidates:
        if "zoneinfo/" in name:
            name = name.rsplit("zoneinfo/", 1)[1]
        if name and not name.startswith("/"):
            zone = _zone(name)
            if zone is not None:
                return zone
    return _utc_zone()


def zone_name(zone: tzinfo) -> str:
    """The name to write in the config for a time zone."""
    key = getattr(zone, "key", None)
    if key:
        return str(key)
    if zone is UTC:
        return "UTC"
    return str(zone)


def seconds_of_day(moment: time, *, end: bool = False) -> int:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return _FULL_DAY if end and seconds == 0 else seconds


def format_time(moment: time, *, end: bool = False) -> str:
    """``09:00``, ``09:30:15``; an end of ``00:00`` is written ``24:00``."""
    if end and seconds_of_day(moment) == 0:
        return "24:00"
    return moment.strftime("%H:%M" if moment.second == 0 else "%H:%M:%S")


def _show(value: object) -> str:
    text = f'"{value}"' if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= 60 else text[:57] + "..."


def bad_value(key: str, value: object, problem: str) -> InvalidInput:
    return InvalidInput(
        _("Bad SLA setting {key} = {value}: {problem}").format(
            key=key, value=_show(value), problem=problem
        )
    )


def bad_key(key: str, problem: str) -> InvalidInput:
    return InvalidInput(_("Bad SLA setting {key}: {problem}").format(key=key, problem=problem))


def end_before_start(start: time) -> str:
    return _("the end must be after the start {start}").format(start=format_time(start))


def _day_number(token: str) -> int | None:
    token = token.strip().lower()
    if len(token) < 3:
        return None
    for number, name in enumerate(DAY_NAMES):
        if name.startswith(token):
            return number
    return None


def _parse_days(value: object, key: str) -> frozenset[int]:
    if isinstance(value, str):
        tokens = [t for t in re.split(r"[,\s]+", re.sub(r"\s*-\s*", "-", value)) if t]
    elif isinstance(value, list | tuple | set | frozenset):
        tokens = list(value)
    else:
        raise bad_value(key, value, _('use week days such as ["mon", "tue"] or "mon-fri"'))
    days: set[int] = set()
    for token in tokens:
        if not isinstance(token, str):
            raise bad_value(key, token, _("unknown week day: use mon, tue, wed, thu, fri, sat, sun"))
        first, _dash, last = token.partition("-")
        a, b = _day_number(first), _day_number(last) if last else None
        if a is None or (last and b is None):
            raise bad_value(key, token, _("unknown week day: use mon, tue, wed, thu, fri, sat, sun"))
        days.add(a)
        while b is not None and a != b:  # a range, wrapping round the week (fri-mon)
            a = (a + 1) % 7
            days.add(a)
    if not days:
        raise bad_value(key, value, _("at least one week day is needed"))
    return frozenset(days)


_TIME_TEXT = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _parse_time(value: object, key: str, *, allow_24: bool) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None or value.microsecond:
            raise bad_value(key, value, _("use a time of day such as 09:00"))
        return value
    match = _TIME_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise bad_value(key, value, _("use a time of day such as 09:00"))
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        if not allow_24:
            raise bad_value(key, value, _("24:00 can only be an end"))
        return _MIDNIGHT
    if hour > 23 or minute > 59 or second > 59:
        raise bad_value(key, value, _("use a time of day such as 09:00"))
    return time(hour, minute, second)


def _parse_timezone(value: object, key: str) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    zone = _zone(value.strip()) if isinstance(value, str) and value.strip() else None
    if zone is None:
        raise bad_value(key, value, _("unknown time zone: use a name such as Europe/Tallinn or UTC"))
    return zone


def _parse_holidays(value: object, key: str) -> frozenset[date]:
    if isinstance(value, str):
        items: list[object] = [t for t in re.split(r"[,\s]+", value) if t]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise bad_value(key, value, _('use a list of dates such as ["2026-12-24"]'))
    holidays: set[date] = set()
    for item in items:
        if isinstance(item, date) and not isinstance(item, datetime):
            holidays.add(item)
            continue
        try:
            if not isinstance(item, str):
                raise ValueError
            holidays.add(date.fromisoformat(item.strip()))
        except ValueError:
            raise bad_value(key, item, _("not a date: use YYYY-MM-DD")) from None
    return frozenset(holidays)


HOURS_PARSERS: dict[str, Callable[[object, str], object]] = {
    "days": _parse_days,
    "start": lambda value, key: _parse_time(value, key, allow_24=False),
    "end": lambda value, key: _parse_time(value, key, allow_24=True),
    "timezone": _parse_timezone,
    "holidays": _parse_holidays,
}


@dataclass(frozen=True)
class BusinessHours:
    """Opening hours: week days (0 = Monday), a daily start and end, a time zone, holidays.

    ``end`` of ``time(0)`` means midnight at the end of the day (24:00). The
    same hours apply on every business day; holidays are specific dates.
    """

    days: frozenset[int]
    start: time
    end: time
    timezone: tzinfo
    holidays: frozenset[date] = frozenset()
    _cache: dict[date, tuple[datetime, datetime] | None] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        days = frozenset(self.days)
        if not days:
            raise InvalidInput(_("Business hours need at least one week day"))
        if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise InvalidInput(_("Week days are numbers from 0 (Monday) to 6 (Sunday)"))
        for moment in (self.start, self.end):
            if not isinstance(moment, time) or moment.tzinfo is not None:
                raise InvalidInput(_("Opening hours are times of day without a time zone"))
        if seconds_of_day(self.end, end=True) <= seconds_of_day(self.start):
            raise InvalidInput(
                _("The business hours end {end} is not after the start {start}").format(
                    end=format_time(self.end, end=True), start=format_time(self.start)
                )
            )
        holidays = frozenset(self.holidays)
        if any(isinstance(d, datetime) or not isinstance(d, date) for d in holidays):
            raise InvalidInput(_("Holidays are dates"))
        object.__setattr__(self, "days", days)
        object.__setattr__(self, "holidays", holidays)

    @classmethod
    def always(cls) -> BusinessHours:
        """24/7 in UTC, no holidays: business time is plain time."""
        return cls(frozenset(range(7)), _MIDNIGHT, _MIDNIGHT, _utc_zone())

    @classmethod
    def parse(
        cls,
        days: object = "mon-fri",
        start: object = "09:00",
        end: object = "17:00",
        timezone: object = "UTC",
        holidays: object = (),
    ) -> BusinessHours:
        """Business hours from config-style values (``"mon-fri"``, ``"09:00"``, ``"Europe/Tallinn"``)."""
        parsed_start = _parse_time(start, "hours.start", allow_24=False)
        parsed_end = _parse_time(end, "hours.end", allow_24=True)
        if seconds_of_day(parsed_end, end=True) <= seconds_of_day(parsed_start):
            raise bad_value("hours.end", end, end_before_start(parsed_start))
        return cls(
            _parse_days(days, "hours.days"),
            parsed_start,
            parsed_end,
            _parse_timezone(timezone, "hours.timezone"),
            _parse_holidays(holidays, "hours.holidays"),
        )

    @property
    def day_seconds(self) -> int:
        """Length of one daily opening (wall clock): what ``1d`` of business time means."""
        return seconds_of_day(self.end, end=True) - seconds_of_day(self.start)

    @property
    def week_seconds(self) -> int:
        """What ``1w`` of business time means: one opening per business day of the week."""
        return self.day_seconds * len(self.days)

    @property
    def is_always(self) -> bool:
        """Open all the time (24/7, no holidays): business time is plain time."""
        return (
            len(self.days) == 7
            and seconds_of_day(self.start) == 0
            and seconds_of_day(self.end, end=True) == _FULL_DAY
            and not self.holidays
        )

    def _interval(self, day: date) -> tuple[datetime, datetime] | None:
        """The opening of one local date as UTC moments, or None when closed that day."""
        cache = self._cache
        try:
            return cache[day]
        except KeyError:
            pass
        interval = None
        if day.weekday() in self.days and day not in self.holidays:
            zone = self.timezone
            opening = datetime.combine(day, self.start, zone).astimezone(UTC)
            if seconds_of_day(self.end) == 0:
                closing = datetime.combine(day + _DAY, _MIDNIGHT, zone).astimezone(UTC)
            else:
                closing = datetime.combine(day, self.end, zone).astimezone(UTC)
            if closing > opening:
                interval = (opening, closing)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[day] = interval
        return interval

    def is_open(self, moment: datetime) -> bool:
        moment = as_utc(moment)
        day = moment.astimezone(self.timezone).date()
        interval = self._interval(day)
        return interval is not None and interval[0] <= moment < interval[1]

    def business_seconds(self, a: datetime, b: datetime) -> int:
        """Whole seconds of business time between two moments; 0 when ``b <= a``."""
        a, b = as_utc(a), as_utc(b)
        if b <= a:
            return 0
        if self.is_always:
            return (b - a) // _SECOND
        zone = self.timezone
        day = a.astimezone(zone).date() - _DAY
        last = b.astimezone(zone).date()
        total = timedelta(0)
        while day <= last:
            interval = self._interval(day)
            if interval is not None:
                low = interval[0] if interval[0] > a else a
                high = interval[1] if interval[1] < b else b
                if high > low:
                    total += high - low
            day += _DAY
        return total // _SECOND

    def add(self, start: datetime, seconds: float) -> datetime:
        """The earliest UTC moment when ``seconds`` of business time have passed since ``start``.

        Outside the hours, counting begins at the next opening; ``seconds <= 0``
        gives ``start`` itself. A count that ends exactly at a closing gives
        that closing (not the next opening).
        """
        start = as_utc(start)
        if seconds <= 0:
            return start
        remaining = timedelta(seconds=seconds)
        if self.is_always:
            return start + remaining
        day = start.astimezone(self.timezone).date() - _DAY
        closed_days, closed_limit = 0, len(self.holidays) + 15
        while True:
            interval = self._interval(day)
            if interval is not None and interval[1] > start:
                low = interval[0] if interval[0] > start else start
                available = interval[1] - low
                if available >= remaining:
                    return low + remaining
                remaining -= available
                closed_days = 0
            else:
                closed_days += 1
                if closed_days > closed_limit:  # only a DST oddity could get here
                    raise InvalidInput(_("These business hours have no open time left to count"))
            day += _DAY
