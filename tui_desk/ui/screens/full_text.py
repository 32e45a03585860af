"""The full text of a thread (`w`): every message whole, however long, for reading only."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer

from ...domain.models import Message, Ticket
from ...domain.text import one_line
from ...i18n import N_, _
from ..format import local_time
from ..widgets.full_text import Block, FullTextView
from ..widgets.thread import kind_label
from .screen_help import HELP_BINDING, ScreenHelp


class FullTextScreen(ScreenHelp, ModalScreen[None]):
    HELP_TITLE = N_("Full text")
    BINDINGS = [Binding("escape,q,w", "close", N_("Close")), HELP_BINDING]

    DEFAULT_CSS = """
    FullTextScreen { align: center middle; }
    FullTextScreen > #full-text-box { width: 100%; height: 100%; border: round $accent; background: $surface; }
    FullTextScreen FullTextView { height: 1fr; padding: 0 1; }
    """

    def __init__(self, ticket: Ticket, messages: list[Message]) -> None:
        super().__init__()
        self.ticket = ticket
        self.messages = messages

    def compose(self) -> ComposeResult:
        blocks: list[Block] = []
        for message in self.messages:
            heading = f"▌ {kind_label(message.kind)} · {one_line(message.author)} · {local_time(message.created_at)}"
            blocks.append(Block(heading, heading=True))
            body = message.body.rstrip()
            # The thread lists the first attachments only: here, every one of them.
            files = "".join(
                f"\n📎 {one_line(a.filename)}  {one_line(a.content_type)}, {a.size:,} B" for a in message.attachments
            )
            blocks.append(Block(body + ("\n" if body and files else "") + files + "\n"))
        with Vertical(id="full-text-box"):
            yield FullTextView(blocks, id="full-text")
        yield Footer()

    def on_mount(self) -> None:
        box = self.query_one("#full-text-box")
        box.border_title = Content(
            _("Full text of #{id}: {subject}").format(id=self.ticket.id, subject=one_line(self.ticket.subject, 60))
        )
        self.query_one(FullTextView).focus()

    def action_close(self) -> None:
        self.dismiss(None)
