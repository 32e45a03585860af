"""The `tui-desk` argument parser: every subcommand, its options and their checks.

Contract: a usage mistake is one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import NoReturn

from .. import __version__
from ..domain.clock import system_clock
from ..domain.errors import InvalidInput
from ..domain.when import parse_when
from ..i18n import _
from . import attachments as cli_attachments
from . import customer as cli_customer
from . import desk_copy as cli_copy
from . import mail as cli_mail
from . import outgoing as cli_outgoing
from . import recipients as cli_recipients
from . import routing as cli_routing
from . import rules as cli_rules
from . import templates as cli_templates


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage mistakes as one line and exit status 1."""

    def error(self, message: str) -> NoReturn:
        error, hint = _("error"), _("see --help")  # outside the f-string, where Babel finds them
        self.exit(1, f"{self.prog}: {error}: {message} ({hint})\n")


def _whole(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from low to high; anything else is one line naming the value.

    Unbounded, a huge --limit reaches SQLite as an OverflowError and a huge
    --tickets runs until memory is gone.
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None  # not a number, or too many digits for int()
        if value is None or not low <= value <= high:
            shown = text if len(text) <= 30 else text[:27] + "..."
            raise argparse.ArgumentTypeError(
                _("{value!r} is not a whole number from {low} to {high}").format(value=shown, low=low, high=high)
            )
        return value

    return parse


def _moment(text: str) -> datetime:
    """An argparse type: a time as parse_when reads it, checked before any store is opened."""
    try:
        return parse_when(text, system_clock())
    except InvalidInput as error:
        raise argparse.ArgumentTypeError(str(error)) from None


MAX_LIST = 1_000_000_000
MAX_DEMO_TICKETS = 1_000_000
_SEED = _whole(-(2**63), 2**63 - 1)


def _add_common(parser: argparse.ArgumentParser, top: bool) -> None:
    default = None if top else argparse.SUPPRESS
    parser.add_argument("--db", metavar="STORE", default=default, help=_("the store: a file or a postgresql:// URL (default: your data dir, or $TUI_DESK_DB)"))
    parser.add_argument("--as", dest="agent", metavar="AGENT", default=default, help=_("who is acting (default: $TUI_DESK_AGENT or your user name)"))
    parser.add_argument("--lang", metavar="LANG", default=default, help=_("language for this run, e.g. hr"))


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tui-desk", description=_("A keyboard-first help desk in your terminal."))
    parser.add_argument("--version", action="version", version=f"tui-desk {__version__}")
    parser.add_argument("--demo", action="store_true", help=_("open the app on a fresh store of demo tickets"))
    _add_common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _add_common(p, top=False)
        return p

    p = command("demo", _("fill the store with realistic sample data"))
    p.add_argument("--tickets", type=_whole(0, MAX_DEMO_TICKETS), default=1000, help=_("how many tickets (default 1000)"))
    p.add_argument("--seed", type=_SEED, default=1, help=_("random seed (same seed, same data)"))
    p.add_argument("--now", metavar="ISO", type=_moment, help=_("pretend it is this time, e.g. 2026-03-02T09:00Z (same seed and time, same data)"))

    p = command("new", _("open a ticket for a customer request"))
    p.add_argument("--email", required=True, help=_("the customer's e-mail address"))
    p.add_argument("--name", help=_("the customer's name"))
    p.add_argument("--subject", required=True)
    p.add_argument("--priority", default="normal", help="low|normal|high|urgent")
    p.add_argument("--department")
    p.add_argument("--body", help=_("the message (default: read from stdin)"))

    for name, help_text in (
        ("reply", _("answer the customer")),
        ("note", _("add an internal note (never sent)")),
        ("customer-reply", _("add a message from the customer")),
    ):
        p = command(name, help_text)
        p.add_argument("id", help=_("ticket id"))
        p.add_argument("--body", help=_("the text (default: read from stdin)"))
        if name != "customer-reply":
            cli_outgoing.add_attach_option(p)
        if name == "reply":
            cli_recipients.add_options(p)
        if name == "reply":
            p.add_argument(
                "--signature",
                action="store_true",
                help=_("put your signature (or the ticket's mailbox's) under the text; without it the text goes as given"),
            )

    ids_help = _("ticket ids: 12 or 12,15,20-25")
    p = command("status", _("resolve, postpone, spam, delete, restore, reopen or set a custom status"))
    p.add_argument("id", help=ids_help)
    p.add_argument("status", help="resolved|postponed|spam|deleted|restore|open|purge|" + _("custom status"))
    p.add_argument("--until", help=_("with postponed: 2h, 1h30min, 3d, 1mo, fri 14:00, tomorrow 10:00 or an ISO time"))

    p = command("assign", _("assign a ticket to an agent ('-' unassigns)"))
    p.add_argument("id", help=ids_help)
    p.add_argument("assignee", metavar="agent")  # not dest "agent": that is --as, the actor

    p = command("priority", _("set a ticket's priority"))
    p.add_argument("id", help=ids_help)
    p.add_argument("priority", help="low|normal|high|urgent")

    p = command("department", _("move a ticket to a department ('-' for none)"))
    p.add_argument("id", help=ids_help)
    p.add_argument("department")

    p = command("tag", _("add (+name, or a bare name) and remove (-name) tags"))
    p.add_argument("id", help=ids_help)
    p.add_argument("tags", nargs=argparse.REMAINDER, help="+name -name name ...")

    p = command("undo", _("take back your last action (bulk ones included) if nothing changed those tickets since"))

    p = command("merge", _("merge a ticket into another: its thread, timeline and tags move; it stays as a pointer"))
    p.add_argument("source", help=_("the ticket that goes away"))
    p.add_argument("target", help=_("the ticket that stays"))

    p = command("split", _("move a customer's message into a new ticket of its own"))
    p.add_argument("message", help=_("message id (see `show --json`)"))

    p = command("list", _("tickets in inbox order"))
    p.add_argument("--view", metavar="NAME", help=_("a saved view (see `tui-desk views`), or unassigned (needing attention, no agent); the other options narrow it"))
    p.add_argument("--status", help=_("comma-separated statuses, or 'attention' / 'all'"))
    p.add_argument("--assignee", help=_("agent name, or '-' for unassigned"))
    p.add_argument("--department")
    p.add_argument("--tag")
    p.add_argument("--priority", help="low|normal|high|urgent")
    p.add_argument("--search", help=_("full-text search in subjects and messages"))
    p.add_argument("--limit", type=_whole(0, MAX_LIST), default=50, help=_("at most this many tickets (default 50)"))
    p.add_argument("--offset", type=_whole(0, MAX_LIST), default=0, help=_("skip this many tickets first"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("show", _("a ticket with its thread and timeline"))
    p.add_argument("id", help=_("ticket id"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    cli_customer.add_parser(command)
    cli_outgoing.add_parser(command)

    p = command("who", _("who is on which ticket now: viewing it or replying to it"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("views", _("list the saved views of the config file"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("statuses", _("list statuses, or add a custom one"))
    p.add_argument("--add", metavar="NAME", help=_("name of a new custom status"))
    p.add_argument("--meaning", help="attention|waiting|done|hold")
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("report", _("figures for a period: backlog, new tickets, response and resolution times, SLAs, tags"))
    p.add_argument("--since", metavar="D", help=_("first day: a date (2026-11-01) or days / weeks back (30d, 4w); default: the last 30 days"))
    p.add_argument("--until", metavar="D", help=_("last day, included: a date or days / weeks back (7d); default: today"))
    p.add_argument("--by", metavar="agent|department|tag|priority", help=_("the key figures per agent, department, tag or priority"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("wake", _("bring back postponed tickets whose time has passed"))

    cli_rules.add_parsers(command, lambda p: _add_common(p, top=False), _Parser)
    cli_mail.add_parsers(command)
    cli_routing.add_parsers(command)
    cli_copy.add_parser(command)
    cli_attachments.add_parsers(command, lambda p: _add_common(p, top=False), _Parser)
    cli_templates.add_parsers(command, lambda p: _add_common(p, top=False), _Parser)
    return parser
