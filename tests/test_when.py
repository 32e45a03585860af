"""Typed postpone times (dialog and `status --until`) and the quick choices on business days."""

from __future__ import annotations

import time as time_module
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tui_desk.core.business_hours import BusinessHours
from tui_desk.core.postpone_presets import next_week, tomorrow_morning
from tui_desk.domain.errors import InvalidInput
from tui_desk.domain.when import parse_when

# Friday 4 December 2026, 15:20 UTC.
FRIDAY = datetime(2026, 12, 4, 15, 20, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def at(text: str, now: datetime = FRIDAY) -> datetime:
    return parse_when(text, now, UTC_ZONE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30min", datetime(2026, 12, 4, 15, 50, tzinfo=UTC)),
        ("2h", datetime(2026, 12, 4, 17, 20, tzinfo=UTC)),
        ("1h30min", datetime(2026, 12, 4, 16, 50, tzinfo=UTC)),
        ("1h30m", datetime(2026, 12, 4, 16, 50, tzinfo=UTC)),  # after hours, m can only be minutes
        ("1h 30 mins", datetime(2026, 12, 4, 16, 50, tzinfo=UTC)),
        ("2d4h", datetime(2026, 12, 6, 19, 20, tzinfo=UTC)),
        ("1w", datetime(2026, 12, 11, 15, 20, tzinfo=UTC)),
        ("1mo", datetime(2027, 1, 4, 15, 20, tzinfo=UTC)),
        ("2 months", datetime(2027, 2, 4, 15, 20, tzinfo=UTC)),
        ("tomorrow", datetime(2026, 12, 5, 9, 0, tzinfo=UTC)),
        ("tomorrow 10:00", datetime(2026, 12, 5, 10, 0, tzinfo=UTC)),
        ("today 17:30", datetime(2026, 12, 4, 17, 30, tzinfo=UTC)),
        ("mon", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("Monday", datetime(2026, 12, 7, 9, 0, tzinfo=UTC)),
        ("fri 14:00", datetime(2026, 12, 11, 14, 0, tzinfo=UTC)),  # today is Friday: the next one
        ("next wed 8", datetime(2026, 12, 9, 8, 0, tzinfo=UTC)),
        ("2026-12-08", datetime(2026, 12, 8, 9, 0, tzinfo=UTC)),
        ("2026-12-08 14:00", datetime(2026, 12, 8, 14, 0, tzinfo=UTC)),
        ("2026-12-08T14:00Z", datetime(2026, 12, 8, 14, 0, tzinfo=UTC)),
    ],
)
def test_forms(text: str, expected: datetime) -> None:
    assert at(text) == expected


def test_a_month_from_the_31st_is_the_last_day_of_a_shorter_month() -> None:
    assert at("1mo", datetime(2027, 1, 31, 10, 0, tzinfo=UTC)) == datetime(2027, 2, 28, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["1M", "30m", "2d30m", "1h2mo30m"])
def test_a_bare_m_is_refused_with_the_two_spellings(text: str) -> None:
    with pytest.raises(InvalidInput, match="30min or 1mo"):
        at(text)


@pytest.mark.parametrize("text", ["soon", "3 fortnights", "fri 25:00", "tomorrow at noon", "t", "2026-13-01"])
def test_unknown_text_is_refused_with_examples(text: str) -> None:
    with pytest.raises(InvalidInput, match="Cannot understand the time"):
        at(text)


def test_far_times_are_refused() -> None:
    for text in ("2000mo", "999999w", "9999-12-31"):
        with pytest.raises(InvalidInput, match="too far away"):
            at(text)


def test_days_keep_the_wall_clock_across_a_dst_change() -> None:
    tallinn = ZoneInfo("Europe/Tallinn")  # summer time begins on Sunday 29 March 2026, 03:00
    saturday = datetime(2026, 3, 28, 10, 0, tzinfo=tallinn).astimezone(UTC)
    assert parse_when("1d", saturday, tallinn) == datetime(2026, 3, 29, 10, 0, tzinfo=tallinn)
    assert parse_when("sun 10:00", saturday, tallinn) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
    assert parse_when("24h", saturday, tallinn) == datetime(2026, 3, 29, 11, 0, tzinfo=tallinn)


def test_without_a_zone_the_machines_local_time_with_its_dst(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Tallinn")
    time_module.tzset()
    try:
        saturday = datetime(2026, 3, 28, 8, 0, tzinfo=UTC)  # 10:00 in Tallinn, winter time
        assert parse_when("tomorrow 10:00", saturday) == datetime(2026, 3, 29, 7, 0, tzinfo=UTC)
        assert parse_when("2026-03-30 10:00", saturday) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time_module.tzset()


# -- quick choices ------------------------------------------------------------------------------
OFFICE = BusinessHours.parse(days="mon-fri", start="08:30", end="17:00", timezone="Europe/Tallinn")


def test_tomorrow_morning_on_a_friday_is_mondays_opening() -> None:
    assert tomorrow_morning(FRIDAY, OFFICE) == datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("Europe/Tallinn"))


def test_tomorrow_morning_skips_holidays() -> None:
    hours = BusinessHours.parse(days="mon-fri", timezone="UTC", holidays=["2026-12-07"])
    assert tomorrow_morning(FRIDAY, hours) == datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


def test_next_week_is_the_first_business_day_of_next_week_at_opening() -> None:
    assert next_week(FRIDAY, OFFICE) == datetime(2026, 12, 7, 8, 30, tzinfo=ZoneInfo("Europe/Tallinn"))
    tue_to_fri = BusinessHours.parse(days="tue-fri", start="10:00", timezone="UTC")
    assert next_week(FRIDAY, tue_to_fri) == datetime(2026, 12, 8, 10, 0, tzinfo=UTC)


def test_a_desk_open_around_the_clock_postpones_to_nine_the_next_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time_module.tzset()
    try:
        assert tomorrow_morning(FRIDAY, BusinessHours.always()) == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    finally:
        monkeypatch.undo()
        time_module.tzset()
