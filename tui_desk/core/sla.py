"""SLA policies, business hours and the SLA clock. Pure Python: no store, no UI.

What it models (see DOMAIN.md, "SLAs"): targets for the first response and
for resolution, per department and priority, counted in business time only.
The clock runs while a ticket waits for an agent (meaning "attention": New,
Open and custom statuses of that meaning) and pauses otherwise (waiting on
the customer, postponed, done, spam, deleted).

Config format
-------------
Everything is optional; this is the ``[sla]`` part of the TOML config file::

    [sla]
    first_response = "8h"      # or "none" for no target
    resolution = "5d"
    near = "1h"                # warn when less than this remains; or "25%" / 0.25
    [sla.hours]
    days = ["mon", "tue", "wed", "thu", "fri"]   # or "mon-fri"
    start = "09:00"
    end = "17:00"              # "24:00" (or "00:00") is midnight at the end of the day
    timezone = "Europe/Tallinn"
    holidays = ["2026-12-24", "2026-12-25"]

    [[sla.policy]]
    department = "Billing"     # optional (matched ignoring case)
    priority = "urgent"        # optional: low, normal, high, urgent
    first_response = "1h"
    resolution = "1d"
    [sla.policy.hours]         # optional; only the keys it names are changed
    end = "20:00"

Resolution of a ticket's targets, key by key (each key of ``hours`` too): the
most specific place that sets it wins, in the order department+priority >
department > priority > ``[sla]`` > built-in default. So a "Billing" policy
that sets only ``hours`` and an "urgent" policy that sets only
``first_response`` combine for an urgent Billing ticket.

Built-in default (no ``[sla]`` at all): first response within 1 business
hour for urgent tickets, 4 for high, 8 for normal and 2 business days for
low; resolution within 1, 2, 5 and 10 business days; near when less than 25%
of the target is left,
Monday-Friday 09:00-17:00 in the machine's time zone (``$TZ``, then
``/etc/localtime``, see :func:`machine_timezone`; UTC when it cannot be told), no holidays.

Durations: ``"30m"``, ``"4h"``, ``"2d"``, ``"1w"``, ``"1d 4h"``, or an integer
(minutes). ``m`` and ``h`` are plain minutes and hours of business time. ``d``
and ``w`` are *business* days and weeks of the policy's own hours: ``1d`` is
one daily opening (8h for 09:00-17:00) and ``1w`` is one opening per business
day of the week (5d for Monday-Friday). With 24/7 hours this is plain time
(1d = 24h, 1w = 7d), and "resolve within 2 days" means two working days,
whatever the opening hours.

Business time is real elapsed time inside the opening hours, which are wall
clock times in the policy's time zone (so DST shifts them in UTC, and a 24/7
day with a DST change lasts 23 or 25 hours).

The clock
---------
An :class:`SlaClock` is ``elapsed`` business seconds accrued in earlier runs
plus, while running, the moment the current run began. :func:`replay`
rebuilds it from a ticket's status history; :func:`due_at`,
:func:`remaining_seconds` and :func:`sla_state` read it.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..domain.errors import InvalidInput
from ..domain.models import Meaning, Priority
from ..i18n import _

_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
_MIDNIGHT = time(0)
_FULL_DAY = 86400
_CACHE_LIMIT = 4096

_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TARGET_KEYS = ("first_response", "resolution")
_HOURS_KEYS = ("days", "start", "end", "timezone", "holidays")
_SETTING_KEYS = (*_TARGET_KEYS, "near", *_HOURS_KEYS)
_NONE_WORDS = ("none", "off", "no")

DEFAULT_NEAR_FRACTION = 0.25


# --------------------------------------------------------------------------- helpers


def _utc(moment: datetime) -> datetime:
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


def _seconds_of(moment: time, *, end: bool = False) -> int:
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return _FULL_DAY if end and seconds == 0 else seconds


def format_time(moment: time, *, end: bool = False) -> str:
    """``09:00``, ``09:30:15``; an end of ``00:00`` is written ``24:00``."""
    if end and _seconds_of(moment) == 0:
        return "24:00"
    return moment.strftime("%H:%M" if moment.second == 0 else "%H:%M:%S")


# --------------------------------------------------------------------------- business hours


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
        if _seconds_of(self.end, end=True) <= _seconds_of(self.start):
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
        if _seconds_of(parsed_end, end=True) <= _seconds_of(parsed_start):
            raise _bad("hours.end", end, _end_before_start(parsed_start))
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
        return _seconds_of(self.end, end=True) - _seconds_of(self.start)

    @property
    def week_seconds(self) -> int:
        """What ``1w`` of business time means: one opening per business day of the week."""
        return self.day_seconds * len(self.days)

    @property
    def is_always(self) -> bool:
        """Open all the time (24/7, no holidays): business time is plain time."""
        return (
            len(self.days) == 7
            and _seconds_of(self.start) == 0
            and _seconds_of(self.end, end=True) == _FULL_DAY
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
            if _seconds_of(self.end) == 0:
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
        moment = _utc(moment)
        day = moment.astimezone(self.timezone).date()
        interval = self._interval(day)
        return interval is not None and interval[0] <= moment < interval[1]

    def business_seconds(self, a: datetime, b: datetime) -> int:
        """Whole seconds of business time between two moments; 0 when ``b <= a``."""
        a, b = _utc(a), _utc(b)
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
        start = _utc(start)
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


# --------------------------------------------------------------------------- the clock


class SlaState(StrEnum):
    OK = "ok"
    NEAR = "near"
    BREACHED = "breached"
    PAUSED = "paused"
    NONE = "none"  # no target


@dataclass(frozen=True)
class SlaClock:
    """Business seconds accrued while the ticket waited on us, and the start of the current run."""

    elapsed: int = 0
    running_since: datetime | None = None

    @classmethod
    def started(cls, now: datetime) -> SlaClock:
        return cls(0, _utc(now))

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def pause(self, now: datetime, hours: BusinessHours) -> SlaClock:
        if self.running_since is None:
            return self
        return SlaClock(self.elapsed + hours.business_seconds(self.running_since, now), None)

    def resume(self, now: datetime) -> SlaClock:
        if self.running_since is not None:
            return self
        return SlaClock(self.elapsed, _utc(now))

    def elapsed_at(self, now: datetime, hours: BusinessHours) -> int:
        if self.running_since is None:
            return self.elapsed
        return self.elapsed + hours.business_seconds(self.running_since, now)


def due_at(clock: SlaClock, target_seconds: int | None, hours: BusinessHours) -> datetime | None:
    """When the target is reached if the clock keeps running; None when paused or no target.

    If the target was already used up before the current run began, this is
    the moment the run began (the due time is past either way).
    """
    if target_seconds is None or clock.running_since is None:
        return None
    return hours.add(clock.running_since, max(0, target_seconds - clock.elapsed))


def remaining_seconds(
    clock: SlaClock, target_seconds: int | None, hours: BusinessHours, now: datetime
) -> int | None:
    """Business seconds left before the target (negative when past); None without a target."""
    if target_seconds is None:
        return None
    return target_seconds - clock.elapsed_at(now, hours)


def sla_state(
    clock: SlaClock,
    target_seconds: int | None,
    hours: BusinessHours,
    now: datetime,
    near_fraction: float = DEFAULT_NEAR_FRACTION,
    near_seconds: int | None = None,
) -> SlaState:
    """ok / near / breached / paused / none. A breach stays a breach while paused.

    "near": less than ``near_seconds`` (when given) or else less than
    ``near_fraction`` of the target remains.
    """
    if target_seconds is None:
        return SlaState.NONE
    remaining = target_seconds - clock.elapsed_at(now, hours)
    if remaining <= 0:
        return SlaState.BREACHED
    if not clock.running:
        return SlaState.PAUSED
    threshold = near_seconds if near_seconds is not None else target_seconds * near_fraction
    return SlaState.NEAR if remaining < threshold else SlaState.OK


def replay(
    status_changes: Iterable[tuple[datetime, str]],
    meaning_of: Callable[[str], str],
    now: datetime,
    hours: BusinessHours,
    *,
    stop_at: datetime | None = None,
) -> SlaClock:
    """The clock of a ticket from its status history: (when, new status), the creation included.

    The clock runs while ``meaning_of(status)`` is "attention" and pauses
    otherwise. Changes after ``now`` are ignored. With ``stop_at`` (e.g. the
    first response, for the first-response clock) the clock stops for good
    there: later changes are ignored and it is returned paused.
    """
    end = _utc(now)
    if stop_at is not None:
        end = min(end, _utc(stop_at))
    clock = SlaClock()
    for when, status in sorted(((_utc(w), s) for w, s in status_changes), key=lambda c: c[0]):
        if when > end:
            break
        if meaning_of(status) == Meaning.ATTENTION:
            clock = clock.resume(when)
        else:
            clock = clock.pause(when, hours)
    if stop_at is not None:
        clock = clock.pause(end, hours)
    return clock


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class Duration:
    """A configured duration as written: minutes, business days and business weeks."""

    minutes: int = 0
    days: int = 0
    weeks: int = 0

    def seconds(self, hours: BusinessHours) -> int:
        return self.minutes * 60 + self.days * hours.day_seconds + self.weeks * hours.week_seconds

    def __str__(self) -> str:
        parts = []
        if self.weeks:
            parts.append(f"{self.weeks}w")
        if self.days:
            parts.append(f"{self.days}d")
        hours, minutes = divmod(self.minutes, 60)
        if hours:
            parts.append(f"{hours}h")
        if minutes:
            parts.append(f"{minutes}m")
        return " ".join(parts) or "0m"


_UNITS = {
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
}  # fmt: skip
_DURATION_TEXT = re.compile(r"(?:\s*\d+\s*[a-z]+)+\s*")
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)")


def parse_duration(value: object, key: str = "duration", *, allow_zero: bool = False) -> Duration:
    """``"30m"``, ``"4h"``, ``"2d"``, ``"1w"``, ``"1d 4h"``, or an integer number of minutes."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(key, value, _("use a duration such as 30m, 4h, 2d, 1w or 1d 4h"))
    if isinstance(value, int):
        if value < 0:
            raise _bad(key, value, _("a duration must not be negative"))
        duration = Duration(minutes=value)
    else:
        text = value.strip().lower()
        if text.startswith("-"):
            raise _bad(key, value, _("a duration must not be negative"))
        if len(max(re.findall(r"\d+", text), key=len, default="")) > 15:
            raise _too_long(key, value)  # and int() of a long enough digit string fails
        if text.isdigit():
            duration = Duration(minutes=int(text))
        elif _DURATION_TEXT.fullmatch(text):
            amounts = {"m": 0, "h": 0, "d": 0, "w": 0}
            for amount, unit in _DURATION_PART.findall(text):
                if unit not in _UNITS:
                    raise _bad(
                        key, value, _("unknown unit {unit!r}: use m, h, d or w").format(unit=unit)
                    )
                amounts[_UNITS[unit]] += int(amount)
            duration = Duration(amounts["m"] + 60 * amounts["h"], amounts["d"], amounts["w"])
        else:
            raise _bad(key, value, _("use a duration such as 30m, 4h, 2d, 1w or 1d 4h"))
    if not allow_zero and duration == Duration():
        raise _bad(key, value, _('a target must be more than zero (use "none" for no target)'))
    if duration.seconds(BusinessHours.always()) > MAX_TARGET_YEARS * _YEAR_SECONDS:
        raise _too_long(key, value)
    return duration


