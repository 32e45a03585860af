"""`?` on every screen with keys: a help of that screen's own keys (issue 17 item 5).

The main screen's help is made from ui/action_table.py; the other screens (reports, saved
replies, full text, forward) list what is bound there now, read from the bindings themselves,
so the help cannot drift from the keys. Where a text field takes `?` as a character, F1 opens it.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.screen import Screen

from ...i18n import N_, _
from ..action_table import keys_label
from .help import HelpScreen

# `?` where nothing typed takes it; F1 everywhere, over a focused field, for the screens people type in.
HELP_BINDING = Binding("question_mark,f1", "screen_help", N_("Help"), key_display="?")
TYPING_HELP_BINDING = Binding("f1", "screen_help", N_("Help"), priority=True)


def screen_keys(screen: Screen[object]) -> list[tuple[str, str]]:
    """(keys, what they do): the screen's own bindings, then those the focused widget shows in the footer.

    The app's keys and a scroll container's hidden arrows are left out: they are not this screen's."""
    rows: dict[tuple[int, str], tuple[list[str], str]] = {}

    def add(node: object, key: str, binding: Binding) -> None:
        if binding.description:
            keys, _description = rows.setdefault((id(node), binding.action), ([], _(binding.description)))
            if key not in keys:
                keys.append(key)

    # The keys this project's classes declare; Textual's own (Tab, Ctrl+C) are not this screen's story.
    for cls in type(screen).__mro__:
        if cls.__module__.startswith("tui_desk.") and "BINDINGS" in vars(cls):
            for binding in vars(cls)["BINDINGS"]:
                if isinstance(binding, Binding):
                    for key in binding.key.split(","):
                        add(screen, key.strip(), binding)
    for key, active in screen.active_bindings.items():
        if active.node is not screen and active.node is not screen.app and active.binding.show:
            add(active.node, key, active.binding)
    return [(keys_label(",".join(keys)), description) for keys, description in rows.values()]


class ScreenHelp:
    """Mixed into a screen: `action_screen_help` opens the help of its keys."""

    HELP_TITLE = N_("Help")  # the section over the keys: each screen names itself

    def action_screen_help(self) -> None:
        assert isinstance(self, Screen)
        self.app.push_screen(HelpScreen([(_(self.HELP_TITLE), screen_keys(self))], legend=False))
