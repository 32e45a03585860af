"""The forward dialog: which message of the ticket, to whom, and the agent's text (docs/issue15/forward.md).

The dialog only gathers what to send; the app stores and queues the forward in a worker
(ui/forward_actions.py) and closes the dialog once it is queued. A refusal (the customer's
address, an address that is not one) leaves it open with everything typed still there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, TextArea
from textual.widgets.option_list import Option

from ...domain.text import printable
from ...i18n import N_, _
from .screen_help import TYPING_HELP_BINDING, ScreenHelp


@dataclass(frozen=True)
class ForwardRequest:
    message_row: int  # the desk's message number
    to: str
    body: str


class ForwardScreen(ScreenHelp, ModalScreen[None]):
    # Here rather than in app.tcss: the dialog is this module's alone.
    DEFAULT_CSS = """
    ForwardScreen .forward-label { color: $text-muted; margin-top: 1; }
    ForwardScreen #forward-message { max-height: 8; }
    ForwardScreen #forward-text { height: 6; }
    ForwardScreen .forward-buttons { height: auto; margin-top: 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "send", N_("Forward"), priority=True),
        Binding("escape", "cancel", N_("Cancel"), priority=True),
        TYPING_HELP_BINDING,  # F1: the address and text fields take `?` as a character
    ]
    HELP_TITLE = N_("Forward")

    def __init__(
        self,
        title: str,
        choices: list[tuple[int, str]],
        on_send: Callable[[ForwardScreen, ForwardRequest], None],
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices  # (message number, label), newest first; labels already one line
        self.on_send = on_send
        self.sending = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog forward", id="forward-box"):
            yield Label(Content(printable(self.title_text)), classes="dialog-title")
            yield Label(Content(_("Message")), classes="forward-label")
            yield OptionList(
                *[Option(Content(printable(label)), id=f"message-{row}") for row, label in self.choices],
                id="forward-message",
            )
            yield Label(Content(_("To (one address, e.g. a supplier)")), classes="forward-label")
            yield Input(placeholder="orders@supplier.example", id="forward-to")
            yield Label(Content(_("Your text above the forwarded message (optional)")), classes="forward-label")
            yield TextArea("", id="forward-text", soft_wrap=True, show_line_numbers=False)
            with Horizontal(classes="forward-buttons"):
                yield Button(_("Forward"), id="forward-send", variant="primary")
            yield Label(
                # No footer here: the help key is named in the hint, so it is reachable by sight.
                Content(
                    _("Ctrl+S forwards · Esc cancels · the customer gets nothing, the timeline records it")
                    + " · F1 " + _("Help")
                ),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        # Wider than the other dialogs, so each message's line fits (app.tcss's .dialog wins over DEFAULT_CSS).
        self.query_one("#forward-box").styles.width = 100
        options = self.query_one("#forward-message", OptionList)
        options.highlighted = 0
        options.focus()

    @property
    def chosen(self) -> int:
        highlighted = self.query_one("#forward-message", OptionList).highlighted or 0
        return self.choices[highlighted][0]

    @property
    def to(self) -> str:
        return self.query_one("#forward-to", Input).value

    @property
    def text(self) -> str:
        return self.query_one("#forward-text", TextArea).text

    @on(OptionList.OptionSelected, "#forward-message")
    def _picked(self) -> None:
        self.query_one("#forward-to", Input).focus()

    @on(Input.Submitted, "#forward-to")
    def _address_typed(self) -> None:
        self.query_one("#forward-text", TextArea).focus()

    @on(Button.Pressed, "#forward-send")
    def _pressed(self) -> None:
        self.action_send()

    def action_send(self) -> None:
        if self.sending:  # one forward per press, however fast the keys come
            return
        self.sending = True
        self.on_send(self, ForwardRequest(self.chosen, self.to.strip(), self.text))

    def send_failed(self) -> None:
        """Refused or failed: the dialog stays, with what was typed, for another try."""
        self.sending = False

    def action_cancel(self) -> None:
        if not self.sending:
            self.dismiss(None)
