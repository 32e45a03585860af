"""Postpone's quick choices, on the desk's business days and hours (docs/lifecycle.md, "Postpone").

"Tomorrow morning" is the opening of the next business day after today, so on a Friday
of a Monday-Friday desk it is Monday's opening; "Next week" is the opening of the first
business day of next week. Holidays are skipped. A desk open around the clock (or whose
day opens at midnight) has no opening to land on: its morning is 09:00 (24/7: on the
agent's own clock). Days and times are read in the hours' own time zone, DST included.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from ..domain.when import MORNING
from .business_hours import BusinessHours, seconds_of_day


def _business_day(day: date, hours: BusinessHours) -> bool:
    return hours.is_always or (day.weekday() in hours.days and day not in hours.holidays)


def _opening(day: date, hours: BusinessHours) -> datetime:
    if hours.is_always:  # no opening and no desk zone to speak of: 09:00 of the agent's own clock
        return datetime.combine(day, MORNING).astimezone().astimezone(UTC)
    at: time = hours.start if seconds_of_day(hours.start) else MORNING
    return datetime.combine(day, at, hours.timezone).astimezone(UTC)


def _today(now: datetime, hours: BusinessHours) -> date:
    return (now.astimezone() if hours.is_always else now.astimezone(hours.timezone)).date()


def _first_business_day(day: date, hours: BusinessHours) -> date:
    for _step in range(366 + len(hours.holidays)):
        if _business_day(day, hours):
            return day
        day += timedelta(days=1)
    return day  # every day a holiday for a year: the day after that, rather than never


def tomorrow_morning(now: datetime, hours: BusinessHours) -> datetime:
    today = _today(now, hours)
    return _opening(_first_business_day(today + timedelta(days=1), hours), hours)


def next_week(now: datetime, hours: BusinessHours) -> datetime:
    today = _today(now, hours)
    monday = today + timedelta(days=7 - today.weekday())
    return _opening(_first_business_day(monday, hours), hours)
