"""The reply editor's fuzzy picker of saved replies (Ctrl+T).

It never runs SQL: the saved replies and the ticket's placeholder values are read
through ``core.templates`` in a thread worker. Names and texts are data, shown as
plain ``rich.text.Text`` (never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ...core.templates import (
    Rendered,
    Template,
    context_for_ticket,
    list_templates,
    render,
)
from ...domain.errors import TuiDeskError
from ...domain.text import one_line, printable
from ...i18n import N_, _
from ...store import Store
from ..dialog_fit import ListsFitTheScreen
from ..failures import ReportsWorkerFailures, describe_failure

CSS = Path(__file__).parent.parent / "templates.tcss"  # ui/*.tcss ship with the package

def no_templates_text() -> str:
    return _(
        "No saved replies yet. Add them with Ctrl+P → “Saved replies”, or on the command line:"
        "  tui-desk template add NAME"
    )


@dataclass(frozen=True)
class Insertion:
    """What the picker hands back: the saved reply chosen and its text for this ticket."""

    name: str
    rendered: Rendered


def matching(templates: list[Template], query: str) -> list[tuple[Template, tuple[int, ...]]]:
    """The saved replies for a typed query, best first, with the matched positions of each name.

    Names match fuzzily ("nmi" finds "Need more info"); then come replies whose text
    contains the query. An empty query keeps every reply, by name.
    """
    query = query.strip()
    if not query:
        return [(t, ()) for t in templates]
    search = FuzzySearch()
    scored: list[tuple[float, int, Template, tuple[int, ...]]] = []
    in_text: list[tuple[Template, tuple[int, ...]]] = []
    folded = query.casefold()
    for position, template in enumerate(templates):
        score, offsets = search.match(query, template.name)
        if score > 0:
            scored.append((-score, position, template, tuple(offsets)))
        elif folded in template.body.casefold():
            in_text.append((template, ()))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [(t, offsets) for _score, _pos, t, offsets in scored] + in_text


def _option_prompt(template: Template, offsets: tuple[int, ...]) -> Text:
    """The name as plain text, the letters the query matched in reverse video."""
    name = Text(one_line(template.name))
    for offset in offsets:
        if offset < len(name) and not name.plain[offset].isspace():
            name.stylize("reverse", offset, offset + 1)
    return name


class TemplatePicker(ListsFitTheScreen, ReportsWorkerFailures, ModalScreen[Insertion | None]):
    """Type to filter the saved replies; Enter hands back the highlighted one, filled in."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel")),
        Binding("enter", "choose", N_("Insert"), show=True),
        Binding("down", "move(1)", N_("Down"), show=False),
        Binding("up", "move(-1)", N_("Up"), show=False),
        Binding("pagedown", "move(8)", N_("Page down"), show=False),
        Binding("pageup", "move(-8)", N_("Page up"), show=False),
    ]

    def __init__(self, store: Store, ticket_id: int, actor: str) -> None:
        super().__init__(id="template-picker")
        self.store = store
        self.ticket_id = ticket_id
        self.actor = actor
        self.templates: list[Template] | None = None  # None: still loading
        self.context: Mapping[str, str | None] = {}
        self.shown: list[Template] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(Content(_("Insert a saved reply into #{id}").format(id=self.ticket_id)), classes="dialog-title")
            yield Input(placeholder=_("type to filter saved replies"), id="picker-query")
            yield OptionList(id="picker-list")
            yield Static(Text(_("Loading saved replies…"), style="dim"), id="picker-empty")
            with VerticalScroll(id="picker-preview-box"):
                yield Static("", id="picker-preview")
            yield Label(Content(_("↑ ↓ choose · Enter inserts · Esc cancels")), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#picker-query", Input).focus()
        self.query_one("#picker-list", OptionList).display = False
        self.query_one("#picker-preview-box").display = False
        self.query_one("#picker-preview-box").border_title = _("Preview")
        store, ticket_id, actor = self.store, self.ticket_id, self.actor

        def load() -> None:
            try:
                templates = list_templates(store)
            except Exception as error:
                self.app.call_from_thread(self._failed, describe_failure(error, store.path))
                return
            try:
                context: Mapping[str, str | None] = context_for_ticket(store, ticket_id, actor)
            except TuiDeskError:
                context = {}  # the ticket is gone: every placeholder stays visible in the text
            self.app.call_from_thread(self._loaded, templates, context)

        self.run_worker(load, thread=True, group="templates", exit_on_error=False)

    def _failed(self, message: str) -> None:
        if not self.is_attached:  # closed while the store was read
            return
        self.templates = []
        self.query_one("#picker-empty", Static).update(Text(message))
        self.notify(message, severity="error", markup=False, timeout=8)

    def _loaded(self, templates: list[Template], context: Mapping[str, str | None]) -> None:
        if not self.is_attached:  # closed while the store was read
            return
        self.templates = templates
        self.context = context
        self._refilter(self.query_one("#picker-query", Input).value)

    @on(Input.Changed, "#picker-query")
    def _typed(self, event: Input.Changed) -> None:
        if self.templates is not None:
            self._refilter(event.value)

    def _refilter(self, query: str) -> None:
        assert self.templates is not None
        found = matching(self.templates, query)
        self.shown = [template for template, _offsets in found]
        options = self.query_one("#picker-list", OptionList)
        options.set_options(Option(_option_prompt(t, offsets), id=f"t{i}") for i, (t, offsets) in enumerate(found))
        options.display = bool(found)
        self.query_one("#picker-preview-box").display = bool(found)
        empty = self.query_one("#picker-empty", Static)
        empty.display = not found
        if not self.templates:
            empty.update(Text(no_templates_text()))
        elif not found:
            empty.update(Text(_("No saved reply matches “{query}”").format(query=one_line(query, 40))))
        if found:
            options.highlighted = 0
            self._preview(0)

    @on(OptionList.OptionHighlighted, "#picker-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    def _preview(self, index: int) -> None:
        if not 0 <= index < len(self.shown):
            return
        rendered = render(self.shown[index].body, self.context)
        preview = Text(printable(rendered.text))
        for problem in rendered.problems:
            preview.append("\n⚠ " + problem.message, style="bold yellow")
        self.query_one("#picker-preview", Static).update(preview)

    def action_move(self, delta: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + delta))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option_index)

    def action_choose(self) -> None:
        highlighted = self.query_one("#picker-list", OptionList).highlighted
        if highlighted is not None:
            self._choose(highlighted)

    def _choose(self, index: int) -> None:
        if 0 <= index < len(self.shown):
            template = self.shown[index]
            self.dismiss(Insertion(template.name, render(template.body, self.context)))

    def action_cancel(self) -> None:
        self.dismiss(None)


def insert_into(area: TextArea, text: str) -> None:
    """Put `text` at the cursor of `area`, replacing the selected text if there is any."""
    start, end = area.selection
    area.replace(text, start, end)

