"""The period of a report: whole days in the machine's time zone, from --since and --until."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..domain.clock import to_text
from ..domain.errors import InvalidInput
from ..i18n import _, ngettext, number

DEFAULT_DAYS = 30
# A stored time (domain/clock.py) is fixed-width text: its first 13 characters name the hour, its
# first 16 the minute; a bucket of either is completed to its first moment by the rest.
_BUCKETS = ((13, ":00:00Z"), (16, ":00Z"))
MAX_DAYS = 3660  # ten years of days, each one a point of the per-day series

_RELATIVE = re.compile(r"^\s*(\d{1,15})\s*([dw])\s*$", re.IGNORECASE)


def parse_day(text: str | date | None, today: date, *, end: bool) -> date | None:
    """A period bound: a date, ``2026-11-01``, or ``30d`` / ``4w`` back from today.

    For the start (``end=False``) ``Nd`` is the first of the last N days (today
    included); for the end it is the day N days before today.
    """
    if text is None or isinstance(text, date):
        return text
    match = _RELATIVE.match(text)
    if match:
        days = int(match.group(1)) * (7 if match.group(2).lower() == "w" else 1)
        try:
            return today - timedelta(days=days if end else days - 1)
        except OverflowError:
            raise _bad_date(text) from None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _bad_date(text) from None


def _bad_date(text: str) -> InvalidInput:
    return InvalidInput(
        _("Cannot understand the date {text!r}: use e.g. 2026-11-01, 30d or 4w").format(text=text)
    )


def _midnight(day: date, zone: tzinfo) -> datetime:
    """The UTC moment a local day starts."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: tzinfo
    bounds: tuple[str, ...]  # stored-time text of each day's start, and of the end

    @classmethod
    def of(cls, first: date, last: date, zone: tzinfo) -> Period:
        count = (last - first).days + 1
        bounds = tuple(to_text(_midnight(first + timedelta(days=i), zone)) for i in range(count + 1))
        return cls(first, last, zone, bounds)

    @property
    def days(self) -> tuple[date, ...]:
        return tuple(self.first + timedelta(days=i) for i in range(len(self.bounds) - 1))

    @property
    def start(self) -> str:
        return self.bounds[0]

    @property
    def end(self) -> str:
        return self.bounds[-1]

    @property
    def bucket(self) -> tuple[int, str]:
        """The coarsest stored-time prefix that no day bound splits, as (its length, what completes
        it to its first moment): the hour where every bound is on one (almost everywhere), the
        minute, else the whole text."""
        for length, rest in _BUCKETS:
            if all(bound[length:] == rest for bound in self.bounds):
                return length, rest
        return len(self.bounds[0]), ""

    def day_index(self, stored: str) -> int:
        """-1 before the period, len(days) after it."""
        return bisect_right(self.bounds, stored) - 1


def resolve_period(
    since: str | date | None, until: str | date | None, now: datetime, zone: tzinfo
) -> Period:
    today = now.astimezone(zone).date()
    last = parse_day(until, today, end=True) or today
    try:
        first = parse_day(since, today, end=False) or last - timedelta(days=DEFAULT_DAYS - 1)
    except OverflowError:  # --until 0001-01-01: no 30 days before it
        raise _bad_date(str(until)) from None
    last = min(last, today)
    if first > last:
        raise InvalidInput(
            _("The period is empty: it starts {since} and ends {until}").format(
                since=first.isoformat(), until=last.isoformat()
            )
        )
    if (last - first).days >= MAX_DAYS:
        raise InvalidInput(
            ngettext("The period is too long: at most {n} day", "The period is too long: at most {n} days", MAX_DAYS).format(
                n=number(MAX_DAYS)
            )
        )
    try:
        return Period.of(first, last, zone)
    except (OverflowError, ValueError):  # year 1 or 9999 moved across a time zone
        raise _bad_date(str(since if since is not None else until)) from None
