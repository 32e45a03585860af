"""A typed time for postpone (the dialog and the CLI's `--until`): one reading for both.

Forms (docs/issue17/acting.md, README "Postpone"):
- a duration, alone or combined: ``30min``, ``2h``, ``1h30min``, ``2d4h``, ``3d``, ``1w``,
  ``1mo``; long words too (``2 hours``, ``1 month``). ``m`` alone is refused: it reads as
  minute to some and month to others, so the hint says "30min or 1mo".
  Days, weeks and months move the wall clock (``1d`` is the same time tomorrow, across a
  DST change too); hours and minutes are elapsed time.
- ``today``/``tomorrow`` or a week day (``mon``, ``monday``, ``next fri`` or the language's "next"), with an optional
  time (``fri 14:00``, ``tomorrow 10``); without one, 09:00. A week day is the next one
  after today (``mon`` on a Monday is a week away). The running language's day names (full or
  abbreviated, from Babel: ``esmaspäev``/``E``, ``ponedjeljak``/``pon``) and its words for today
  and tomorrow are read too, case and accents ignored; English stays accepted in every language.
  A name that could be two days (hr ``p``: ponedjeljak or petak) is refused, never guessed.
- an ISO date or date and time (``2026-12-08``, ``2026-12-08 14:00``, with an offset or Z);
  a bare date is 09:00 that day.
Wall times are the user's local time (the machine's zone, DST included), unless a zone is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from ..i18n import _, day_abbreviation, ngettext, number, pgettext, weekday_words
from .errors import InvalidInput
from .text import fold

# How far from now a typed time may be: further is a typo, and past year 9999 the
# date arithmetic overflows.
MAX_YEARS_AWAY = 100
_MAX_AWAY = timedelta(days=365 * MAX_YEARS_AWAY + MAX_YEARS_AWAY // 4)
MORNING = time(9)

_UNITS = {
    "mo": "mo", "month": "mo", "months": "mo",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
    "d": "d", "day": "d", "days": "d",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "min": "min", "mins": "min", "minute": "min", "minutes": "min",
}
_PART = re.compile(r"(\d{1,15})\s*([a-z]+)\s*")
_DURATION = re.compile(r"(?:\d{1,15}\s*[a-z]+\s*)+")
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CLOCK = re.compile(r"(\d{1,2})(?::(\d{2}))?")


def _examples() -> str:
    # The week day and "tomorrow" in the agent's language: the hint shows what the agent would type.
    return f"1h30min, 3d, 1mo, {day_abbreviation(4)} 14:00, {_words('tomorrow')[0]} 10:00, 2026-12-08 09:00"


def _words(which: str) -> list[str]:
    """``today``/``tomorrow`` in the agent's language (a translation may list several, comma-separated)."""
    translated = pgettext("postpone", "today") if which == "today" else pgettext("postpone", "tomorrow")
    return [w for w in (part.strip().lower() for part in translated.split(",")) if w] or [which]


def _without_next(words: list[str]) -> list[str]:
    """The words without "next" or the running language's word for it: before the day (et
    "järgmine reede", tl "susunod na Biyernes": a phrase may be several words) or after it (ro
    "luni viitoare"). A translation may list several forms, comma-separated (hr sljedeći, sljedeća)."""
    translated = pgettext("postpone", "next")
    phrases = [["next"]] + [
        fold(part).split() for part in translated.split(",") if part.strip() and fold(part).split() != ["next"]
    ]
    folded = [fold(word) for word in words]
    for phrase in sorted(phrases, key=len, reverse=True):  # "sa susunod na" before "susunod na"
        size = len(phrase)
        if folded[:size] == phrase:
            return words[size:]
        if folded[1 : 1 + size] == phrase:
            return words[:1] + words[1 + size :]
    return words


def _matching_days(name: str, compare: Callable[[str], str]) -> set[int]:
    """Days of the running language whose name or abbreviation is `name`, else starts with it."""
    local = [[compare(w) for w in words] for words in weekday_words()]
    key = compare(name)
    exact = {day for day, words in enumerate(local) if key in words}
    return exact or {day for day, words in enumerate(local) if any(w.startswith(key) for w in words)}


def _weekday(name: str, text: str) -> int | None:
    """0 = Monday for an English day (3 letters or more) or one of the running language, in any case and,
    where that leaves one day, without its accents; a name that could be two days is refused, never guessed."""
    days = {n for n, full in enumerate(_DAYS) if len(name) >= 3 and full.startswith(name)}
    local = _matching_days(name, str.casefold) or _matching_days(name, fold)
    days |= local
    if len(days) > 1:
        names = [(weekday_words()[d][0] if d in local else _DAYS[d]) for d in sorted(days)]
        raise InvalidInput(
            _("{text!r} could be {days}: type more of the day's name").format(text=text.strip()[:40], days=", ".join(names))
        )
    return days.pop() if days else None