# A target further than this cannot be meant, and counting business time towards it
# walks day by day: a due time centuries away would take long and then overflow.
MAX_TARGET_YEARS = 10
_YEAR_SECONDS = 365 * 86400


def _too_long(key: str, value: object) -> InvalidInput:
    return _bad(key, value, _("too long: more than {years} years with these business hours").format(years=MAX_TARGET_YEARS))


def _calendar_seconds(business_seconds: int, hours: BusinessHours) -> float:
    """About how long in plain time a count of business seconds takes (holidays aside)."""
    return business_seconds / hours.week_seconds * 7 * 86400


# --------------------------------------------------------------------------- config values


def _show(value: object) -> str:
    text = f'"{value}"' if isinstance(value, str) else str(value)
    text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text if len(text) <= 60 else text[:57] + "..."


def _bad(key: str, value: object, problem: str) -> InvalidInput:
    return InvalidInput(
        _("Bad SLA setting {key} = {value}: {problem}").format(
            key=key, value=_show(value), problem=problem
        )
    )


def _bad_key(key: str, problem: str) -> InvalidInput:
    return InvalidInput(_("Bad SLA setting {key}: {problem}").format(key=key, problem=problem))


def _end_before_start(start: time) -> str:
    return _("the end must be after the start {start}").format(start=format_time(start))


