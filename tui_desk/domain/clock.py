"""Time as the domain sees it: aware UTC datetimes, stored as fixed-width ISO text."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from ..i18n import _
from .errors import InvalidInput

Clock = Callable[[], datetime]

_STORED_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def system_clock() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def fixed_clock(at: datetime) -> Clock:
    return lambda: at


def to_text(moment: datetime) -> str:
    """Stored form: UTC, second precision, so text order is time order."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.year >= 1000:  # the same text as strftime, several times faster (a few per change)
        return (
            f"{moment.year}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z"
        )
    return moment.strftime(_STORED_FORMAT)


def from_text(text: str) -> datetime:
    # The stored form is fixed-width: fromisoformat reads it ~40x faster than strptime
    # (it matters when SLA clocks are replayed for a whole store); anything else takes
    # the strict strptime path, which accepts and refuses what it always did.
    if (
        len(text) == 20
        and text[10] == "T"
        and text[19] == "Z"
        and text[4] == text[7] == "-"
        and text[13] == text[16] == ":"
    ):
        try:
            return datetime.fromisoformat(text[:19]).replace(tzinfo=UTC)
        except ValueError:
            pass
    return datetime.strptime(text, _STORED_FORMAT).replace(tzinfo=UTC)


def to_epoch(text: str) -> int:
    return int(from_text(text).timestamp())


# At most 15 digits: int() of a long enough digit string is itself an error.
_RELATIVE = re.compile(r"^\s*(\d{1,15})\s*([mhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}


# How far from now a typed time may be: further is a typo, and past year 9999 the
# date arithmetic overflows.
MAX_YEARS_AWAY = 100
_MAX_AWAY = timedelta(days=365 * MAX_YEARS_AWAY + MAX_YEARS_AWAY // 4)


def parse_when(text: str, now: datetime) -> datetime:
    """A future moment from `30m`, `2h`, `3d`, `1w`, `tomorrow` or an ISO date/time.

    A time more than 100 years from `now` is refused, naming the text.
    """
    cleaned = text.strip()
    match = _RELATIVE.match(cleaned)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        if amount * _UNIT_SECONDS[unit] > _MAX_AWAY.total_seconds():
            raise _too_far(text)
        return now + timedelta(seconds=amount * _UNIT_SECONDS[unit])
    if cleaned.lower() == "tomorrow":
        local = now.astimezone()
        morning = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
        return morning.astimezone(UTC)
    try:
        moment = datetime.fromisoformat(cleaned.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            _("Cannot understand the time {text!r}: use e.g. 2h, 3d, 1w, tomorrow or 2026-12-01T09:00").format(
                text=text
            )
        ) from None
    try:
        if moment.tzinfo is None:
            moment = moment.astimezone()  # a bare time is the user's local time
        moment = moment.astimezone(UTC).replace(microsecond=0)
        if abs(moment - now) > _MAX_AWAY:
            raise _too_far(text)
    except (OverflowError, ValueError):  # year 1 or 9999 moved across a time zone
        raise _too_far(text) from None
    return moment


def _too_far(text: str) -> InvalidInput:
    return InvalidInput(
        _("The time {text!r} is too far away: at most {years} years from now").format(
            text=text.strip()[:40], years=MAX_YEARS_AWAY
        )
    )


def humanize_age(seconds: float) -> str:
    """Short waiting time for narrow columns: 45s, 12m, 3h, 2d, 5w."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _("{n}s").format(n=seconds)
    if seconds < 3600:
        return _("{n}m").format(n=seconds // 60)
    if seconds < 86400:
        return _("{n}h").format(n=seconds // 3600)
    if seconds < 86400 * 14:
        return _("{n}d").format(n=seconds // 86400)
    return _("{n}w").format(n=seconds // 604800)
