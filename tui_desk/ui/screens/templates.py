"""Saved replies in the app: the management screen and its editor (the picker: template_picker.py).

The screens never run SQL: the saved replies are read through ``core.templates``
in thread workers, and every change goes through its CRUD functions in a worker
too. Names and texts are data, shown as plain ``rich.text.Text`` (never parsed as markup).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from ...core.templates import (
    Template,
    add_template,
    clean_name,
    list_templates,
    placeholder_names,
    remove_template,
    rename_template,
    update_template,
)
from ...domain.errors import TuiDeskError
from ...domain.text import one_line, printable
from ...i18n import N_, _
from ...store import Store
from ..failures import ReportsWorkerFailures, describe_failure
from .dialogs import ConfirmDialog, TextPrompt
from .screen_help import HELP_BINDING, ScreenHelp

CSS = Path(__file__).parent.parent / "templates.tcss"  # ui/*.tcss ship with the package

def _placeholder_hint() -> str:
    names = " ".join("{" + name + "}" for name in placeholder_names())
    return _("Placeholders: {names}. Write {braces} for literal braces.").format(names=names, braces="{{ }}")



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

        self.app.push_screen(ConfirmDialog(_("Discard your changes to this saved reply?"), enter_means=False), decided)


class TemplatesScreen(ScreenHelp, ReportsWorkerFailures, ModalScreen[None]):
    """Manage the saved replies: the list on the left, the selected one's text on the right."""

    CSS_PATH = CSS
    HELP_TITLE = N_("Saved replies")
    BINDINGS = [
        Binding("escape,q", "close", N_("Close")),
        Binding("a", "add", N_("Add")),
        Binding("e,enter", "edit", N_("Edit")),
        Binding("r", "rename", N_("Rename")),
        Binding("d,delete", "delete", N_("Delete")),
        HELP_BINDING,
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
