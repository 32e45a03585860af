"""Saved replies in the app: the fuzzy picker of the reply editor and the management screen.

The screens never run SQL: the saved replies and the ticket's placeholder values are
read through ``core.templates`` in thread workers, and every change goes through
its CRUD functions in a worker too. Names and texts are data, shown as plain
``rich.text.Text`` (never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.fuzzy import FuzzySearch
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ...core.templates import (
    Rendered,
    Template,
    add_template,
    clean_name,
    context_for_ticket,
    list_templates,
    placeholder_names,
    remove_template,
    rename_template,
    render,
    update_template,
)
from ...domain.errors import TuiDeskError
from ...domain.text import one_line, printable
from ...i18n import N_, _
from ...store import Store
from ..failures import ReportsWorkerFailures, describe_failure
from .dialogs import ConfirmDialog, TextPrompt

CSS = Path(__file__).parent.parent / "templates.tcss"  # ui/*.tcss ship with the package


def _no_templates_text() -> str:
    return _(
        "No saved replies yet. Add them with Ctrl+P → “Saved replies”, or on the command line:"
        "  tui-desk template add NAME"
    )


def _placeholder_hint() -> str:
    names = " ".join("{" + name + "}" for name in placeholder_names())
    return _("Placeholders: {names}. Write {braces} for literal braces.").format(names=names, braces="{{ }}")


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


class TemplatePicker(ReportsWorkerFailures, ModalScreen[Insertion | None]):
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
            empty.update(Text(_no_templates_text()))
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


class TemplateEditor(ModalScreen[str | None]):
    """The text of one saved reply: Ctrl+S saves, Esc asks before dropping a change."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), priority=True),
        Binding("escape", "cancel", N_("Cancel"), priority=True),
    ]

    def __init__(self, title: str, body: str = "", original: str | None = None) -> None:
        super().__init__()  # no id: a failed save opens a new one while the old one is still leaving
        self.title_text = title
        self.body = body
        self.original = body if original is None else original  # Esc asks only if the text differs

    def compose(self) -> ComposeResult:
        with Vertical(classes="editor template", id="template-editor-box"):
            yield Label(Content(self.title_text), classes="dialog-title")
            yield Static(Text(_placeholder_hint(), style="dim"), classes="dialog-hint", id="placeholder-hint")
            yield TextArea(self.body, id="template-body", soft_wrap=True, show_line_numbers=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_save(self) -> None:
        if not self.text.strip():
            self.notify(_("A saved reply needs some text"), severity="warning")
            return
        self.dismiss(self.text)

    def action_cancel(self) -> None:
        if self.text == self.original:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog(_("Discard your changes to this saved reply?")), decided)


