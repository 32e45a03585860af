"""The customer's other tickets, under the thread (issue 15 item 8, docs/issue15/reading.md).

A short list: status, last change and subject of each; Enter goes to the one highlighted.
Every subject and status comes from the store (a subject from mail), so each row is a Rich
Text of `one_line` output: never read as markup, escape characters shown, not obeyed.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ...core.customers import CustomerHistory
from ...domain.text import one_line
from ...i18n import _, ngettext, number

SHOWN = 200  # a customer with thousands of tickets: the newest are what an agent looks back on


class CustomerHistoryList(OptionList):
    DEFAULT_CSS = """
    CustomerHistoryList, CustomerHistoryList:focus {
        height: 7;  /* fixed: a list that loads never moves the thread above it */
        border: none;
        border-top: solid $primary 40%;
        padding: 0 1;
        background: $surface;
    }
    CustomerHistoryList:focus { border-top: solid $accent; }
    """

    def show_history(self, history: CustomerHistory | None, current: int, status_label: Callable[[str], str]) -> None:
        """The customer's tickets other than `current`, newest first; None: no customer found."""
        self.clear_options()
        others = [t for t in (history.tickets if history else ()) if t.id != current]
        name = one_line((history.name or history.email) if history else "", 40)
        # Content, not a str: a border title string is markup, and the name is the sender's.
        self.border_title = Content(_("Other tickets of {customer}: {n}").format(customer=name, n=len(others)) if history else "")
        if not others:
            self.add_option(Option(Text(_("No other tickets"), style="dim"), disabled=True))
            return
        shown = others[:SHOWN]
        labels = {t.status: one_line(status_label(t.status), 16) for t in shown}
        id_width = max(len(str(t.id)) for t in shown) + 1
        label_width = max(cell_len(label) for label in labels.values())
        self.add_options(
            Option(
                Text.assemble(
                    (f"#{t.id}".ljust(id_width), "bold"),
                    "  ",
                    labels[t.status] + " " * (label_width - cell_len(labels[t.status])),
                    "  ",
                    (t.updated_at[:10], "dim"),
                    "  ",
                    one_line(t.subject, 80),
                ),
                id=str(t.id),
            )
            for t in shown
        )
        self.highlighted = 0
        if len(others) > SHOWN:
            more = len(others) - SHOWN
            self.add_option(Option(Text(ngettext(
            "… {n} older ticket: tui-desk customer EMAIL lists them all", "… {n} older tickets: tui-desk customer EMAIL lists them all", more
        ).format(n=number(more)), style="dim"), disabled=True))

    def clear_history(self) -> None:
        self.clear_options()
        self.border_title = ""
