"""The reply / note editor: a text area, ctrl+s sends, Esc asks before discarding."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, Static, TextArea

from ...core.text import one_line, printable
from ...i18n import N_, _
from ...store import Store
from .dialogs import ConfirmDialog
from .templates import Insertion, TemplatePicker, insert_into


@dataclass(frozen=True)
class Draft:
    kind: str  # "reply" or "note"
    ticket_id: int
    body: str


class ReplyScreen(ModalScreen[Draft | None]):
    BINDINGS = [
        Binding("ctrl+s", "send", N_("Send"), priority=True),
        Binding("escape", "cancel", N_("Cancel"), priority=True),
        Binding("ctrl+e", "external_editor", N_("$EDITOR"), show=bool(os.environ.get("EDITOR")), priority=True),  # TextArea takes ctrl+e (end of line) otherwise
        Binding("ctrl+t", "saved_reply", N_("Saved reply"), tooltip=N_("Insert a saved reply at the cursor")),
    ]

    def __init__(
        self,
        kind: str,
        ticket_id: int,
        subject: str,
        initial: str = "",
        quote: str | None = None,
        *,
        store: Store | None = None,
        actor: str = "agent",
    ) -> None:
        super().__init__()
        self.kind = kind
        self.ticket_id = ticket_id
        self.subject = subject
        self.initial = initial
        self.quote = quote  # the customer's latest message, to answer it with it in sight
        self.store = store  # where the saved replies are (Ctrl+T); None: not offered
        self.actor = actor  # fills {agent.name}

    def compose(self) -> ComposeResult:
        title = (
            _("Reply to #{id}: {subject}") if self.kind == "reply" else _("Internal note on #{id}: {subject}")
        ).format(id=self.ticket_id, subject=one_line(self.subject, 60))
        with Vertical(classes="editor", id="editor-box"):
            yield Label(Content(title), classes="dialog-title")
            if self.kind == "note":
                yield Label(Content(_("Only agents see notes; the customer never does.")), classes="dialog-hint")
            if self.quote and self.quote.strip():
                yield Static(
                    Text(_("The customer wrote:") + "\n", style="bold") + Text(printable(self.quote.strip())),
                    classes="quote",
                )
            yield TextArea(self.initial, id="editor", soft_wrap=True, show_line_numbers=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#editor-box").add_class(self.kind)
        self.query_one(TextArea).focus()

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def action_send(self) -> None:
        if not self.text.strip():
            self.notify(_("Nothing to send: the text is empty"), severity="warning")
            return
        self.dismiss(Draft(self.kind, self.ticket_id, self.text))

    def action_cancel(self) -> None:
        if not self.text.strip():
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDialog(_("Discard this text?")), decided)

    def action_saved_reply(self) -> None:
        if self.store is None:
            self.notify(_("Saved replies are not available here"), severity="warning")
            return

        def chosen(insertion: Insertion | None) -> None:
            area = self.query_one(TextArea)
            area.focus()
            if insertion is None:
                return
            insert_into(area, insertion.rendered.text)
            if insertion.rendered.problems:
                self.notify(
                    _("Check the text of “{name}”: {problems}").format(
                        name=insertion.name, problems=insertion.rendered.summary()
                    ),
                    severity="warning",
                    markup=False,
                    timeout=10,
                )

        self.app.push_screen(TemplatePicker(self.store, self.ticket_id, self.actor), chosen)

    def action_external_editor(self) -> None:
        editor = os.environ.get("EDITOR")
        if not editor:
            self.notify(_("Set $EDITOR to use your own editor"), severity="warning")
            return
        with tempfile.NamedTemporaryFile("w+", suffix=".txt", delete=False, encoding="utf-8") as handle:
            handle.write(self.text)
            path = handle.name
        try:
            with self.app.suspend():
                subprocess.run([*shlex.split(editor), path], check=False)
            with open(path, encoding="utf-8", errors="replace") as handle:
                self.query_one(TextArea).text = handle.read()
        except OSError as error:
            self.notify(_("Could not run {editor}: {reason}").format(editor=editor, reason=error), severity="error", markup=False)
        except SuspendNotSupported:  # e.g. served in a browser: the terminal cannot be handed over
            self.notify(_("This terminal cannot hand the text to $EDITOR; keep writing here"), severity="warning")
        finally:
            os.unlink(path)
