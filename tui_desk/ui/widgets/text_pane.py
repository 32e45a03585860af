"""A scrollable pane of pre-rendered lines whose updates never re-layout the screen.

A Static with `height: auto` inside a scroll container, and RichLog too, make
Textual lay out the whole screen whenever their content height changes
(measured: ~40 ms per selection at 160x48). This pane renders its content
once to lines at its own width, keeps its vertical scrollbar always shown so
a new height never changes the layout, and re-renders only when its width
changes.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class TextPane(ScrollView, can_focus=True):
    ALLOW_MAXIMIZE = True  # `z` zooms it

    DEFAULT_CSS = """
    TextPane {
        overflow-y: scroll;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._parts: list[RenderableType] = []
        self._lines: list[Strip] = []
        self._rendered_width = 0

    def show_parts(self, parts: list[RenderableType], scroll_to_end: bool = True) -> None:
        self._parts = parts
        self._render_parts()
        if scroll_to_end:
            self.scroll_to(y=max(0, len(self._lines) - self.scrollable_content_region.height), animate=False, immediate=True)
        else:
            self.scroll_to(y=0, animate=False, immediate=True)

    def _render_parts(self) -> None:
        width = self.scrollable_content_region.width
        self._rendered_width = width
        if width <= 0:
            self._lines = []
            return
        console = self.app.console
        options = console.options.update(width=width, min_width=width, max_width=width, height=None)
        segments = console.render(Group(*self._parts), options)
        self._lines = [Strip(line, width) for line in Segment.split_and_crop_lines(segments, width, pad=True)]
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            # Quietly: the scrollbar is always shown, so no layout is needed.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        # Every segment gets the pane's own style under its own: Rich leaves plain text and
        # padding unstyled (style None), which Textual's NO_COLOR filter cannot handle, and
        # an unstyled cell shows the terminal's background instead of the theme's.
        index = round(self.scroll_offset.y) + y
        if index >= len(self._lines):
            return Strip.blank(self.scrollable_content_region.width, self.rich_style)
        return self._lines[index].apply_style(self.rich_style)

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._rendered_width:
            self._render_parts()

    @property
    def text(self) -> str:
        """What the pane holds, as plain lines (for tests and copying)."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)
