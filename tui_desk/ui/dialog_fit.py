"""A dialog with a list fits a short terminal: the list gives up rows, never the rest (issue 17).

At 60x20 the postpone dialog (title, field, its whole example, the time it means, three choices,
"Enter picks; Esc cancels") is taller than the 90% of the screen a dialog may take, and the
screen cut its bottom: the last choice, the hint, the border. The list is the one part that can
scroll, so it is the part that shrinks; everything else stays readable.
"""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, OptionList

SMALLEST_LIST = 3  # rows: with fewer, the list no longer reads as a list


class ListsFitTheScreen:
    """Mixin for a dialog screen with one `.dialog` container (before ModalScreen in the bases)."""

    def on_mount(self) -> None:
        self.call_after_refresh(self._fit_lists)  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit_lists)  # type: ignore[attr-defined]

    def on_input_changed(self, event: Input.Changed) -> None:
        # Typing shows or hides lines (the whole placeholder, the time a postpone means).
        self.call_after_refresh(self._fit_lists)  # type: ignore[attr-defined]

    def _fit_lists(self) -> None:
        dialogs = self.query(".dialog")  # type: ignore[attr-defined]
        if not dialogs:
            return
        dialog: Widget = dialogs.first()
        lists = [child for child in dialog.children if isinstance(child, OptionList) and child.display]
        if len(lists) != 1:
            return
        options = lists[0]
        screen_height = self.size.height  # type: ignore[attr-defined]
        room = int(screen_height * 0.9) - dialog.gutter.height  # the .dialog's max-height: 90%
        others = sum(
            child.outer_size.height + child.styles.margin.top + child.styles.margin.bottom
            for child in dialog.children
            if child is not options and child.display
        )
        wanted = options.option_count + options.gutter.height
        fit = max(SMALLEST_LIST + options.gutter.height, room - others)
        options.styles.max_height = fit if fit < wanted else None
