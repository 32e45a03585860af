"""A pane for text of any size: wrapped in a worker, each line drawn only when it is in sight.

The thread pane renders everything it holds through Rich at once, which is fine for
the bounded part of each message it shows, but a 10 MB message (a pasted log, base64
sent as text/plain) takes Rich tens of seconds and hundreds of MB. Here the text is
kept as it is, wrapping only records where each screen row starts and ends (a few
integers per row, worked out off the event loop), and `render_line` cuts out the
rows the screen asks for.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len, get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events, work
from textual.geometry import Size
from textual.strip import Strip

from ...domain.text import printable
from ...i18n import N_
from ..failures import ReportsWorkerFailures
from .text_pane import InstantScroll


@dataclass(frozen=True)
class Block:
    """A run of text drawn in one style: a message's header, or its body."""

    text: str
    heading: bool = False


def wrap_offsets(line: str, width: int) -> list[tuple[int, int]]:
    """Where the rows of one line start and end at `width` cells: at a space when there is one
    in reach, else (a base64 blob, a URL) straight through the word."""
    if width <= 0:
        return [(0, len(line))]
    rows: list[tuple[int, int]] = []
    start, length = 0, len(line)
    if line.isascii():
        while length - start > width:
            cut = line.rfind(" ", start + 1, start + width + 1)
            if cut <= start:
                rows.append((start, start + width))
                start += width
            else:
                rows.append((start, cut))
                start = cut + 1
        rows.append((start, length))
        return rows
    cells = 0
    space = -1  # the last space on the row being filled
    index = 0
    while index < length:
        size = get_character_cell_size(line[index])
        if cells + size > width:
            if space > start:  # at that space, as the ASCII path does; else through the word
                rows.append((start, space))
                start = space + 1
                space = -1
            else:
                rows.append((start, index))
                start = index
            cells = cell_len(line[start:index])
            continue
        if line[index] == " ":
            space = index
        cells += size
        index += 1
    rows.append((start, length))
    return rows


class FullTextView(ReportsWorkerFailures, InstantScroll, can_focus=True):
    BINDINGS = [
        ("j", "scroll_down", N_("Down")),
        ("k", "scroll_up", N_("Up")),
        ("g", "scroll_home", N_("Top")),
        ("G", "scroll_end", N_("Bottom")),
        ("space", "page_down", N_("Page down")),
        # Space went down a page and nothing shown went back up (PgUp works, unsaid): b, as in less.
        ("b", "page_up", N_("Page up")),
    ]

    DEFAULT_CSS = """
    FullTextView { background: $surface; overflow-y: scroll; overflow-x: hidden; scrollbar-size-vertical: 1; }
    FullTextView > .full-text--heading { text-style: bold; }
    """
    COMPONENT_CLASSES = {"full-text--heading"}

    def __init__(self, blocks: list[Block], *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Each block's lines, tabs as spaces: a tab's width depends on where it falls.
        self._lines: list[tuple[str, bool]] = [
            (line, block.heading) for block in blocks for line in block.text.replace("\t", "    ").split("\n")
        ]
        self._rows: list[tuple[int, int, int]] = []  # (line, start, end) per screen row
        self._wrapped_width = 0
        self.ready = False

    def on_resize(self, event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self._wrapped_width:
            self._wrapped_width = width
            self._wrap(width)

    @work(thread=True, exclusive=True, group="full-text", exit_on_error=False)
    def _wrap(self, width: int) -> None:
        rows: list[tuple[int, int, int]] = []
        for number, (line, _heading) in enumerate(self._lines):
            rows.extend((number, start, end) for start, end in wrap_offsets(line, width))
        self.app.call_from_thread(self._wrapped, width, rows)

    def _wrapped(self, width: int, rows: list[tuple[int, int, int]]) -> None:
        if width != self._wrapped_width:
            return  # resized meanwhile: a newer wrap is on its way
        self._rows = rows
        self.ready = True
        self.virtual_size = Size(width, len(rows))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style  # every cell styled: NO_COLOR's filter cannot take unstyled ones
        index = round(self.scroll_offset.y) + y
        if index >= len(self._rows):
            text = "…" if not self.ready and y == 0 else ""
            return Strip([Segment(text, base)]).adjust_cell_length(width, base)
        number, start, end = self._rows[index]
        line, heading = self._lines[number]
        style: Style = base + self.get_component_rich_style("full-text--heading") if heading else base
        return Strip([Segment(printable(line[start:end]), style)]).crop(0, width).adjust_cell_length(width, base)

    @property
    def text(self) -> str:
        """The wrapped rows as plain lines (for tests)."""
        return "\n".join(printable(self._lines[n][0][s:e]) for n, s, e in self._rows)
