"""The one translation function every user-facing string goes through.

Catalogues live in ``tui_desk/locale/<lang>/LC_MESSAGES/tui_desk.mo``; a
language without a catalogue falls back to the English source strings.
``python -m tui_desk.i18n_tools update`` re-extracts the strings and refreshes
the catalogues (see ``tui_desk/locale/README.md``).

Strings evaluated at import time (Textual ``BINDINGS``) are marked with ``N_``
and translated when the app is built (``tui_desk.ui.localize``), so the language
may change after the UI modules are imported.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "tui_desk"
SOURCE_LANGUAGE = "en"
# Environment variables that name the language, in the order gettext reads them.
LANGUAGE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language: str = SOURCE_LANGUAGE


def available_languages() -> list[str]:
    """Languages with a compiled catalogue in the package (always with English)."""
    found = {SOURCE_LANGUAGE}
    if LOCALE_DIR.is_dir():
        found.update(
            child.name for child in LOCALE_DIR.iterdir() if (child / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
        )
    return sorted(found)


def normalize_language(value: str | None) -> str | None:
    """``et_EE.UTF-8`` → ``et_EE``; ``C``/``POSIX`` → ``en``; empty → None."""
    if not value:
        return None
    cleaned = value.strip().split(".")[0].split("@")[0].replace("-", "_")
    if not cleaned:
        return None
    if cleaned.upper() in ("C", "POSIX"):
        return SOURCE_LANGUAGE
    head, _sep, region = cleaned.partition("_")
    return f"{head.lower()}_{region.upper()}" if region else head.lower()


def catalogue_language(value: str | None) -> str | None:
    """The available language `value` stands for (``hr_HR`` → ``hr``), or None."""
    language = normalize_language(value)
    if language is None:
        return None
    available = available_languages()
    for candidate in (language, language.split("_")[0]):
        if candidate in available:
            return candidate
    return None


def language_from_environment(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the environment asks for, as gettext reads it; None when unset or not available.

    ``LANGUAGE`` may list several (``hr:en``): the first one with a catalogue wins.
    Then the first set of ``LC_ALL``, ``LC_MESSAGES``, ``LANG``.
    """
    environ = os.environ if environ is None else environ
    for name in LANGUAGE_VARIABLES:
        value = environ.get(name)
        if not value:
            continue
        for item in value.split(":") if name == "LANGUAGE" else [value]:
            language = catalogue_language(item)
            if language is not None:
                return language
        if name != "LANGUAGE":  # the first set locale variable decides (as in gettext)
            return None
    return None


def choose_language(
    cli_language: str | None, config_language: str | None, environ: Mapping[str, str] | None = None
) -> tuple[str, str | None]:
    """(language, unknown): --lang, else the config's ``language``, else the environment, else English.

    `unknown` is the value asked for explicitly (--lang or config) that has no catalogue:
    the caller tells the user once, and English is used.
    """
    for explicit in (cli_language, config_language):
        if explicit and explicit.strip():
            language = catalogue_language(explicit)
            if language is None:
                return SOURCE_LANGUAGE, explicit
            return language, None
    return language_from_environment(environ) or SOURCE_LANGUAGE, None


def set_language(language: str | None) -> bool:
    """Switch the active language; returns False when no catalogue exists for it (English then)."""
    global _translation, _language
    _translation = _gettext.NullTranslations()
    _language = SOURCE_LANGUAGE
    chosen = catalogue_language(language) if language else SOURCE_LANGUAGE
    if chosen is None:
        return False
    if chosen != SOURCE_LANGUAGE:
        try:
            _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[chosen])
        except OSError:
            return False
    _language = chosen
    return True


def current_language() -> str:
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the usual gettext name for "mark, translate later"
    """Marks a string for extraction; it is translated later with `_()`."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A string whose English word has more than one meaning: ``pgettext("message", "Reply")``
    is the heading over an agent's message (a noun), the key label ``_("Reply")`` the verb."""
    return _translation.pgettext(context, message)


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return _translation.npgettext(context, singular, plural, n)