class TemplatesScreen(ReportsWorkerFailures, ModalScreen[None]):
    """Manage the saved replies: the list on the left, the selected one's text on the right."""

    CSS_PATH = CSS
    BINDINGS = [
        Binding("escape,q", "close", N_("Close")),
        Binding("a", "add", N_("Add")),
        Binding("e,enter", "edit", N_("Edit")),
        Binding("r", "rename", N_("Rename")),
        Binding("d,delete", "delete", N_("Delete")),
        Binding("j", "move(1)", N_("Down"), show=False),
        Binding("k", "move(-1)", N_("Up"), show=False),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(id="templates")
        self.store = store
        self.templates: list[Template] = []

    def compose(self) -> ComposeResult:
        yield Static(Text(_("Saved replies"), style="bold"), id="templates-title")
        with Horizontal(id="templates-body"):
            with Vertical(id="templates-list-box"):
                yield OptionList(id="templates-list")
            with VerticalScroll(id="templates-preview-box"):
                yield Static(Text(_("Loading saved replies…"), style="dim"), id="templates-preview")
        yield Static(Text(_placeholder_hint(), style="dim"), id="templates-hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#templates-list-box").border_title = _("Names")
        self.query_one("#templates-preview-box").border_title = _("Text")
        self.query_one("#templates-list", OptionList).focus()
        self.reload()

    # -- reading ----------------------------------------------------------------------------------
    def reload(self, select: str | None = None) -> None:
        store = self.store

        def load() -> None:
            try:
                templates = list_templates(store)
            except Exception as error:
                self.app.call_from_thread(self._error, describe_failure(error, self.store.path))
                return
            self.app.call_from_thread(self._show, templates, select)

        self.run_worker(load, thread=True, group="templates", exit_on_error=False)

    def _show(self, templates: list[Template], select: str | None) -> None:
        if not self.is_attached:  # closed while the store was read
            return
        options = self.query_one("#templates-list", OptionList)
        previous, previous_index = self.current, options.highlighted or 0
        self.templates = templates
        options.set_options(Option(Text(t.name), id=f"t{t.id}") for t in templates)
        if not templates:
            self.query_one("#templates-preview-box").border_title = _("Text")
            self.query_one("#templates-preview", Static).update(
                Text(_("No saved replies yet: press a to add one."), style="dim")
            )
            return
        names = [t.name.casefold() for t in templates]
        ids = [t.id for t in templates]
        if select is not None and select.casefold() in names:
            index = names.index(select.casefold())
        elif previous is not None and previous.id in ids:
            index = ids.index(previous.id)
        else:
            index = min(previous_index, len(templates) - 1)  # it was deleted: its neighbour
        options.highlighted = index
        self._preview(index)

    @property
    def current(self) -> Template | None:
        index = self.query_one("#templates-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.templates):
            return None
        return self.templates[index]

    @on(OptionList.OptionHighlighted, "#templates-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._preview(event.option_index)

    @on(OptionList.OptionSelected, "#templates-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_edit()

    def _preview(self, index: int) -> None:
        if 0 <= index < len(self.templates):
            template = self.templates[index]
            self.query_one("#templates-preview", Static).update(Text(printable(template.body)))
            self.query_one("#templates-preview-box").border_title = Content(template.name)  # a name is not markup

    def action_move(self, delta: int) -> None:
        options = self.query_one("#templates-list", OptionList)
        if self.templates:
            current = options.highlighted if options.highlighted is not None else 0
            options.highlighted = max(0, min(len(self.templates) - 1, current + delta))

    # -- changing ---------------------------------------------------------------------------------
    def _run(
        self,
        change: Callable[[], Template],
        describe: Callable[[Template], str],
        retry: Callable[[], object] | None = None,
    ) -> None:
        """Run a core change in a worker; say what happened; reload, selecting the changed reply.
        If it fails, `retry` (if any) gives the user back what they typed."""

        def work() -> None:
            try:
                result = change()
            except Exception as error:
                self.app.call_from_thread(self._error, describe_failure(error, self.store.path))
                if retry is not None:
                    self.app.call_from_thread(retry)
                return
            self.app.call_from_thread(self._changed, describe(result), result.name)

        self.run_worker(work, thread=True, group="templates-change", exit_on_error=False)

    def _changed(self, message: str, name: str | None) -> None:
        self.app.notify(message, markup=False, timeout=4)
        if self.is_attached:
            self.reload(select=name)

    def _error(self, message: str) -> None:
        self.app.notify(message, severity="error", markup=False, timeout=8)

    def _taken(self, name: str, own: Template | None = None) -> bool:
        cleaned = " ".join(name.split()).casefold()
        taken = next(
            (t for t in self.templates if t.name.casefold() == cleaned and (own is None or t.id != own.id)), None
        )
        if taken is not None:
            self._error(_("A saved reply named {name!r} already exists").format(name=taken.name))
        return taken is not None

    def action_add(self) -> None:
        store = self.store

        def named(name: str | None) -> None:
            if name is None or not name.strip():
                return
            try:
                clean_name(name)  # before the body is typed, not after: a refused name would lose it
            except TuiDeskError as error:
                self._error(str(error))
                return
            if self._taken(name):
                return
            edit(name, "")

        def edit(name: str, body: str) -> None:
            title = _("New saved reply “{name}”").format(name=one_line(name, 50))
            self.app.push_screen(TemplateEditor(title, body, original=""), lambda typed: written(name, typed))

        def written(name: str, body: str | None) -> None:
            if body is not None:
                self._run(
                    lambda: add_template(store, name, body),
                    lambda t: _("Added saved reply {name!r}").format(name=t.name),
                    lambda: edit(name, body),  # not stored: the text comes back to be saved again
                )

        self.app.push_screen(
            TextPrompt(_("Name of the new saved reply"), placeholder=_("e.g. Password reset")), named
        )

    def action_edit(self) -> None:
        template = self._require()
        if template is None:
            return
        store = self.store

        title = _("Saved reply “{name}”").format(name=one_line(template.name, 50))

        def written(body: str | None) -> None:
            if body is not None and body != template.body:
                self._run(
                    lambda: update_template(store, template.name, body),
                    lambda t: _("Saved reply {name!r} updated").format(name=t.name),
                    lambda: self.app.push_screen(TemplateEditor(title, body, original=template.body), written),
                )

        self.app.push_screen(TemplateEditor(title, template.body), written)

    def action_rename(self) -> None:
        template = self._require()
        if template is None:
            return
        store = self.store

        def named(name: str | None) -> None:
            if name is None or not name.strip() or name.strip() == template.name:
                return
            if self._taken(name, own=template):
                return
            self._run(
                lambda: rename_template(store, template.name, name),
                lambda t: _("Renamed saved reply {old!r} to {new!r}").format(old=template.name, new=t.name),
            )

        self.app.push_screen(
            TextPrompt(_("Rename “{name}” to…").format(name=one_line(template.name, 50)), value=template.name),
            named,
        )

    def action_delete(self) -> None:
        template = self._require()
        if template is None:
            return
        store = self.store

        def decided(yes: bool | None) -> None:
            if yes:
                self._run(
                    lambda: remove_template(store, template.name),
                    lambda t: _("Removed saved reply {name!r}").format(name=t.name),
                )

        self.app.push_screen(
            ConfirmDialog(_("Delete the saved reply “{name}”?").format(name=one_line(template.name, 50))), decided
        )

    def _require(self) -> Template | None:
        template = self.current
        if template is None:
            self.notify(_("No saved reply selected: press a to add one"), severity="warning")
        return template

    def action_close(self) -> None:
        self.dismiss(None)


def insert_into(area: TextArea, text: str) -> None:
    """Put `text` at the cursor of `area`, replacing the selected text if there is any."""
    start, end = area.selection
    area.replace(text, start, end)
