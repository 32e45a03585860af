"""A pane's parts drawn to lines only when needed: a long thread costs what is on screen.

Drawing every message of a 3,000-message thread to lines at once held the event loop for
about 1.3 s (docs/issue16/big-thread.md). Here a part (a header, a message, an event) is drawn
when the view needs it, or later, a slice at a time, by the pane's filler; until then its
height is an estimate (the mean of the parts drawn so far). The view is placed by a part and
the screen row of its first line, never by a line number alone: a part drawn above the view,
taller or shorter than guessed, moves the line numbers but nothing the reader sees.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import accumulate

from rich.console import RenderableType
from textual.strip import Strip

FIRST_GUESS = 4  # lines per part before any part is drawn


class PartLines:
    def __init__(self, parts: list[RenderableType], draw: Callable[[RenderableType], list[Strip]]) -> None:
        self.parts = parts
        self._draw = draw
        self._lines: list[list[Strip] | None] = [None] * len(parts)
        self._drawn_parts = 0
        self._drawn_lines = 0
        self.starts: list[int] = []  # per part: its first line (estimated above an undrawn part)
        self.total = 0
        self._dirty = True

    @property
    def complete(self) -> bool:
        return self._drawn_parts == len(self.parts)

    @property
    def drawn_lines(self) -> int:
        return self._drawn_lines

    @property
    def drawn(self) -> int:
        """How many parts are drawn to lines."""
        return self._drawn_parts

    def draw(self, index: int) -> bool:
        """Draw part `index` if it is not yet; whether it was drawn now."""
        if self._lines[index] is not None:
            return False
        lines = self._draw(self.parts[index])
        self._lines[index] = lines
        self._drawn_parts += 1
        self._drawn_lines += len(lines)
        self._dirty = True
        return True

    def draw_all(self) -> None:
        for index in range(len(self.parts)):
            self.draw(index)

    def _layout(self) -> None:
        if not self._dirty:
            return
        guess = round(self._drawn_lines / self._drawn_parts) if self._drawn_parts else FIRST_GUESS
        heights = [guess if lines is None else len(lines) for lines in self._lines]
        self.starts = [0, *accumulate(heights)]
        self.total = self.starts.pop()
        self._dirty = False

    def height(self, index: int) -> int:
        self._layout()
        end = self.starts[index + 1] if index + 1 < len(self.starts) else self.total
        return end - self.starts[index]

    def part_at(self, y: int) -> int:
        """The part that holds line `y` (the last part for a line past the end)."""
        self._layout()
        return max(0, bisect_right(self.starts, y) - 1)

    def line(self, y: int) -> Strip | None:
        """Line `y`, its part drawn if it was not (below the view's top, nothing moves); None past the end."""
        self._layout()
        if not self.parts or y >= self.total:
            return None
        index = self.part_at(y)
        if self.draw(index):
            self._layout()
            if y >= self.starts[index] + self.height(index):
                return self.line(y)  # shorter than guessed: the line is the next part's now
        lines = self._lines[index]
        assert lines is not None
        offset = y - self.starts[index]
        return lines[offset] if offset < len(lines) else None

    def place(self, index: int, row: int, height: int) -> int:
        """The view's top line with part `index` starting on screen row `row` (as near as the
        ends allow), every part in view drawn."""
        if not self.parts:
            return 0
        while True:
            self.draw(index)
            self._layout()
            y = max(0, min(self.starts[index] - row, self.total - height))
            missing = [i for i in self.in_view(y, height) if self._lines[i] is None]
            if not missing:
                return y
            for i in missing:
                self.draw(i)

    def place_line(self, y: int, height: int) -> int:
        """The view kept where its top line `y` is, every part in view drawn."""
        if not self.parts:
            return 0
        index = self.part_at(y)
        return self.place(index, self.starts[index] - y, height)

    def place_end(self, height: int) -> int:
        """The view at the end: the last part's last line on the bottom row."""
        if not self.parts:
            return 0
        last = len(self.parts) - 1
        self.draw(last)
        return self.place(last, height - self.height(last), height)

    def in_view(self, y: int, height: int) -> range:
        self._layout()
        return range(self.part_at(y), self.part_at(y + max(height, 1) - 1) + 1)

    def outward(self, index: int) -> Iterator[int]:
        """Parts from `index` to the end, then from `index` back to the first: nearest the view first."""
        yield from range(index, len(self.parts))
        yield from range(index - 1, -1, -1)

    def text(self) -> str:
        self.draw_all()
        return "\n".join(strip.text.rstrip() for lines in self._lines if lines for strip in lines)
