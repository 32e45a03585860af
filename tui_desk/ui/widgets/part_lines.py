"""A pane's parts drawn to lines only when needed: a long thread costs what is on screen.

Drawing every message of a 3,000-message thread to lines at once held the event loop for
about 1.4 s, and keeping all those lines made Python's full garbage collections (each a
walk over every object held) cost up to a few hundred ms apiece (docs/issue16/big-thread.md).
Here a part (a header, a message, an event) is drawn when the view needs it, and only the
lines of the parts last drawn are kept; the others are measured (drawn, counted, dropped) a
slice at a time by the pane's filler. Until it is measured a part's height is a guess (the
mean of the first parts placed). The view is placed by a part and the screen row of its first
line, never by a line number alone: a part measured above the view, taller or shorter than
guessed, changes the line numbers but nothing the reader sees.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterator
from itertools import accumulate

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from textual.strip import Strip

FIRST_GUESS = 4  # lines per part before any part is drawn
KEPT_PARTS = 300  # parts whose lines are kept: several screens of the longest pane


class Deferred:
    """A renderable built each time it is drawn, and not kept: building 3,000 messages (or
    events) into Rich renderables up front took about 120 ms of the event loop, and keeping
    them all grew what each full garbage collection walks."""

    __slots__ = ("_build",)

    def __init__(self, build: Callable[[], RenderableType]) -> None:
        self._build = build

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._build()


class PartLines:
    def __init__(
        self,
        parts: list[RenderableType],
        draw: Callable[[RenderableType], list[Strip]],
        count: Callable[[RenderableType], int],
    ) -> None:
        self.parts = parts
        self._draw = draw
        self._count = count
        self._kept: OrderedDict[int, list[Strip]] = OrderedDict()
        self._heights = [FIRST_GUESS] * len(parts)  # measured, or guessed
        self._measured = [False] * len(parts)
        self._guessed = False  # the guess is made once, from the first parts placed
        self._measured_parts = 0
        self._measured_lines = 0
        self.starts: list[int] = []  # per part: its first line (moves when a part above is measured)
        self.total = 0
        self._dirty = True

    @property
    def complete(self) -> bool:
        return self._measured_parts == len(self.parts)

    @property
    def measured(self) -> int:
        """How many parts have their height known."""
        return self._measured_parts

    @property
    def measured_lines(self) -> int:
        return self._measured_lines

    def _note_height(self, index: int, height: int) -> None:
        self._heights[index] = height
        self._measured[index] = True
        self._measured_parts += 1
        self._measured_lines += height
        self._dirty = True

    def measure(self, index: int) -> bool:
        """Know part `index`'s height (drawn and dropped); whether it was measured now."""
        if self._measured[index]:
            return False
        self._note_height(index, self._count(self.parts[index]))
        return True

    def draw(self, index: int) -> list[Strip]:
        """Part `index`'s lines, drawn if they are not kept."""
        lines = self._kept.get(index)
        if lines is not None:
            self._kept.move_to_end(index)
            return lines
        lines = self._draw(self.parts[index])
        self._kept[index] = lines
        if len(self._kept) > KEPT_PARTS:
            self._kept.popitem(last=False)
        if not self._measured[index]:
            self._note_height(index, len(lines))
        return lines

    def _layout(self) -> None:
        if not self._dirty:
            return
        self.starts = [0, *accumulate(self._heights)]
        self.total = self.starts.pop()
        self._dirty = False

    def _guess(self) -> None:
        """Guess the parts not measured at the mean of those measured. Once: a guess that
        changed with every part measured would move every line number below it, for nothing."""
        self._guessed = True
        if not self._measured_parts:
            return
        guess = round(self._measured_lines / self._measured_parts)
        self._heights = [height if measured else guess for height, measured in zip(self._heights, self._measured, strict=True)]
        self._dirty = True

    def height(self, index: int) -> int:
        return self._heights[index]

    def part_at(self, y: int) -> int:
        """The part that holds line `y` (the last part for a line past the end)."""
        self._layout()
        return max(0, bisect_right(self.starts, y) - 1)

    def line(self, y: int) -> Strip | None:
        """Line `y`, its part drawn if needed (below the view's top, nothing moves); None past the end."""
        self._layout()
        if not self.parts or y >= self.total:
            return None
        index = self.part_at(y)
        was_measured = self._measured[index]
        lines = self.draw(index)
        if not was_measured:
            self._layout()
            if y >= self.starts[index] + len(lines):
                return self.line(y)  # shorter than guessed: the line is the next part's now
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
            missing = [i for i in self.in_view(y, height) if not self._measured[i]]
            if not missing:
                if not self._guessed:
                    self._guess()
                    continue
                for i in self.in_view(y, height):
                    self.draw(i)  # kept, for the paint that follows
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
        """Every part's lines as plain text: the parts not kept drawn once each (and measured by
        that drawing), not kept either: the view's parts stay kept."""
        lines: list[str] = []
        for index, part in enumerate(self.parts):
            drawn = self._kept.get(index)
            if drawn is None:
                drawn = self._draw(part)
                if not self._measured[index]:
                    self._note_height(index, len(drawn))
            lines.extend(strip.text.rstrip() for strip in drawn)
        return "\n".join(lines)
