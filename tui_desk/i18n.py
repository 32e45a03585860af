"""The one translation function every user-facing string goes through.

Catalogues live in ``tui_desk/locale/<lang>/LC_MESSAGES/tui_desk.mo``; a
language without a catalogue falls back to the English source strings.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "tui_desk"

_translation: _gettext.NullTranslations = _gettext.NullTranslations()


def set_language(language: str | None) -> bool:
    """Switch the active language; returns False when no catalogue exists for it."""
    global _translation
    if not language:
        _translation = _gettext.NullTranslations()
        return True
    try:
        _translation = _gettext.translation(DOMAIN, LOCALE_DIR, languages=[language])
    except OSError:
        _translation = _gettext.NullTranslations()
        return language.split("_")[0].lower() == "en"
    return True


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)
