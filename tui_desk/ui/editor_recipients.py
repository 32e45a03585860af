"""The reply editor's header: To (read only) and Cc (editable), issue 15 item 3.

Read in a worker when the editor opens (core/editor_recipients.py): To is the customer, or the
Reply-To the outgoing mail will use; Cc starts as the ticket's remembered Cc (or the value kept
with a draft). On send, an unchanged field keeps the remembered Cc (``cc=None``); a changed one
is this reply's Cc and the ticket's from then on. docs/issue15/recipients.md, "In the editor".
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label

from ..core.editor_recipients import ReplyRecipients, for_reply, parse_cc
from ..domain.text import one_line
from ..i18n import _
from ..store import Store
from .failures import report_failure


class RecipientsHeader(Vertical):
    """ "To: …" and "Cc: [field]" above the reply's text."""

    def __init__(self, store: Store, ticket_id: int, kept_cc: str | None = None) -> None:
        super().__init__(id="recipients")
        self.store = store
        self.ticket_id = ticket_id
        self.kept_cc = kept_cc  # the field's value kept with a draft (None: the remembered Cc)
        self.remembered: list[str] | None = None  # None until read: sending then keeps the remembered Cc
        # Held, not queried: the editor reads it again as it goes (a quit keeps an edited Cc with the draft).
        self.field = Input(
            placeholder=_("addresses, separated by commas"),
            id="cc",
            disabled=True,  # until the ticket's Cc is read: typing into it meanwhile would be overwritten
            compact=True,
            select_on_focus=False,
        )

    def compose(self) -> ComposeResult:
        yield Label(Content(_("To: …")), id="to-line")
        with Horizontal(id="cc-row"):
            yield Label(Content(_("Cc:")), id="cc-label")
            yield self.field

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, group="recipients", exit_on_error=False)
    def _load(self) -> None:
        try:
            found = for_reply(self.store, self.ticket_id)
        except Exception as error:  # the store fails: said; the reply goes to the remembered Cc
            self.app.call_from_thread(report_failure, self.app, error)
            return
        if found is not None:
            self.app.call_from_thread(self._show, found)

    def _show(self, found: ReplyRecipients) -> None:
        if not self.is_mounted:
            return
        self.query_one("#to-line", Label).update(
            Content(_("To: {address}").format(address=one_line(found.to_line(), 120)))
        )
        field = self.field
        field.value = self.kept_cc if self.kept_cc is not None else found.cc_text()
        field.disabled = False
        self.remembered = list(found.cc)

    def sending(self, busy: bool) -> None:
        """No typing while the reply is stored: what is stored is what was sent."""
        if self.remembered is not None:
            self.field.disabled = busy

    @property
    def text(self) -> str:
        return self.field.value

    @property
    def changed(self) -> bool:
        """Whether the field says something other than the remembered Cc (then it goes with a draft)."""
        return self.remembered is not None and self.text != ", ".join(self.remembered)

    def chosen(self, ours: Iterable[str]) -> list[str] | None:
        """This reply's Cc: None keeps the ticket's remembered one; InvalidInput for a bad address."""
        if self.remembered is None:
            return None
        addresses = parse_cc(self.text, ours)
        return None if addresses == self.remembered else addresses
