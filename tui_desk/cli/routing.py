"""`tui-desk route [--dry-run] [IDS]` and `tui-desk agent away|back|list` (issue 18, docs/issue18/routing.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..core.config import Config, config_path
from ..core.lifecycle import TicketService
from ..core.routing import (
    DryRun,
    Routed,
    Routing,
    agent_away,
    agents_away,
    attach,
    route_ticket,
    routing_actor,
    routing_from_config,
    tickets_to_route,
)
from ..core.ticket_ids import parse_ticket_ids
from ..domain.clock import from_text
from ..domain.errors import NotFound
from ..domain.models import priority_label
from ..domain.text import one_line
from ..i18n import _, ngettext, number

ROUTE = "route"
AGENT = "agent"
COMMANDS = frozenset({ROUTE, AGENT})
# Commands that create tickets: they route them, and say which rules did not load.
CREATING = frozenset({"new", "fetch", "import", ROUTE})
# Commands that need the rules read: no other command pays for compiling their patterns.
ROUTING = CREATING | COMMANDS


def add_parsers(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    p = command(ROUTE, _("run the [[routing]] rules of the config over existing tickets"))
    p.add_argument("ids", nargs="?", help=_("ticket ids (12,15,20-25); default: every ticket needing attention"))
    p.add_argument("--dry-run", action="store_true", help=_("change nothing; print what would change"))
    p = command(AGENT, _("mark an agent away (routing skips them) or back, or list the agents"))
    p.add_argument("agent_action", choices=["away", "back", "list"], help="away | back | list")
    p.add_argument("name", nargs="?", help=_("the agent's name"))


def routing_for(service: TicketService, config: Config, command: str | None) -> Routing:
    """Read the rules and route the tickets the service creates; bad rules are one line each on stderr."""
    routing = routing_from_config(config.raw)
    if command in CREATING:
        for problem in routing.problems:
            print(f"tui-desk: {one_line(_('In {path}: {problem}').format(path=config_path(), problem=problem))}", file=sys.stderr)
    attach(service, routing)
    return routing


def _value(change: Routed) -> tuple[str, str]:
    if change.field == "priority":
        return (priority_label(change.from_value) if change.from_value else "–"), priority_label(change.to_value)
    if change.field == "tag":
        return "–", "+" + change.to_value
    return change.from_value or "–", change.to_value


def _field(name: str) -> str:
    labels = {"department": _("department"), "priority": _("priority"), "tag": _("tag"), "assignee": _("assignee")}
    return labels[name]


def route_command(args: argparse.Namespace, service: TicketService, routing: Routing) -> int:
    if not routing.rules:
        print(_("No routing rules: add [[routing]] tables to {path}").format(path=config_path()))
        return 0
    ids = tickets_to_route(service, parse_ticket_ids(args.ids) if args.ids else None)
    changed = 0
    failed = False
    plan = DryRun()  # a dry run's turns and loads, moving on as a real run's would
    for ticket_id in ids:
        try:
            done = route_ticket(service, routing, ticket_id, dry_run=args.dry_run, plan=plan)
        except NotFound as error:
            print(f"tui-desk: {error}", file=sys.stderr)
            failed = True
            continue
        changed += bool(done)
        for change in done:
            old, new = _value(change)
            # Rule names, departments and agents come from the config: shown on one line, never run.
            print(one_line(_("#{id} {field}: {old} → {new} ({actor})").format(
                id=change.ticket_id, field=_field(change.field), old=old, new=new, actor=routing_actor(change.rule)
            )))
    if args.dry_run:
        print(ngettext("Dry run: {n} ticket would change; nothing was changed",
                       "Dry run: {n} tickets would change; nothing was changed", changed).format(n=number(changed)))
    else:
        print(ngettext("{n} ticket routed", "{n} tickets routed", changed).format(n=number(changed)))
    return 1 if failed else 0


def _local(stored: str) -> str:
    """A stored UTC time in the agent's local time zone (the store keeps UTC)."""
    return from_text(stored).astimezone().strftime("%Y-%m-%d %H:%M")


def agent_command(args: argparse.Namespace, service: TicketService, routing: Routing) -> int:
    if args.agent_action == "list":
        away = {name.casefold(): (name, since) for name, since in agents_away(service)}
        names: dict[str, list[str]] = {}
        for department, agents in routing.departments.values():
            for agent in agents:
                names.setdefault(agent, []).append(department)
        for name, _since in away.values():
            if not any(n.casefold() == name.casefold() for n in names):
                names[name] = []
        for name, departments in sorted(names.items(), key=lambda item: item[0].casefold()):
            mark = away.get(name.casefold())
            state = _("away since {time}").format(time=_local(mark[1])) if mark else _("present")
            # Names come from the config and the store: each shown on one line, never run.
            print(f"{one_line(name, 20):<20} {state:<24} {one_line(', '.join(departments))}".rstrip())
        if not names:
            print(_("No agents: list them under [departments.NAME] agents = [...] in {path}").format(path=config_path()))
        return 0
    if not args.name:
        print(f"tui-desk: {_('Name the agent: tui-desk agent {action} NAME').format(action=args.agent_action)}", file=sys.stderr)
        return 1
    if args.agent_action == "away" and not routing.knows_agent(args.name):
        # A typo ("alcie") marked nobody away and left alice taking tickets; `back` stays open for any name.
        problem = _("{name} is not an agent: list them under [departments.NAME] agents = [...] in {path}")
        print(f"tui-desk: {one_line(problem.format(name=args.name.strip(), path=config_path()))}", file=sys.stderr)
        return 1
    changed = agent_away(service, args.name, args.agent_action == "away")
    shown = one_line(args.name.strip())
    if args.agent_action == "away":
        text = _("{name} is away: routing skips them") if changed else _("{name} was already away")
    else:
        text = _("{name} is back") if changed else _("{name} was not away")
    print(text.format(name=shown))
    return 0