# -- numbers in the user's locale ----------------------------------------------------------
# "1,000" and "87.5%" read as one and a decimal in et, lv, hr and ro: counts and percentages
# shown to a person go through these (machine output such as JSON keeps plain numbers).
# Babel has no "tl" locale data of its own; it reads Filipino's ("fil"), the same numbers.


def _number_locale() -> str:
    return "fil" if _language == "tl" else _language


def number(n: int | float) -> str:
    """A count as the user's language writes it: ``1,023`` (en), ``1 023`` (et, lv), ``1.023`` (hr, ro)."""
    try:
        from babel.numbers import format_decimal
    except ImportError:  # pragma: no cover - Babel is a runtime dependency; never fail to show a number
        return f"{n:,}"
    return str(format_decimal(n, locale=_number_locale()))


def percent(value: float, floor: bool = True) -> str:
    """A percentage given in percent: floored to a whole one by default (99.6 never reads 100),
    else as given (87.5 → ``87.5%`` in English, ``87,5 %`` in Croatian)."""
    from decimal import Decimal

    shown = Decimal(int(value)) if floor else Decimal(str(value))
    try:
        from babel.numbers import format_percent
    except ImportError:  # pragma: no cover
        return f"{shown}%"
    return str(format_percent(shown / 100, locale=_number_locale(), decimal_quantization=False))


# -- dates in the user's locale ------------------------------------------------------------
# English keeps the ISO forms the app has always shown; other languages use Babel's
# locale data (Babel is a runtime dependency; should it be missing, ISO forms are shown).


def _babel_locale() -> str | None:
    if _language == SOURCE_LANGUAGE:
        return None
    try:
        import babel  # noqa: F401
    except ImportError:
        return None
    return _language


def format_date(day: date) -> str:
    """A report date: ``2026-11-23`` in English, ``23.11.2026`` in Estonian, …"""
    locale = _babel_locale()
    if locale is None:
        return day.isoformat()
    from babel.dates import format_date as babel_format_date

    return babel_format_date(day, format="short" if locale != "tl" else "medium", locale=locale)


_EN_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def day_abbreviation(weekday: int) -> str:
    """Short day name, 0 = Monday: ``mon`` in English, ``E`` in Estonian, ``pon`` in Croatian…"""
    locale = _babel_locale()
    if locale is None:
        return _EN_DAYS[weekday]
    from babel.dates import get_day_names

    return str(get_day_names("abbreviated", context="stand-alone", locale=locale)[weekday]).rstrip(".")


def format_weekday_time(moment: datetime, with_date: bool = False) -> str:
    """``Tue 09:00`` / ``Tue 01 Dec 09:00`` in the user's language."""
    locale = _babel_locale()
    if locale is None:
        day = f" {moment.day} " + moment.strftime("%b") if with_date else ""  # 8 Dec, as babel's d MMM
        return moment.strftime("%a") + day + moment.strftime(" %H:%M")
    from babel.dates import format_datetime

    return format_datetime(moment, "EEE d MMM HH:mm" if with_date else "EEE HH:mm", locale=locale, tzinfo=moment.tzinfo)


_WEEKDAY_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {}


def weekday_words() -> tuple[tuple[str, ...], ...]:
    """Every name of each week day (0 = Monday) in the running language, full and abbreviated,
    as Babel gives them (``esmaspäev``, ``E``; ``ponedjeljak``, ``pon``); empty in English.

    Postpone reads them (domain/when.py) next to the English names, which stay accepted."""
    locale = _babel_locale()
    if locale is None:
        return ()
    if locale not in _WEEKDAY_WORDS:
        from babel.dates import get_day_names

        names: list[set[str]] = [set() for _day in range(7)]
        for width in ("wide", "abbreviated", "short"):
            for context in ("format", "stand-alone"):
                for day, name in get_day_names(width, context=context, locale=_number_locale()).items():
                    names[day].add(str(name).rstrip(".").lower())
        _WEEKDAY_WORDS[locale] = tuple(tuple(sorted(words, key=len, reverse=True)) for words in names)
    return _WEEKDAY_WORDS[locale]
