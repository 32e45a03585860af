"""The value picker of `f` (docs/issue17/filters.md): type to narrow, Enter filters.

The values (departments, agents, tags; statuses and priorities are known at once) are read in a thread worker, so the picker
opens at once on a large store. What is typed narrows the list case- and
accent-insensitively, as the saved-reply picker does; a value that matches
nothing is refused with a notice, never turned into a filter that shows no ticket.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from ...domain.text import fold, one_line, printable
from ...i18n import N_, _
from ...store import Store
from ..dialog_fit import ListsFitTheScreen
from ..failures import ReportsWorkerFailures, describe_failure


def narrowed(
    values: list[str],
    query: str,
    shown_as: Callable[[str], str] | None = None,
    also_as: Callable[[str], tuple[str, ...]] | None = None,
) -> list[str]:
    """The values for a typed query: those that contain it first (those that start with it
    before the rest), then those that match it fuzzily ("bl" finds "Billing"). Empty keeps all.
    `shown_as` is the text the agent sees for a value (a status key shows its translated name);
    `also_as` other names that find it too (the English name and the config key: an agent who
    knows "urgent" from the config finds "hitan" in Croatian)."""
    typed = fold(query.strip())
    if not typed:
        return list(values)
    starts: list[str] = []
    contains: list[str] = []
    fuzzy: list[tuple[float, int, str]] = []
    search = FuzzySearch()
    for position, value in enumerate(values):
        names = [shown_as(value) if shown_as else value, *(also_as(value) if also_as else ())]
        folded = [fold(name) for name in names]
        if any(name.startswith(typed) for name in folded):
            starts.append(value)
        elif any(typed in name for name in folded):
            contains.append(value)
        else:
            score = max(search.match(typed, name)[0] for name in folded)
            if score > 0:
                fuzzy.append((-score, position, value))
    fuzzy.sort()
    return starts + contains + [value for _score, _position, value in fuzzy]


class FilterPicker(ListsFitTheScreen, ReportsWorkerFailures, ModalScreen[str | None]):
    """Pick one value of a filter; Enter hands back the highlighted one, Esc nothing."""

    DEFAULT_CSS = """
    FilterPicker #filter-values { max-height: 12; }
    FilterPicker #filter-empty { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(8)", show=False),
        Binding("pageup", "move(-8)", show=False),
    ]

    def __init__(
        self,
        store: Store,
        reader: Callable[[Store], list[str]],
        *,
        title: str,
        unknown: Callable[[str], str],
        current: str | None = None,
        shown_as: Callable[[str], str] | None = None,
        also_as: Callable[[str], tuple[str, ...]] | None = None,
    ) -> None:
        super().__init__(id="filter-picker")
        self.store = store
        self.reader = reader
        self.title_text = title
        self.unknown = unknown  # the notice for a typed value that matches nothing
        self.current = current
        self.shown_as = shown_as  # the text of a value in the list and for narrowing; the value itself is picked
        self.also_as = also_as  # other names a value is found by, never shown
        self.values: list[str] | None = None  # None: still loading
        self.shown: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(printable(self.title_text)), classes="dialog-title")
            yield Input(placeholder=_("type to narrow the list"), id="filter-query")
            yield OptionList(id="filter-values")
            yield Static(Text(_("Loading…"), style="dim"), id="filter-empty")
            yield Label(Content(_("Type to narrow · ↑ ↓ choose · Enter filters · Esc cancels")), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#filter-query", Input).focus()
        self.query_one("#filter-values", OptionList).display = False
        store, reader = self.store, self.reader

        def load() -> None:
            try:
                values = reader(store)
            except Exception as error:
                self.app.call_from_thread(self._failed, describe_failure(error, store.path))
                return
            self.app.call_from_thread(self._loaded, values)

        self.run_worker(load, thread=True, group="filter-values", exit_on_error=False)

    def _failed(self, message: str) -> None:
        if not self.is_attached:  # closed while the store was read
            return
        self.values = []
        self.query_one("#filter-empty", Static).update(Text(message))
        self.notify(message, severity="error", markup=False, timeout=8)

    def _loaded(self, values: list[str]) -> None:
        if not self.is_attached:
            return
        self.values = values
        self._refilter(self.query_one("#filter-query", Input).value)

    @on(Input.Changed, "#filter-query")
    def _typed(self, event: Input.Changed) -> None:
        if self.values is not None:
            self._refilter(event.value)

    def _refilter(self, query: str) -> None:
        assert self.values is not None
        self.shown = narrowed(self.values, query, self.shown_as, self.also_as)
        options = self.query_one("#filter-values", OptionList)
        label = self.shown_as or (lambda value: value)
        options.set_options(Option(Text(one_line(label(v))), id=f"v{i}") for i, v in enumerate(self.shown))
        options.display = bool(self.shown)
        empty = self.query_one("#filter-empty", Static)
        empty.display = not self.shown
        if not self.values:
            empty.update(Text(_("Nothing to filter by yet")))
        elif not self.shown:
            empty.update(Text(self.unknown(one_line(query.strip(), 40))))
        if self.shown:
            start = self.shown.index(self.current) if not query.strip() and self.current in self.shown else 0
            options.highlighted = start

    def action_move(self, delta: int) -> None:
        if not self.shown:
            return
        options = self.query_one("#filter-values", OptionList)
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    @on(Input.Submitted, "#filter-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.values is None:
            return  # still loading: Enter would pick a value nobody saw
        highlighted = self.query_one("#filter-values", OptionList).highlighted
        if self.shown and highlighted is not None:
            self.dismiss(self.shown[highlighted])
        elif event.value.strip():
            self.notify(self.unknown(one_line(event.value.strip(), 40)), severity="warning", markup=False)

    @on(OptionList.OptionSelected, "#filter-values")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self.shown):
            self.dismiss(self.shown[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
