"""`tui-desk customer EMAIL [--json]`: the customer's history, as the agent asks "who is this?"."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..core.change_text import shown_status
from ..core.customers import customer_history
from ..core.lifecycle import TicketService
from ..domain.text import json_text, one_line
from ..i18n import _

COMMAND = "customer"


def add_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command(COMMAND, _("a customer's name, ticket counts by status and tickets, newest first"))
    p.add_argument("email", help=_("the customer's e-mail address (case does not matter)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def customer_command(args: argparse.Namespace, service: TicketService) -> int:
    history = customer_history(service.store, args.email)
    statuses = service.statuses()
    if args.json:
        print(json_text(history.to_json(statuses)))
        return 0
    # Names and subjects come from mail: one_line shows their control characters, never runs them.
    who = one_line(history.email)
    if history.name:
        who = f"{one_line(history.name)} <{who}>"
    print(who)
    counts = ", ".join(f"{shown_status(key, statuses)} {n}" for key, n in history.counts(statuses).items())
    print("  " + _("Tickets: {n}").format(n=len(history.tickets)) + (f" ({counts})" if counts else ""))
    if not history.tickets:
        return 0
    print()
    status, created, updated, subject = _("Status"), _("Created"), _("Updated"), _("Subject")  # outside the f-string, where Babel finds them
    print(f"  {'#':<7} {status:<12} {created:<10}  {updated:<10}  {subject}")
    for t in history.tickets:
        print(
            f"  #{t.id:<6} {one_line(shown_status(t.status, statuses), 12):<12} "
            f"{t.created_at[:10]:<10}  {t.updated_at[:10]:<10}  {one_line(t.subject, 60)}"
        )
    return 0
