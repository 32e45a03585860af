"""The reply / note editor: a text area, ctrl+s sends, Esc asks: keep as draft, discard or write on.

The text is kept in the drafts (written a moment after each change, and at once on
ctrl+s) until the app says the store has it: a failed send leaves the editor open
with the text, and a quit or a crash leaves it in the drafts for the next r or n.

A new reply gets the signature under the text (core/signatures.py, docs/issue15/signatures.md);
ctrl+o attaches files, listed under the text (ui/editor_attachments.py), whose paths are kept
with the draft. A reply shows To and an editable Cc above the text (ui/editor_recipients.py); an
edited Cc is kept with the draft too.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static, TextArea

from ...core.signatures import block
from ...core.templates import Rendered
from ...domain.errors import InvalidInput
from ...domain.text import one_line, printable
from ...i18n import N_, _
from ...store import Store
from ..drafts import Drafts
from ..editor_attachments import AttachmentList, FilePicker, Picked, read_file
from ..editor_recipients import RecipientsHeader
from ..failures import report_failure
from ..format import cut_text
from .dialogs import LeaveEditorDialog
from .template_picker import Insertion, TemplatePicker, insert_into

DRAFT_SAVE_DELAY = 0.5  # seconds of quiet typing before the draft is written
QUOTE_CHARS = 4_000
QUOTE_LINES = 60


@dataclass(frozen=True)
class Draft:
    kind: str  # "reply" or "note"
    ticket_id: int
    body: str
    attachments: tuple[tuple[str, str, bytes], ...] = ()  # (file name, content type, bytes)
    cc: list[str] | None = None  # a reply's Cc as the agent chose it (None: the ticket's remembered Cc)


class ReplyScreen(ModalScreen[Draft | None]):
    BINDINGS = [
        Binding("ctrl+s", "send", N_("Send"), priority=True),
        # A note is never sent: its footer says Save (check_action shows one of the two).
        Binding("ctrl+s", "save_note", N_("Save"), priority=True),
        Binding("escape", "cancel", N_("Cancel"), priority=True),
        Binding("ctrl+e", "external_editor", N_("$EDITOR"), show=bool(os.environ.get("EDITOR")), priority=True),  # TextArea takes ctrl+e (end of line) otherwise
        Binding("ctrl+t", "saved_reply", N_("Saved reply"), tooltip=N_("Insert a saved reply at the cursor")),
        Binding("ctrl+o", "attach", N_("Attach"), tooltip=N_("Attach a file (Delete in the list removes one)")),
    ]
    last_folder: Path | None = None  # where the previous file was picked: the picker opens there

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
        drafts: Drafts | None = None,
        on_send: Callable[[Draft], None] | None = None,
        signature: Callable[[], Rendered | None] | None = None,
        files: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.kind = kind
        self.ticket_id = ticket_id
        self.subject = subject
        self.initial = initial
        self.quote = quote  # the customer's latest message, to answer it with it in sight
        self.store = store  # where the saved replies are (Ctrl+T); None: not offered
        self.actor = actor  # fills {agent.name}
        self.drafts = drafts  # where the text is kept until stored; None: nowhere
        # With on_send the editor stays open while the app stores the text and closes
        # only on `stored()`; without, ctrl+s dismisses with the Draft.
        self.on_send = on_send
        self.sending = False
        self._finished = False  # stored or discarded: nothing left to keep
        self._save_timer: Timer | None = None
        self._kept_text: str | None = initial or None
        self._save_failed = False
        self._area: TextArea | None = None  # still readable once unmounted, when the screen goes
        # The newest message of the thread when the editor opened: a reply sent after a customer
        # message or another agent's reply came in asks first (None: not checked).
        self.seen_up_to: int | None = None
        # Read in a worker for a new reply only: a draft given back has its signature (or not) already.
        self.signature = signature if kind == "reply" and not initial else None
        self._only_signature: str | None = None  # the text when it is the signature alone: nothing written
        self.attached: list[Picked] = []
        self._files_to_read = list(files)  # the draft's attachments, read again on mount
        self._reading = 0
        self._kept_cc: str | None = None
        self._header: RecipientsHeader | None = None  # a reply's To and Cc; readable once unmounted, as _area

    def compose(self) -> ComposeResult:
        title = (
            _("Reply to #{id}: {subject}") if self.kind == "reply" else _("Internal note on #{id}: {subject}")
        ).format(id=self.ticket_id, subject=one_line(self.subject, 60))
        with Vertical(classes="editor", id="editor-box"):
            yield Label(Content(title), classes="dialog-title")
            if self.kind == "note":
                yield Label(Content(_("Only agents see notes; the customer never does.")), classes="dialog-hint")
            elif self.store is not None:  # a reply to one ticket: its own To and Cc
                kept_cc = self.drafts.load_cc(self.kind, self.ticket_id) if self.drafts and self.initial else None
                self._kept_cc = kept_cc
                self._header = RecipientsHeader(self.store, self.ticket_id, kept_cc)
                yield self._header
            if self.quote and self.quote.strip():
                yield Static(
                    Text(_("The customer wrote:") + "\n", style="bold") + Text(printable(self._quoted())),
                    classes="quote",
                )
            yield TextArea(self.initial, id="editor", soft_wrap=True, show_line_numbers=False)
            attached = AttachmentList(id="attachments")
            attached.display = False  # shown with the first file
            yield attached
        yield Footer()

    def _quoted(self) -> str:
        """The start of the customer's message: a huge one must not freeze the editor."""
        text, left_out = cut_text((self.quote or "").strip(), QUOTE_CHARS, QUOTE_LINES)
        return text + ("\n…" if left_out else "")

    def on_mount(self) -> None:
        self.query_one("#editor-box").add_class(self.kind)
        self._area = self.query_one(TextArea)
        if self.initial:  # a draft given back: writing goes on where it stopped, not before it
            self._area.move_cursor(self._area.document.end)
        self._area.focus()
        if self.signature is not None:
            self._load_signature(self.signature)
        for path in self._files_to_read:
            self._read(path, quiet_keep=True)

    # -- the signature ---------------------------------------------------------------------
    @work(thread=True, group="signature", exit_on_error=False)
    def _load_signature(self, load: Callable[[], Rendered | None]) -> None:
        try:
            rendered = load()
        except Exception as error:  # a bad config value or a store that fails: said, the editor goes on
            self.app.call_from_thread(report_failure, self.app, error)
            return
        if rendered is not None:
            self.app.call_from_thread(self._insert_signature, rendered)

    def _insert_signature(self, rendered: Rendered) -> None:
        """Under the text, after a "-- " line; the cursor stays where the agent writes."""
        if self._finished or not self.is_mounted:
            return
        area = self.query_one(TextArea)
        empty = not area.text.strip()
        area.insert("\n\n" + block(rendered.text), area.document.end, maintain_selection_offset=True)
        if empty:
            self._only_signature = area.text
            area.move_cursor((0, 0))
        if rendered.problems:
            self.notify(
                _("Check your signature: {problems}").format(problems=rendered.summary()),
                severity="warning",
                markup=False,
                timeout=10,
            )

    def _written(self, text: str) -> str:
        """The text as the agent's own: "" when it is the signature alone (nothing to send or keep)."""
        return "" if text == self._only_signature else text

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def _cc_field(self) -> str | None:
        """The Cc field's text when the agent changed it (kept with the draft), else None."""
        header = self._header
        if header is None or header.remembered is None:  # not read yet: what the draft had stays
            return self._kept_cc
        return header.text if header.changed else None

    @property
    def draft_kept(self) -> bool:
        """Whether the text, as it is now, is in the drafts (on disk, for a store with a file)."""
        return self.drafts is not None and not self._save_failed and self._kept_text == self._written(self.text)

    # -- keeping the draft ---------------------------------------------------------------
    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self._keep_soon()

    @on(Input.Changed, "#cc")  # an edited Cc goes with the draft as the text does
    def _cc_changed(self, event: Input.Changed) -> None:
        self._keep_soon()

    def _keep_soon(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(DRAFT_SAVE_DELAY, self.keep_draft)

    def keep_draft(self, durable: bool = False) -> None:
        """Write the text to the drafts now (if it changed since it was last kept); ``durable``
        also syncs it to disk."""
        if self._save_timer is not None:
            self._save_timer.stop()
            self._save_timer = None
        if self._finished or self.drafts is None or not self.is_mounted:
            return
        text = self._written(self.text)
        cc = self._cc_field()
        if text == (self._kept_text or "") and cc == self._kept_cc and not self._save_failed and not durable:
            return
        try:
            self.drafts.save(self.kind, self.ticket_id, text, durable=durable)
            self.drafts.save_files(self.kind, self.ticket_id, [p.path for p in self.attached] if text.strip() else [])
            self.drafts.save_cc(self.kind, self.ticket_id, cc if text.strip() else None)
        except OSError as error:
            if not self._save_failed:  # once: it is kept in memory meanwhile
                report_failure(self.app, error)
            self._save_failed = True
            return
        self._save_failed = False
        self._kept_text = text
        self._kept_cc = cc

    def _forget_draft(self) -> None:
        self._finished = True
        if self._save_timer is not None:
            self._save_timer.stop()
        if self.drafts is not None:
            try:
                self.drafts.delete(self.kind, self.ticket_id)
            except OSError as error:
                report_failure(self.app, error)

    def on_unmount(self) -> None:
        # The app quits (or the screen goes) with the text unsent: it stays in the drafts.
        text = self._written(self._area.text if self._area is not None else "")
        cc = self._cc_field()
        if not self._finished and self.drafts is not None and text.strip() and (text, cc) != (self._kept_text, self._kept_cc):
            with contextlib.suppress(OSError):  # reported while typing, if the folder cannot be written
                self.drafts.save(self.kind, self.ticket_id, text, durable=True)
                self.drafts.save_files(self.kind, self.ticket_id, [p.path for p in self.attached])
                self.drafts.save_cc(self.kind, self.ticket_id, cc)

    def stored(self) -> None:
        """The app has stored the text: the draft goes, the editor closes."""
        self.sending = False
        self._forget_draft()
        if self.is_attached:
            self.dismiss(None)

    def send_failed(self) -> None:
        """The app could not store the text (and said why): it stays here, to send again or copy."""
        self.sending = False
        if self.is_attached:
            area = self.query_one(TextArea)
            area.read_only = False
            if self._header is not None:
                self._header.sending(False)
            area.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("send", "save_note"):
            return (action == "save_note") == (self.kind == "note")
        return True

    def action_save_note(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        if self.sending:
            return
        if not self._written(self.text).strip():
            empty = _("Nothing to save: the note is empty") if self.kind == "note" else _("Nothing to send: the text is empty")
            self.notify(empty, severity="warning")  # a note is never sent
            return
        if self._reading:
            self.notify(_("A file is still being read: send again in a moment"), severity="warning")
            return
        try:
            cc = self._chosen_cc()
        except InvalidInput as error:  # nothing is sent; the text, the field and the files stay
            self.notify(str(error), severity="error", markup=False, timeout=10)
            self.query_one("#cc", Input).focus()
            return
        draft = Draft(self.kind, self.ticket_id, self.text, tuple(p.attachment for p in self.attached), cc)
        self.keep_draft(durable=True)  # before the store is asked: a crash during the write loses nothing
        if self.on_send is None:
            self.dismiss(draft)
            return
        self.sending = True
        self.query_one(TextArea).read_only = True  # what is stored is what was sent: no typing meanwhile
        if self._header is not None:
            self._header.sending(True)
        self.on_send(draft)

    def _chosen_cc(self) -> list[str] | None:
        if self._header is None:
            return None
        mail = getattr(self.app, "mail", None)  # the desk's own addresses are never copied
        return self._header.chosen(mail.our_addresses if mail is not None else ())

    def action_cancel(self) -> None:
        if self.sending:  # the store is being asked: its answer decides whether the text goes
            return
        if not self._written(self.text).strip():
            self._forget_draft()
            self.dismiss(None)
            return

        def decided(choice: str | None) -> None:
            if choice == LeaveEditorDialog.DISCARD:
                self._forget_draft()
                self.dismiss(None)
            elif choice == LeaveEditorDialog.KEEP:
                self.keep_as_draft()
            else:
                self.query_one(TextArea).focus()

        self.app.push_screen(LeaveEditorDialog(), decided)

    def keep_as_draft(self) -> None:
        """Close the editor with the text in the drafts, for the next r or n on this ticket.

        Only once it is written: with the drafts folder unwritable the editor stays open,
        as closing it would leave the text nowhere a quit does not end.
        """
        self.keep_draft(durable=True)
        if not self.draft_kept:
            self.notify(
                _("Your text is kept in the editor only: it could not be written to your drafts"),
                severity="error",
                markup=False,
            )
            self.query_one(TextArea).focus()
            return
        self.dismiss(None)

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

    # -- attachments ---------------------------------------------------------------------
    def action_attach(self) -> None:
        if self.sending:
            return
        folder = ReplyScreen.last_folder or Path.home()

        def chosen(path: str | None) -> None:
            self.query_one(TextArea).focus()
            if path:
                ReplyScreen.last_folder = Path(path).expanduser().parent
                self._read(path)

        self.app.push_screen(FilePicker(folder if folder.is_dir() else Path.home()), chosen)

    def _read(self, path: str, quiet_keep: bool = False) -> None:
        """Read the file in a worker: a large file or a slow disk never holds the editor up."""
        self._reading += 1

        def work() -> None:
            try:
                picked: Picked | InvalidInput = read_file(path)
            except InvalidInput as error:
                picked = error
            self.app.call_from_thread(self._file_read, picked, quiet_keep)

        self.run_worker(work, thread=True, group="attach", exit_on_error=False)

    def _file_read(self, picked: Picked | InvalidInput, quiet_keep: bool) -> None:
        self._reading -= 1
        if isinstance(picked, InvalidInput):  # the text and the other files stay as they are
            self.notify(str(picked), severity="error", markup=False, timeout=10)
            return
        if any(p.path == picked.path for p in self.attached):
            self.notify(_("{name} is attached already").format(name=picked.name), severity="warning", markup=False)
            return
        self.attached.append(picked)
        self.query_one(AttachmentList).show(self.attached)
        if not quiet_keep:
            self._keep_files()

    @on(AttachmentList.Remove)
    def _remove(self, event: AttachmentList.Remove) -> None:
        if self.sending or not 0 <= event.index < len(self.attached):
            return
        gone = self.attached.pop(event.index)
        listed = self.query_one(AttachmentList)
        listed.show(self.attached)
        if not self.attached:
            self.query_one(TextArea).focus()
        self.notify(_("{name} is no longer attached").format(name=gone.name), markup=False, timeout=4)
        self._keep_files()

    def _keep_files(self) -> None:
        """The attached files' paths go with the draft (the bytes are read again when it comes back)."""
        if self._finished or self.drafts is None or not self._written(self.text).strip():
            return
        try:
            self.drafts.save_files(self.kind, self.ticket_id, [p.path for p in self.attached])
        except OSError as error:
            report_failure(self.app, error)

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