def _not_understood(text: str) -> InvalidInput:
    return InvalidInput(
        _("Cannot understand the time {text!r}: use e.g. {examples}").format(text=text.strip()[:40], examples=_examples())
    )


def _too_far(text: str) -> InvalidInput:
    return InvalidInput(
        ngettext(
            "The time {text!r} is too far away: at most {n} year from now",
            "The time {text!r} is too far away: at most {n} years from now",
            MAX_YEARS_AWAY,
        ).format(text=text.strip()[:40], n=number(MAX_YEARS_AWAY))
    )


def _wall(day: date, at: time, zone: tzinfo | None) -> datetime:
    """A local wall time as aware UTC; without a zone the machine's, with its DST on that day."""
    if zone is not None:
        return datetime.combine(day, at, zone).astimezone(UTC)
    return datetime.combine(day, at).astimezone().astimezone(UTC)


def _local(now: datetime, zone: tzinfo | None) -> datetime:
    return now.astimezone(zone) if zone is not None else now.astimezone()


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for last in (31, 30, 29, 28):  # the 31st of a shorter month is its last day
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _duration(text: str, cleaned: str, now: datetime, zone: tzinfo | None) -> datetime:
    amounts = {"mo": 0, "w": 0, "d": 0, "h": 0, "min": 0}
    previous = None
    for amount, word in _PART.findall(cleaned):
        if word == "m" and previous == "h":
            word = "min"  # "1h30m": after hours, only minutes can follow, as a clock reads
        if word == "m":
            raise InvalidInput(_("{text!r}: m could be minutes or months: say 30min or 1mo").format(text=text.strip()[:40]))
        unit = _UNITS.get(word)
        previous = unit
        if unit is None:
            raise _not_understood(text)
        amounts[unit] += int(amount)
    if amounts["mo"] > 12 * MAX_YEARS_AWAY or amounts["w"] * 7 + amounts["d"] > _MAX_AWAY.days:
        raise _too_far(text)
    if amounts["h"] * 3600 + amounts["min"] * 60 > _MAX_AWAY.total_seconds():
        raise _too_far(text)
    local = _local(now, zone)
    moment = now
    if amounts["mo"] or amounts["w"] or amounts["d"]:
        day = _add_months(local.date(), amounts["mo"]) + timedelta(days=7 * amounts["w"] + amounts["d"])
        moment = _wall(day, local.time().replace(tzinfo=None), zone)
    return moment + timedelta(hours=amounts["h"], minutes=amounts["min"])


def _day_and_time(words: list[str], text: str, now: datetime, zone: tzinfo | None) -> datetime | None:
    """``tomorrow 10:00``, ``fri``, ``next monday 14``: None when the words are not of this form."""
    words = _without_next(words)
    if not 1 <= len(words) <= 2:
        return None
    today = _local(now, zone).date()
    name = fold(words[0])
    if name == "today" or name in map(fold, _words("today")):
        day = today
    elif name == "tomorrow" or name in map(fold, _words("tomorrow")):
        day = today + timedelta(days=1)
    else:
        weekday = _weekday(words[0], text)
        if weekday is None:
            return None
        day = today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)
    at = MORNING
    if len(words) == 2:
        clock = _CLOCK.fullmatch(words[1])
        if clock is None or int(clock.group(1)) > 23 or int(clock.group(2) or 0) > 59:
            return None
        at = time(int(clock.group(1)), int(clock.group(2) or 0))
    return _wall(day, at, zone)


def parse_when(text: str, now: datetime, zone: tzinfo | None = None) -> datetime:
    """The moment a typed time means, as aware UTC; a time more than 100 years away is refused.

    Times in the past are not refused here: the caller says so in its own words.
    """
    cleaned = " ".join(text.strip().lower().split())
    if _DURATION.fullmatch(cleaned):
        return _duration(text, cleaned, now, zone)
    moment = _day_and_time(cleaned.split(" "), text, now, zone)
    if moment is not None:
        return moment
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):  # a bare date: that morning
            parsed = datetime.combine(date.fromisoformat(cleaned), MORNING)
        else:
            parsed = datetime.fromisoformat(cleaned.upper().replace("Z", "+00:00"))
    except ValueError:
        raise _not_understood(text) from None
    try:
        if parsed.tzinfo is None:
            parsed = _wall(parsed.date(), parsed.time(), zone)
        parsed = parsed.astimezone(UTC).replace(microsecond=0)
        if abs(parsed - now) > _MAX_AWAY:
            raise _too_far(text)
    except (OverflowError, ValueError):  # year 1 or 9999 moved across a time zone
        raise _too_far(text) from None
    return parsed
