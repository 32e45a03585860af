"""The saved views as a one-line row of tabs above the inbox.

The row only shows and reports: the app decides which view is shown. The tab
of the saved view the inbox shows right now is lit (`follow`); a click on a tab
asks the app for that view (`Picked`). It takes no focus, so Tab still moves
between the panes; `{` and `}` are the app's keys for the previous / next tab.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.message import Message
from textual.widgets import Tab, Tabs

from ...domain.text import one_line

TAB_WIDTH = 30  # longer names are cut with an ellipsis


class ViewTabs(Tabs, can_focus=False):
    DEFAULT_CSS = """
    ViewTabs {
        height: 1;
        background: $boost;
        & Underline {
            display: none;
        }
        & Tab {
            padding: 0 1;
            color: $text-muted;
        }
        & Tab.-active {
            color: $text;
            background: $accent 40%;
            text-style: bold;
        }
    }
    """

    class Picked(Message):
        """The user clicked the tab of a saved view."""

        def __init__(self, name: str) -> None:
            super().__init__()
            self.name = name

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's parameter name
        super().__init__(id=id)
        self._names: dict[str, str] = {}  # tab id → view name
        self._current: str | None = None
        self.display = False

    @property
    def names(self) -> list[str]:
        return list(self._names.values())

    async def show_views(self, names: Sequence[str]) -> None:
        """One tab per saved view, in this order; hidden when there are none."""
        await self.clear()
        self._names = {}
        for index, name in enumerate(names):
            tab_id = f"saved-view-{index}"
            self._names[tab_id] = name
            # Content, not a str: a view called "[bold]x" is shown as typed, never as markup.
            await self.add_tab(Tab(Content(one_line(name, TAB_WIDTH)), id=tab_id))
        self.display = bool(names)
        self.follow(self._current)

    def follow(self, name: str | None) -> None:
        """Light the tab of the view `name` (None: the inbox shows no saved view)."""
        self._current = name
        tab_id = next((tab_id for tab_id, shown in self._names.items() if shown == name), "")
        if tab_id and self.get_tab(tab_id) is None:
            return  # still being built: show_views follows at its end
        if self.active != tab_id:
            self.active = tab_id

    def on_tab_clicked(self, event: Tab.Clicked) -> None:
        # Instead of Tabs' own handler: the app switches the view, then the tabs follow.
        event.stop()
        event.prevent_default()
        name = self._names.get(event.tab.id or "")
        if name is not None:
            self.post_message(self.Picked(name))