def _parse_target(value: object, key: str) -> Duration | None:
    if value is False or (isinstance(value, str) and value.strip().lower() in _NONE_WORDS):
        return None
    return parse_duration(value, key)


def _parse_near(value: object, key: str) -> Duration | float:
    if isinstance(value, float):
        if not 0 <= value < 1:
            raise _bad(key, value, _("a fraction must be from 0 up to (not including) 1"))
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*0?\.\d+\s*", value):  # "0.25" typed on the CLI
        return _parse_near(float(value), key)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = float(value.strip()[:-1])
        except ValueError:
            percent = -1.0
        if not 0 <= percent < 100:
            raise _bad(key, value, _("use a percentage from 0% to 99%, or a duration such as 1h"))
        return percent / 100
    return parse_duration(value, key, allow_zero=True)


def _day_number(token: str) -> int | None:
    token = token.strip().lower()
    if len(token) < 3:
        return None
    for number, name in enumerate(_DAY_NAMES):
        if name.startswith(token):
            return number
    return None


def _parse_days(value: object, key: str) -> frozenset[int]:
    if isinstance(value, str):
        tokens = [t for t in re.split(r"[,\s]+", re.sub(r"\s*-\s*", "-", value)) if t]
    elif isinstance(value, list | tuple | set | frozenset):
        tokens = list(value)
    else:
        raise _bad(key, value, _('use week days such as ["mon", "tue"] or "mon-fri"'))
    days: set[int] = set()
    for token in tokens:
        if not isinstance(token, str):
            raise _bad(key, token, _("unknown week day: use mon, tue, wed, thu, fri, sat, sun"))
        first, _dash, last = token.partition("-")
        a, b = _day_number(first), _day_number(last) if last else None
        if a is None or (last and b is None):
            raise _bad(key, token, _("unknown week day: use mon, tue, wed, thu, fri, sat, sun"))
        days.add(a)
        while b is not None and a != b:  # a range, wrapping round the week (fri-mon)
            a = (a + 1) % 7
            days.add(a)
    if not days:
        raise _bad(key, value, _("at least one week day is needed"))
    return frozenset(days)


