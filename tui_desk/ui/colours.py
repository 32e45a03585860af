"""Colours on every terminal (issue 17 items 1-3): 16 colours, the theme kept in the config.

In 16 colours (TERM=xterm, TERM=linux) the theme's orange accent, warning and red error all
become the same bright red, so the app marks itself ``-sixteen-colours`` and colour.tcss gives
those states styles that stay apart there. The theme chosen in the palette ("Change theme")
is written to the config file as ``theme = "..."`` and applied at the next start; a name the
app does not know falls back to the default with a word, never a crash.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App
from textual.theme import Theme

from ..core.config import load_config, save_setting
from ..domain.errors import TuiDeskError
from ..i18n import _

SIXTEEN_COLOURS = "-sixteen-colours"


def mark_colour_system(app: App[Any]) -> None:
    """Add the -sixteen-colours class when the terminal has 16 colours (what Rich detects from TERM)."""
    if app.console.color_system in ("standard", "windows"):
        app.set_class(True, SIXTEEN_COLOURS, update=False)


def configured_theme(app: App[Any], config_file: Path | None) -> str | None:
    """Apply ``theme =`` of the config file; returns what to tell the user when it cannot be used."""
    if config_file is None:
        return None
    try:
        wanted = (load_config(config_file).raw or {}).get("theme")
    except TuiDeskError:
        return None  # a broken config file is said once, by the saved views that read it too
    if wanted is None:
        return None
    if not isinstance(wanted, str) or wanted not in app.available_themes:
        return _("In {path}: no theme called {name}; using the default. Ctrl+P, Change theme, lists them").format(
            path=config_file, name=wanted
        )
    app.theme = wanted
    return None


def keep_theme(app: App[Any], config_file: Path | None) -> None:
    """From now on, write each theme the user picks to the config file."""
    if config_file is None:
        return

    def changed(theme: Theme) -> None:
        try:
            save_setting("theme", theme.name, config_file)
        except TuiDeskError as error:
            app.notify(str(error), severity="error", markup=False, timeout=10)

    app.theme_changed_signal.subscribe(app, changed)
