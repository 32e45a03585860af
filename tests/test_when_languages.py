"""Postpone in the agent's language: week days and today/tomorrow of the running language are read
next to the English ones (domain/when.py, names from Babel through tui_desk.i18n)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from tui_desk.domain.errors import InvalidInput
from tui_desk.domain.when import parse_when
from tui_desk.i18n import set_language

# Friday 4 December 2026, 15:20 UTC: the next Monday is the 7th, the next Thursday the 10th.
FRIDAY = datetime(2026, 12, 4, 15, 20, tzinfo=UTC)
MONDAY_9 = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
UTC_ZONE = ZoneInfo("UTC")


def at(language: str, text: str) -> datetime:
    assert set_language(language)
    return parse_when(text, FRIDAY, UTC_ZONE)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("et", "esmaspäev", MONDAY_9),
        ("et", "E", MONDAY_9),
        ("et", "ESMASPAEV", MONDAY_9),  # no accent, any case
        ("et", "e 14:00", datetime(2026, 12, 7, 14, 0, tzinfo=UTC)),
        ("et", "täna 17:30", datetime(2026, 12, 4, 17, 30, tzinfo=UTC)),
        ("et", "homme 10", datetime(2026, 12, 5, 10, 0, tzinfo=UTC)),
        ("hr", "ponedjeljak", MONDAY_9),
        ("hr", "pon", MONDAY_9),
        ("hr", "Pon 8:15", datetime(2026, 12, 7, 8, 15, tzinfo=UTC)),
        ("hr", "čet", datetime(2026, 12, 10, 9, 0, tzinfo=UTC)),
        ("hr", "cetvrtak", datetime(2026, 12, 10, 9, 0, tzinfo=UTC)),
        ("hr", "sutra 10:00", datetime(2026, 12, 5, 10, 0, tzinfo=UTC)),
        ("lv", "pirmdiena", MONDAY_9),
        ("lv", "pirmd", MONDAY_9),
        ("ro", "luni", MONDAY_9),
        ("ro", "maine", datetime(2026, 12, 5, 9, 0, tzinfo=UTC)),  # mâine, typed without the accent
        ("tl", "Lunes", MONDAY_9),  # Babel's Filipino names
        ("tl", "bukas 10", datetime(2026, 12, 5, 10, 0, tzinfo=UTC)),
    ],
)
def test_days_and_words_of_the_running_language(language: str, text: str, expected: datetime) -> None:
    assert at(language, text) == expected


@pytest.mark.parametrize("language", ["et", "hr", "lv", "ro", "tl"])
@pytest.mark.parametrize(
    ("text", "expected"),
    [("mon", MONDAY_9), ("monday", MONDAY_9), ("tomorrow 10:00", datetime(2026, 12, 5, 10, 0, tzinfo=UTC)),
     ("next thu", datetime(2026, 12, 10, 9, 0, tzinfo=UTC))],
)
def test_english_stays_accepted_in_every_language(language: str, text: str, expected: datetime) -> None:
    assert at(language, text) == expected


@pytest.mark.parametrize(
    ("language", "text", "days"),
    [("hr", "p", ("ponedjeljak", "petak")), ("hr", "s", ("srijeda", "subota")),
     ("lv", "p", ("pirmdiena", "piektdiena")), ("ro", "m", ("marți", "miercuri"))],
)
def test_an_abbreviation_that_could_be_two_days_is_refused_not_guessed(language: str, text: str, days: tuple[str, str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        at(language, text)
    assert all(day in str(refused.value) for day in days)


def test_another_languages_day_is_not_read() -> None:
    with pytest.raises(InvalidInput, match="Cannot understand"):
        at("en", "pon")  # Croatian Monday, while the app speaks English


def test_the_refusal_gives_examples_in_the_agents_language() -> None:
    with pytest.raises(InvalidInput) as refused:
        at("et", "ülehomme")
    assert "R 14:00" in str(refused.value) and "homme 10:00" in str(refused.value)


# "next" in the running language (docs/issue17/polish.md): before the day, or after it in Romanian;
# one word or a phrase (tl "susunod na"); every form a translation lists (hr by gender).
NEXT_THURSDAY = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("et", "järgmine neljapäev", NEXT_THURSDAY),
        ("et", "JARGMINE N 14:00", datetime(2026, 12, 10, 14, 0, tzinfo=UTC)),
        ("hr", "sljedeći četvrtak", NEXT_THURSDAY),
        ("hr", "iduća srijeda 10", datetime(2026, 12, 9, 10, 0, tzinfo=UTC)),
        ("lv", "nākamā ceturtdiena", NEXT_THURSDAY),
        ("ro", "joi viitoare", NEXT_THURSDAY),
        ("ro", "joi viitoare 14:00", datetime(2026, 12, 10, 14, 0, tzinfo=UTC)),
        ("ro", "următoare joi", NEXT_THURSDAY),
        ("tl", "susunod na Huwebes", NEXT_THURSDAY),
        ("tl", "sa susunod na Huwebes 14:00", datetime(2026, 12, 10, 14, 0, tzinfo=UTC)),
    ],
)
def test_next_in_the_running_language(language: str, text: str, expected: datetime) -> None:
    assert at(language, text) == expected


def test_another_languages_next_is_not_read() -> None:
    with pytest.raises(InvalidInput):
        at("en", "sljedeći thu")
