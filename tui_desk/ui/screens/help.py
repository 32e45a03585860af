"""The help screen: every key, grouped, in the user's language."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ...i18n import N_, _


def marker_legend() -> list[tuple[str, str]]:
    """What the inbox's one-character marks mean (widgets/inbox.py draws them)."""
    return [
        ("●", _("needs attention: New or Open, waiting on the desk")),
        ("✔", _("marked: the next action applies to every marked ticket")),
        ("◉", _("another agent has the ticket open")),
        ("✎", _("another agent is replying to it")),
        ("−2h", _("SLA column: the target was missed this long ago")),
        ("4h", _("SLA column: time left to the target")),
        (_("reply✗"), _("SLA column, closed ticket: the first response target was missed")),
        (_("solve✗"), _("SLA column, closed ticket: the resolution target was missed")),
    ]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark,f1", "dismiss_help", N_("Close"), key_display="Esc"),
        Binding("j,down", "scroll(1)", N_("Down"), key_display="↓"),
        Binding("k,up", "scroll(-1)", N_("Up"), key_display="↑"),
        # Over the scroll box's own (hidden) page keys, so that the footer names them.
        Binding("pagedown", "scroll(10)", N_("Page down"), key_display="PgDn", priority=True),
        Binding("pageup", "scroll(-10)", N_("Page up"), key_display="PgUp", priority=True),
    ]

    def __init__(self, sections: list[tuple[str, list[tuple[str, str]]]], legend: bool = True) -> None:
        super().__init__()
        self.sections = sections
        self.legend = legend  # the inbox's marks: the main screen's help only

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold cyan", no_wrap=True)
        table.add_column()
        for title, rows in self.sections:
            table.add_row(Text(title, style="bold underline"), "")
            for keys, description in rows:
                table.add_row(Text(keys), Text(description))
            table.add_row("", "")
        # A table of its own: its heading must not widen the key column above.
        legend = Table.grid(padding=(0, 2))
        legend.add_column(style="bold cyan", no_wrap=True)
        legend.add_column()
        for mark, meaning in marker_legend():
            legend.add_row(Text(mark), Text(meaning))
        with VerticalScroll(classes="dialog help", id="help-box"):
            yield Static(Text(_("tui-desk — keys"), style="bold"), classes="dialog-title")
            yield Static(table)
            if self.legend:
                yield Static(Text(_("Inbox marks"), style="bold underline"))
                yield Static(legend)
            yield Static(Text(_("Esc, q or ? closes this help. Ctrl+P finds any command by name.")), classes="dialog-hint")
        # Its own footer: the main screen's (`r Reply …`) showed under the help, keys that do nothing here.
        yield Footer(compact=True, show_command_palette=False)

    def action_dismiss_help(self) -> None:
        self.dismiss(None)

    def action_scroll(self, delta: int) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        box.scroll_relative(y=delta, animate=False)