_TIME_TEXT = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")


def _parse_time(value: object, key: str, *, allow_24: bool) -> time:
    if isinstance(value, time):
        if value.tzinfo is not None or value.microsecond:
            raise _bad(key, value, _("use a time of day such as 09:00"))
        return value
    match = _TIME_TEXT.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise _bad(key, value, _("use a time of day such as 09:00"))
    hour, minute, second = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
    if hour == 24 and minute == 0 and second == 0:
        if not allow_24:
            raise _bad(key, value, _("24:00 can only be an end"))
        return _MIDNIGHT
    if hour > 23 or minute > 59 or second > 59:
        raise _bad(key, value, _("use a time of day such as 09:00"))
    return time(hour, minute, second)


def _parse_timezone(value: object, key: str) -> tzinfo:
    if isinstance(value, tzinfo):
        return value
    zone = _zone(value.strip()) if isinstance(value, str) and value.strip() else None
    if zone is None:
        raise _bad(key, value, _("unknown time zone: use a name such as Europe/Tallinn or UTC"))
    return zone


def _parse_holidays(value: object, key: str) -> frozenset[date]:
    if isinstance(value, str):
        items: list[object] = [t for t in re.split(r"[,\s]+", value) if t]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise _bad(key, value, _('use a list of dates such as ["2026-12-24"]'))
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
            raise _bad(key, item, _("not a date: use YYYY-MM-DD")) from None
    return frozenset(holidays)


