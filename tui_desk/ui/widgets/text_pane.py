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

import asyncio
import time
from collections.abc import Callable, Hashable, Iterable, Iterator

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ..failures import ReportsWorkerFailures
from .part_lines import PartLines

# Parts not drawn when shown are drawn by a filler in slices of this much time, the event
# loop free between them (keys, frames): a 3,000-message thread is about a second of drawing.
SLICE_SECONDS = 0.008
# Measured at once beyond the view, in lines, a part counting as PART_LINES more (about 40 us
# a line, 150 us a part): a usual thread or timeline is measured whole before its first
# frame, its scrollbar exact from the start.
SYNC_LINES = 200
PART_LINES = 4


def _past(deadline: float) -> Callable[[], bool]:
    return lambda: time.perf_counter() >= deadline


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


class TextPane(ReportsWorkerFailures, InstantScroll, can_focus=True):
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
        self._layout = PartLines([], self._draw, self._count)
        self._rendered_width = 0
        self._placing = False  # the pane moves its own view: no re-placing in watch_scroll_y
        self._fill_generation = 0
        self._line_style: Style | None = None

    def show_parts(
        self, parts: list[RenderableType], scroll_to_end: bool = True, keys: list[Hashable | None] | None = None
    ) -> None:
        self._reset(parts, keys if keys is not None else [None] * len(parts))
        height = self._view_height()
        self._show_at(self._layout.place_end(height) if scroll_to_end else self._layout.place(0, 0, height))

    def show_at_line(self, parts: list[RenderableType], y: int) -> None:
        """The same parts drawn again (unfolded quotes): the view stays on its top line number."""
        self._reset(parts, self._keys)
        self._show_at(self._layout.place_line(y, self._view_height()))

    def keep_place(self, parts: list[RenderableType], keys: list[Hashable | None], edges: bool = True) -> None:
        """Show new parts where the reader is: the keyed part at the top of the view stays put.

        At the end (and `edges`), the end stays in view: new lines arrive under the reader; at
        the very top, the top (a header that grew stays whole).
        """
        y = round(self.scroll_offset.y)
        at_end = edges and y >= self._max_y()
        at_top = edges and y == 0
        anchor = self._anchor(y, set(keys))
        self._reset(parts, keys)
        height = self._view_height()
        if at_end:
            y = self._layout.place_end(height)
        elif at_top or not parts:
            y = self._layout.place(0, 0, height)
        elif anchor is not None:
            key, above = anchor
            y = self._layout.place(keys.index(key), above, height)
        else:
            y = self._layout.place_line(y, height)
        self._show_at(y)

    def _anchor(self, y: int, wanted: set[Hashable | None]) -> tuple[Hashable, int] | None:
        """The first keyed part still to be shown that reaches the top line or below, and its row on screen."""
        if not self._parts:
            return None
        first = self._layout.part_at(y)
        starts = self._layout.starts
        for index in range(first, len(self._keys)):
            key = self._keys[index]
            if key is not None and key in wanted:
                return key, starts[index] - y
        return None

    def _view_height(self) -> int:
        return self.scrollable_content_region.height

    def _max_y(self) -> int:
        return max(0, self._layout.total - self._view_height())

    def _reset(self, parts: list[RenderableType], keys: list[Hashable | None]) -> None:
        """New parts, none drawn yet; a filler still drawing the old ones stops."""
        self._parts, self._keys = parts, keys
        width = self.scrollable_content_region.width
        self._rendered_width = width
        self._layout = PartLines(parts, self._draw, self._count)
        self._fill_generation += 1

    def _draw(self, part: RenderableType) -> list[Strip]:
        width = self._rendered_width
        if width <= 0:
            return []
        return [Strip(line, width) for line in Segment.split_and_crop_lines(self._segments(part), width, pad=True)]

    def _count(self, part: RenderableType) -> int:
        """The lines `_draw` would make, none of them kept."""
        width = self._rendered_width
        if width <= 0:
            return 0
        return sum(1 for _line in Segment.split_and_crop_lines(self._segments(part), width, pad=False))

    def _segments(self, part: RenderableType) -> Iterable[Segment]:
        width = self._rendered_width
        console = self.app.console
        return console.render(part, console.options.update(width=width, min_width=width, max_width=width, height=None))

    def _show_at(self, y: int) -> None:
        """Show the layout with `y` as the view's top line; what is not drawn is drawn later."""
        self._placing = True
        try:
            self._sync_size()
            self.scroll_to(y=y, animate=False, immediate=True)
        finally:
            self._placing = False
        self.refresh()
        self._fill()

    def _sync_size(self) -> None:
        size = Size(self._rendered_width, self._layout.total)
        if size != self.virtual_size:
            # Quietly: the scrollbar is always shown, so no layout is needed.
            self.set_reactive(ScrollView.virtual_size, size)
            self._scroll_update(size)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if not self._placing and self._parts:
            y = self._place_scroll(round(old_value), round(new_value))
            if y != round(new_value):
                self.set_reactive(ScrollView.scroll_y, float(y))
                self.set_reactive(ScrollView.scroll_target_y, float(y))
                new_value = float(y)
        super().watch_scroll_y(old_value, new_value)

    def _place_scroll(self, old: int, y: int) -> int:
        """Where a scroll by the reader (keys, wheel, scrollbar) lands, the parts it brings into view drawn.

        A line or a page moves the part at the top of the old view by exactly that many rows,
        whatever the parts above it turn out to measure: pages follow each other with no line
        lost. A far jump lands on the part the line number falls in; the end stays the end.
        """
        layout, height = self._layout, self._view_height()
        if y >= self._max_y():
            placed = layout.place_end(height)
        elif abs(y - old) <= height:
            top = layout.part_at(old)
            placed = layout.place(top, layout.starts[top] - y, height)
        else:
            placed = layout.place_line(y, height)
        self._sync_size()
        return placed

    def _fill(self) -> None:
        """Draw the parts not yet drawn: a screenful or two now, the rest a slice at a time,
        between the event loop's other work (keys, frames)."""
        layout = self._layout
        if layout.complete or self._rendered_width <= 0:  # not laid out yet: the first resize fills
            return
        order = layout.outward(layout.part_at(round(self.scroll_offset.y)))
        budget = layout.measured_lines + layout.measured * PART_LINES + SYNC_LINES
        if self._fill_slice(order, lambda: layout.measured_lines + layout.measured * PART_LINES >= budget):
            return
        self.run_worker(self._fill_slices(self._fill_generation, order), group="text-pane-fill", exclusive=True, exit_on_error=False)

    async def _fill_slices(self, generation: int, order: Iterator[int]) -> None:
        while True:
            await asyncio.sleep(0)
            if generation != self._fill_generation:
                return
            deadline = time.perf_counter() + SLICE_SECONDS
            if self._fill_slice(order, _past(deadline)):
                return

    def _fill_slice(self, order: Iterator[int], enough: Callable[[], bool]) -> bool:
        """Draw parts in `order` until `enough`, the view kept on what it shows; whether all are drawn."""
        done = True

        def draw() -> None:
            nonlocal done
            for index in order:
                if self._layout.measure(index) and enough():
                    done = self._layout.complete
                    return

        self._drawing_in_place(draw)
        return done

    def _drawing_in_place(self, draw: Callable[[], None]) -> None:
        """Draw parts out of view: the part at the top of the view stays on its row, the end stays the end."""
        layout, height = self._layout, self._view_height()
        y = round(self.scroll_offset.y)
        at_end = y >= self._max_y()
        top = layout.part_at(y)
        row = layout.starts[top] - y if layout.starts else 0
        draw()
        y = layout.place_end(height) if at_end else layout.place(top, row, height)
        self._placing = True
        try:
            self._sync_size()
            if at_end or y == layout.starts[top] - row:
                # The same lines on screen under new line numbers: no repaint, only the scrollbar.
                self.set_reactive(ScrollView.scroll_y, float(y))
                self.set_reactive(ScrollView.scroll_target_y, float(y))
                self.vertical_scrollbar.position = y
            else:
                self.scroll_to(y=y, animate=False, immediate=True)
                self.refresh()
        finally:
            self._placing = False

    def render_lines(self, crop: Region) -> list[Strip]:
        self._line_style = self.rich_style  # once a paint: it walks the ancestors' styles
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        # Every segment gets the pane's own style under its own: Rich leaves plain text and
        # padding unstyled (style None), which Textual's NO_COLOR filter cannot handle, and
        # an unstyled cell shows the terminal's background instead of the theme's.
        style = self._line_style if self._line_style is not None else self.rich_style
        line = self._layout.line(round(self.scroll_offset.y) + y)
        if line is None:
            return Strip.blank(self.scrollable_content_region.width, style)
        return line.apply_style(style)

    def on_resize(self, event: events.Resize) -> None:
        if self.scrollable_content_region.width != self._rendered_width:
            self.keep_place(self._parts, self._keys)  # rewrapped: the same text stays at the top
        elif self._parts:  # taller: the parts that come into view are drawn
            self._show_at(self._layout.place_line(round(self.scroll_offset.y), self._view_height()))

    @property
    def drawn_parts(self) -> int:
        """How many of the parts shown are drawn to lines yet."""
        return self._layout.measured

    @property
    def text(self) -> str:
        """What the pane holds, as plain lines (for tests and copying): every part drawn now, once,
        the view kept on what it shows when that measured parts."""
        if self._layout.complete:
            return self._layout.text()
        text = ""

        def draw() -> None:
            nonlocal text
            text = self._layout.text()

        self._drawing_in_place(draw)
        return text
