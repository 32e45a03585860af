"""A scrollable pane of pre-rendered lines whose updates never re-layout the screen.

A Static with `height: auto` inside a scroll container, and RichLog too, make
Textual lay out the whole screen whenever their content height changes
(measured: ~40 ms per selection at 160x48). This pane renders its content
once to lines at its own width, keeps its vertical scrollbar always shown so
a new height never changes the layout, and re-renders only when its width
changes.

A reload of what the reader already has open (a live refresh, `m`) keeps their place
(docs/issue17/reading.md): each part may carry a key, and the part at the top of the view
stays where it was on the screen; the pane follows the end only when the reader was at the
end, as `less +F` does. Jumps and pages are instant: an animated scroll of a long thread
took about 0.8 s.
"""

from __future__ import annotations

from collections.abc import Hashable

from rich.console import RenderableType
from rich.segment import Segment
from textual import events
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip


class InstantScroll(ScrollView):
    """Jumps, pages and lines without Textual's animation (about 0.8 s for `G` in a long thread)."""

    def _jump(self, y: float) -> None:
        self.scroll_to(y=max(0, min(round(y), self.max_scroll_y)), animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self._jump(0)

    def action_scroll_end(self) -> None:
        self._jump(self.max_scroll_y)

    def action_page_up(self) -> None:
        self._jump(self.scroll_offset.y - self.scrollable_content_region.height)

    def action_page_down(self) -> None:
        self._jump(self.scroll_offset.y + self.scrollable_content_region.height)

    def action_scroll_up(self) -> None:
        self._jump(self.scroll_offset.y - 1)

    def action_scroll_down(self) -> None:
        self._jump(self.scroll_offset.y + 1)


class TextPane(InstantScroll, can_focus=True):
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
        self._keys: list[Hashable | None] = []  # per part: what it shows, to find it again
        self._starts: list[int] = []  # per part: its first line
        self._lines: list[Strip] = []
        self._rendered_width = 0

    def show_parts(
        self, parts: list[RenderableType], scroll_to_end: bool = True, keys: list[Hashable | None] | None = None
    ) -> None:
        self._parts = parts
        self._keys = keys if keys is not None else [None] * len(parts)
        self._render_parts()
        if scroll_to_end:
            self._to_end()
        else:
            self.scroll_to(y=0, animate=False, immediate=True)

    def keep_place(self, parts: list[RenderableType], keys: list[Hashable | None], edges: bool = True) -> None:
        """Show new parts where the reader is: the keyed part at the top of the view stays put.

        At the end (and `edges`), the end stays in view: new lines arrive under the reader; at
        the very top, the top (a header that grew stays whole).
        """
        y = round(self.scroll_offset.y)
        at_end = edges and y >= self._max_y()
        at_top = edges and y == 0
        anchor = self._anchor(y, set(keys))
        self._parts, self._keys = parts, keys
        self._render_parts()
        if at_end:
            self._to_end()
            return
        if at_top:
            self.scroll_to(y=0, animate=False, immediate=True)
            return
        if anchor is not None:
            key, above = anchor
            y = self._starts[keys.index(key)] - above
        self.scroll_to(y=max(0, min(y, self._max_y())), animate=False, immediate=True)

    def _anchor(self, y: int, wanted: set[Hashable | None]) -> tuple[Hashable, int] | None:
        """The first keyed part still to be shown that reaches the top line or below, and its row on screen."""
        for key, start, end in zip(self._keys, self._starts, self._starts[1:] + [len(self._lines)], strict=False):
            if key is not None and end > y and key in wanted:
                return key, start - y
        return None

    def _max_y(self) -> int:
        return max(0, len(self._lines) - self.scrollable_content_region.height)

    def _to_end(self) -> None:
        self.scroll_to(y=self._max_y(), animate=False, immediate=True)

    def _render_parts(self) -> None:
        width = self.scrollable_content_region.width
        self._rendered_width = width
        if width <= 0:
            self._lines = []
            self._starts = [0] * len(self._parts)
            return
        console = self.app.console
        options = console.options.update(width=width, min_width=width, max_width=width, height=None)
        # Part by part (as Group draws them), to know where each begins.
        self._lines, self._starts = [], []
        for part in self._parts:
            self._starts.append(len(self._lines))
            segments = console.render(part, options)
            self._lines.extend(Strip(line, width) for line in Segment.split_and_crop_lines(segments, width, pad=True))
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
            self.keep_place(self._parts, self._keys)  # rewrapped: the same text stays at the top

    @property
    def text(self) -> str:
        """What the pane holds, as plain lines (for tests and copying)."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)