_HOURS_PARSERS: dict[str, Callable[[object, str], object]] = {
    "days": _parse_days,
    "start": lambda value, key: _parse_time(value, key, allow_24=False),
    "end": lambda value, key: _parse_time(value, key, allow_24=True),
    "timezone": _parse_timezone,
    "holidays": _parse_holidays,
}


def _parse_settings(
    table: Mapping[str, object], label: str, skip: tuple[str, ...]
) -> dict[str, object]:
    """The flat settings of one [sla] or [[sla.policy]] table (hours keys unnested)."""
    settings: dict[str, object] = {}
    for key, value in table.items():
        if key in skip:
            continue
        if key in _TARGET_KEYS:
            settings[key] = _parse_target(value, f"{label}.{key}")
        elif key == "near":
            settings[key] = _parse_near(value, f"{label}.{key}")
        elif key == "hours":
            if not isinstance(value, Mapping):
                raise _bad_key(
                    f"{label}.hours", _("must be a table ([{label}.hours])").format(label=label)
                )
            for hours_key, hours_value in value.items():
                if hours_key not in _HOURS_PARSERS:
                    raise _unknown(f"{label}.hours.{hours_key}", _HOURS_KEYS)
                settings[hours_key] = _HOURS_PARSERS[hours_key](
                    hours_value, f"{label}.hours.{hours_key}"
                )
        else:
            known = (*_TARGET_KEYS, "near", "hours", *skip)
            raise _unknown(f"{label}.{key}", known)
    return settings


def _unknown(key: str, known: Iterable[str]) -> InvalidInput:
    return _bad_key(key, _("unknown setting (known: {known})").format(known=", ".join(known)))


def _settings_to_config(settings: Mapping[str, object]) -> dict[str, object]:
    table: dict[str, object] = {}
    for key in _TARGET_KEYS:
        if key in settings:
            value = settings[key]
            table[key] = "none" if value is None else str(value)
    if "near" in settings:
        near = settings["near"]
        table["near"] = near if isinstance(near, float) else str(near)
    hours: dict[str, object] = {}
    if "days" in settings:
        hours["days"] = [_DAY_NAMES[d][:3] for d in sorted(settings["days"])]  # type: ignore[attr-defined]
    if "start" in settings:
        hours["start"] = format_time(settings["start"])  # type: ignore[arg-type]
    if "end" in settings:
        hours["end"] = format_time(settings["end"], end=True)  # type: ignore[arg-type]
    if "timezone" in settings:
        hours["timezone"] = zone_name(settings["timezone"])  # type: ignore[arg-type]
    if "holidays" in settings:
        hours["holidays"] = [d.isoformat() for d in sorted(settings["holidays"])]  # type: ignore[attr-defined]
    if hours:
        table["hours"] = hours
    return table


# --------------------------------------------------------------------------- policies


@dataclass(frozen=True)
class SlaTargets:
    """The targets that apply to one ticket, in business seconds of ``hours``."""

    first_response: int | None
    resolution: int | None
    hours: BusinessHours
    near_fraction: float = DEFAULT_NEAR_FRACTION
    near: int | None = None  # seconds; when set it wins over near_fraction

    def near_threshold(self, target_seconds: int) -> float:
        return self.near if self.near is not None else target_seconds * self.near_fraction

    def state(self, clock: SlaClock, target_seconds: int | None, now: datetime) -> SlaState:
        return sla_state(clock, target_seconds, self.hours, now, self.near_fraction, self.near)

    def due_at(self, clock: SlaClock, target_seconds: int | None) -> datetime | None:
        return due_at(clock, target_seconds, self.hours)


@dataclass(frozen=True)
class SlaRule:
    """One [[sla.policy]] (or, with neither department nor priority, the [sla] defaults).

    ``settings`` holds only what the config sets, parsed, with the hours keys
    flattened: first_response / resolution (Duration or None for "none"),
    near (Duration or a fraction), days, start, end, timezone, holidays.
    """

    department: str | None = None
    priority: str | None = None
    settings: Mapping[str, object] = field(default_factory=dict, hash=False)


def _department_key(department: str | None) -> str | None:
    if department is None:
        return None
    return department.strip().casefold() or None


def _builtin_settings(zone: tzinfo) -> dict[str, object]:
    return {
        "first_response": Duration(minutes=8 * 60),
        "resolution": Duration(days=5),
        "near": DEFAULT_NEAR_FRACTION,
        "days": frozenset(range(5)),
        "start": time(9),
        "end": time(17),
        "timezone": zone,
        "holidays": frozenset(),
    }


# Built-in targets by priority, under anything configured: a team that sets
# [sla] first_response sets it for every priority.
_BUILTIN_BY_PRIORITY: dict[str, dict[str, object]] = {
    "urgent": {"first_response": Duration(minutes=60), "resolution": Duration(days=1)},
    "high": {"first_response": Duration(minutes=4 * 60), "resolution": Duration(days=2)},
    "normal": {"first_response": Duration(minutes=8 * 60), "resolution": Duration(days=5)},
    "low": {"first_response": Duration(days=2), "resolution": Duration(days=10)},
}


@dataclass(frozen=True)
class SlaPolicies:
    """The [sla] defaults and the per department / priority policies, as configured."""

    default: SlaRule = field(default_factory=SlaRule)
    rules: tuple[SlaRule, ...] = ()
    local_timezone: tzinfo = field(default_factory=machine_timezone)
    _resolved: dict[tuple[str | None, str | None], SlaTargets] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        seen: dict[tuple[str | None, str | None], str] = {}
        for label, rule in self._labelled_rules():
            for key in rule.settings:
                if key not in _SETTING_KEYS:
                    raise _unknown(f"{label}.{key}", _SETTING_KEYS)
            if rule.department is not None and _department_key(rule.department) is None:
                raise _bad(f"{label}.department", rule.department, _("must not be empty"))
            if rule.priority is not None and rule.priority not in set(Priority):
                raise _bad(f"{label}.priority", rule.priority, _priority_problem())
            if rule.department is None and rule.priority is None:
                raise _bad_key(
                    label,
                    _(
                        "a policy needs a department or a priority (put defaults directly under [sla])"
                    ),
                )
            match = (_department_key(rule.department), rule.priority)
            if match in seen:
                raise _bad_key(
                    label,
                    _("the same department and priority as {other}").format(other=seen[match]),
                )
            seen[match] = label
        for key in self.default.settings:
            if key not in _SETTING_KEYS:
                raise _unknown(f"sla.{key}", _SETTING_KEYS)
        # Resolve every combination now: a bad combination fails at load time, lookups are cheap.
        departments = {_department_key(r.department) for r in self.rules} | {None}
        priorities = {r.priority for r in self.rules} | {None} | set(_BUILTIN_BY_PRIORITY)
        interned: dict[BusinessHours, BusinessHours] = {}
        for department in departments:
            for priority in priorities:
                targets = self._resolve(department, priority)
                hours = interned.setdefault(targets.hours, targets.hours)
                if hours is not targets.hours:
                    targets = SlaTargets(
                        targets.first_response,
                        targets.resolution,
                        hours,
                        targets.near_fraction,
                        targets.near,
                    )
                self._resolved[(department, priority)] = targets

    def _labelled_rules(self) -> Iterable[tuple[str, SlaRule]]:
        for number, rule in enumerate(self.rules, 1):
            yield f"sla.policy[{number}]", rule

    def _resolve(self, department: str | None, priority: str | None) -> SlaTargets:
        chain: list[tuple[float, str, Mapping[str, object]]] = [
            (-2, "", _builtin_settings(self.local_timezone)),
            (-1.5, "", _BUILTIN_BY_PRIORITY.get(priority or "", {})),
            (-1, "sla", self.default.settings),
        ]
        for label, rule in self._labelled_rules():
            if rule.department is not None and _department_key(rule.department) != department:
                continue
            if rule.priority is not None and rule.priority != priority:
                continue
            rank = (2 if rule.department is not None else 0) + (
                1 if rule.priority is not None else 0
            )
            chain.append((rank, label, rule.settings))
        chain.sort(key=lambda link: link[0])
        merged: dict[str, object] = {}
        source: dict[str, str] = {}
        for _rank, label, settings in chain:
            for key, value in settings.items():
                merged[key] = value
                source[key] = label
        start, end = merged["start"], merged["end"]
        assert isinstance(start, time) and isinstance(end, time)
        if _seconds_of(end, end=True) <= _seconds_of(start):
            if source["end"]:
                raise _bad(
                    f"{source['end']}.hours.end",
                    format_time(end, end=True),
                    _end_before_start(start),
                )
            problem = _("the start must be before the end {end}").format(
                end=format_time(end, end=True)
            )
            raise _bad(f"{source['start']}.hours.start", format_time(start), problem)
        hours = BusinessHours(
            merged["days"],  # type: ignore[arg-type]
            start,
            end,
            merged["timezone"],  # type: ignore[arg-type]
            merged["holidays"],  # type: ignore[arg-type]
        )
        first, resolution, near = merged["first_response"], merged["resolution"], merged["near"]
        for key in _TARGET_KEYS:
            duration = merged[key]
            if isinstance(duration, Duration) and (
                _calendar_seconds(duration.seconds(hours), hours) > MAX_TARGET_YEARS * _YEAR_SECONDS
            ):
                if source[key]:
                    raise _too_long(f"{source[key]}.{key}", str(duration))
                # A built-in target: the business hours are what makes it take so long.
                raise _bad(
                    f"{source['end'] or source['start']}.hours.end",
                    format_time(end, end=True),
                    _("too short: a target would take more than {years} years with these business hours").format(
                        years=MAX_TARGET_YEARS
                    ),
                )
        return SlaTargets(
            first_response=first.seconds(hours) if isinstance(first, Duration) else None,
            resolution=resolution.seconds(hours) if isinstance(resolution, Duration) else None,
            hours=hours,
            near_fraction=near if isinstance(near, float) else DEFAULT_NEAR_FRACTION,
            near=near.seconds(hours) if isinstance(near, Duration) else None,
        )

    def for_ticket(self, department: str | None, priority: str | None) -> SlaTargets:
        """The targets for a ticket: the most specific policy wins, key by key."""
        department_key = _department_key(department)
        priority_key = priority.strip().lower() if priority else None
        resolved = self._resolved
        if (department_key, priority_key) in resolved:
            return resolved[(department_key, priority_key)]
        if (department_key, None) not in resolved:
            department_key = None
        if (department_key, priority_key) not in resolved:
            priority_key = None
        return resolved[(department_key, priority_key)]

    @property
    def default_targets(self) -> SlaTargets:
        return self._resolved[(None, None)]

    @classmethod
    def from_config(
        cls, raw: Mapping[str, object] | None, *, local_timezone: tzinfo | None = None
    ) -> SlaPolicies:
        """Policies from the whole parsed config (``Config.raw``); no [sla] gives the built-in default."""
        zone = local_timezone if local_timezone is not None else machine_timezone()
        sla = (raw or {}).get("sla", {})
        if not isinstance(sla, Mapping):
            raise _bad_key("sla", _("must be a table ([sla])"))
        default = SlaRule(settings=_parse_settings(sla, "sla", ("policy",)))
        policies = sla.get("policy", [])
        if isinstance(policies, Mapping):  # [sla.policy] written for [[sla.policy]]: one policy
            policies = [policies]
        if not isinstance(policies, list):
            raise _bad_key("sla.policy", _("must be a list of tables ([[sla.policy]])"))
        rules = []
        for number, table in enumerate(policies, 1):
            label = f"sla.policy[{number}]"
            if not isinstance(table, Mapping):
                raise _bad_key(label, _("must be a table ([[sla.policy]])"))
            department = table.get("department")
            if department is not None and (
                not isinstance(department, str) or not department.strip()
            ):
                raise _bad(f"{label}.department", department, _("must be a department name"))
            priority = table.get("priority")
            if priority is not None:
                if not isinstance(priority, str) or priority.strip().lower() not in set(Priority):
                    raise _bad(f"{label}.priority", priority, _priority_problem())
                priority = priority.strip().lower()
            settings = _parse_settings(table, label, ("department", "priority"))
            rules.append(
                SlaRule(
                    department.strip() if isinstance(department, str) else None, priority, settings
                )
            )
        return cls(default, tuple(rules), zone)

    def to_config(self) -> dict[str, object]:
        return to_config(self)

    def with_setting(
        self,
        key: str,
        value: object,
        *,
        department: str | None = None,
        priority: str | None = None,
    ) -> SlaPolicies:
        """A copy with one setting changed (``None`` removes it, so it is inherited again).

        ``key``: first_response, resolution, near, or an hours key (days, start,
        end, timezone, holidays; "hours." prefix optional). ``value`` as in the
        config file, e.g. "4h", "none", "mon-fri", "2026-12-24, 2026-12-25".
        Without department and priority it changes the [sla] defaults.
        """
        name = key.strip().lower().replace("-", "_")
        name = name.removeprefix("sla.").removeprefix("hours.")
        if name not in _SETTING_KEYS:
            raise _unknown(key, _SETTING_KEYS)
        config = to_config(self)
        sla: dict[str, object] = config["sla"]  # type: ignore[assignment]
        table: dict[str, object] = sla
        policies: list[dict[str, object]] = sla.setdefault("policy", [])  # type: ignore[assignment]
        if department is not None or priority is not None:
            wanted = (_department_key(department), priority.strip().lower() if priority else None)
            for policy in policies:
                if (_department_key(policy.get("department")), policy.get("priority")) == wanted:  # type: ignore[arg-type]
                    table = policy
                    break
            else:
                table = {}
                if department is not None:
                    table["department"] = department
                if priority is not None:
                    table["priority"] = priority
                policies.append(table)
        target = table
        if name in _HOURS_KEYS:
            target = table.setdefault("hours", {})  # type: ignore[assignment]
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
        if not table.get("hours", True):
            del table["hours"]
        sla["policy"] = [p for p in policies if set(p) - {"department", "priority"}]
        if not sla["policy"]:
            del sla["policy"]
        return SlaPolicies.from_config(config, local_timezone=self.local_timezone)


def _priority_problem() -> str:
    return _("unknown priority: use {names}").format(names=", ".join(p.value for p in Priority))


def to_config(policies: SlaPolicies) -> dict[str, object]:
    """``{"sla": {...}}`` as the config file holds it; ``from_config`` reads it back equal."""
    table = _settings_to_config(policies.default.settings)
    rules = []
    for rule in policies.rules:
        item: dict[str, object] = {}
        if rule.department is not None:
            item["department"] = rule.department
        if rule.priority is not None:
            item["priority"] = rule.priority
        item.update(_settings_to_config(rule.settings))
        rules.append(item)
    if rules:
        table["policy"] = rules
    return {"sla": table}


# --------------------------------------------------------------------------- TOML writing


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "nan"
        if value in (float("inf"), float("-inf")):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, Mapping) for v in value)
    )


def _emit_table(
    lines: list[str], path: list[str], table: Mapping[str, object], header: str | None
) -> None:
    scalars = [
        (k, v) for k, v in table.items() if not isinstance(v, Mapping) and not _is_table_array(v)
    ]
    nested = [(k, v) for k, v in table.items() if isinstance(v, Mapping) or _is_table_array(v)]
    if header is not None and (scalars or not nested or header.startswith("[[")):
        if lines:
            lines.append("")
        lines.append(header)
    for key, value in scalars:
        lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in nested:
        sub = [*path, _toml_key(key)]
        dotted = ".".join(sub)
        if isinstance(value, Mapping):
            _emit_table(lines, sub, value, f"[{dotted}]")
        else:
            for item in value:  # type: ignore[union-attr]
                _emit_table(lines, sub, item, f"[[{dotted}]]")


def dump_toml(data: Mapping[str, object]) -> str:
    """A small TOML writer for plain config dicts (what ``tomllib.loads`` gives back). Comments are lost."""
    lines: list[str] = []
    _emit_table(lines, [], data, None)
    return "\n".join(lines) + "\n"
