"""The `tui-desk` command line: the app by default, and one subcommand per core action.

Contract: bad input prints one line on stderr and exits 1; never a traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import select
import sqlite3
import sys
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, NoReturn

from .. import __version__
from ..core import sla_tracking
from ..core.actions import ActionKind, PartlyDone, action_name, perform, undo_last, undo_summary
from ..core.config import Config, config_path, load_config, resolve_db_path
from ..core.lifecycle import STATUS_ACTIONS, Change, TicketService, parse_priority
from ..core.names import parse_tag_words, person_name
from ..core.rules import RulesConfig
from ..core.saved_views import SavedView, parse_views
from ..core.sla import SlaPolicies
from ..core.ticket_ids import parse_ticket_id, parse_ticket_ids
from ..domain.clock import humanize_age, parse_when, system_clock, to_epoch
from ..domain.errors import InvalidInput, NotFound, TransitionRefused, TuiDeskError
from ..domain.models import event_label, priority_label, status_label
from ..domain.text import json_text, one_line, printable
from ..i18n import _, choose_language, set_language
from ..store import Store, open_store, queries
from ..store.db import describe_sqlite_error
from ..store.queries import InboxFilter
from . import mail as cli_mail
from . import rules as cli_rules
from . import templates as cli_templates
from .input_text import read_stdin, repair_arguments


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
    parser.add_argument("--db", metavar="PATH", default=default, help=_("the store file (default: your data dir, or $TUI_DESK_DB)"))
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

    ids_help = _("ticket ids: 12 or 12,15,20-25")
    p = command("status", _("resolve, postpone, spam, delete, restore, reopen or set a custom status"))
    p.add_argument("id", help=ids_help)
    p.add_argument("status", help="resolved|postponed|spam|deleted|restore|open|purge|" + _("custom status"))
    p.add_argument("--until", help=_("with postponed: 2h, 3d, 1w, tomorrow or an ISO time"))

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
    p.add_argument("--view", metavar="NAME", help=_("a saved view (see `tui-desk views`); the other options narrow it"))
    p.add_argument("--status", help=_("comma-separated statuses, or 'attention' / 'all'"))
    p.add_argument("--assignee", help=_("agent name, or '-' for unassigned"))
    p.add_argument("--department")
    p.add_argument("--tag")
    p.add_argument("--search", help=_("full-text search in subjects and messages"))
    p.add_argument("--limit", type=_whole(0, MAX_LIST), default=50, help=_("at most this many tickets (default 50)"))
    p.add_argument("--offset", type=_whole(0, MAX_LIST), default=0, help=_("skip this many tickets first"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    p = command("show", _("a ticket with its thread and timeline"))
    p.add_argument("id", help=_("ticket id"))
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
    cli_templates.add_parsers(command, lambda p: _add_common(p, top=False), _Parser)
    return parser


def _bulk(
    service: TicketService,
    kind: str,
    id_text: str,
    apply: Callable[[int], Change | Sequence[Change]],
) -> int:
    """One action over the tickets named: a line per change, a line per refusal on stderr; 1 if any refused."""
    ids = parse_ticket_ids(id_text)
    try:
        outcome = perform(service, kind, ids, apply)
    except PartlyDone as stopped:  # the tickets done before it stopped are named, then the error
        for change in stopped.outcome.changes:
            _print_change(change, service)
        raise
    for change in outcome.changes:
        _print_change(change, service)
    for _ticket_id, reason in outcome.refused:
        print(f"tui-desk: {one_line(str(reason))}", file=sys.stderr)
    if len(ids) > 1:
        print(outcome.summary(), file=sys.stderr if outcome.refused else sys.stdout)
    return 1 if outcome.refused else 0


def _read_body(args: argparse.Namespace) -> str:
    if args.body is not None:
        return args.body
    if sys.stdin is None:
        raise InvalidInput(_("Give the text with --body or on standard input"))
    if sys.stdin.isatty():
        print(_("Type the text, then Ctrl-D:"), file=sys.stderr)
    return read_stdin()


def _actor(args: argparse.Namespace, configured: str | None) -> str:
    """Who acts: the name goes into every event of the timeline, so it follows the name rules."""
    explicit = getattr(args, "agent", None)
    if explicit:
        return person_name(explicit)
    if os.environ.get("TUI_DESK_AGENT"):
        return person_name(os.environ["TUI_DESK_AGENT"])
    if configured:
        return person_name(configured)
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "agent"


def _print_change(change: Change, service: TicketService) -> None:
    if change.from_value != change.to_value and (change.from_value or change.to_value):
        print(
            _("#{id}: {kind}: {old} → {new}").format(
                id=change.ticket_id,
                kind=event_label(change.kind),
                old=_label_value(change.kind, change.from_value, service),
                new=_label_value(change.kind, change.to_value, service),
            )
        )
    else:
        print(_("#{id}: {kind}").format(id=change.ticket_id, kind=event_label(change.kind)))


def _label_value(kind: str, value: str | None, service: TicketService | None = None) -> str:
    if value is None:
        return "-"
    if kind == "priority":
        return priority_label(value)
    if kind in ("assigned", "department", "tagged", "untagged"):
        return one_line(value)
    definition = service.statuses().get(value) if service is not None else None
    return definition.label if definition else status_label(value)


def _list_filter(args: argparse.Namespace, view: SavedView | None = None, actor: str = "") -> InboxFilter:
    """The filter of `list`: a saved view's, if given, with each option given replacing its part."""
    flt = InboxFilter(
        assignee=args.assignee, department=args.department, tag=args.tag, search=args.search
    )
    if view is not None:
        given = {k: getattr(args, k) for k in ("assignee", "department", "tag", "search") if getattr(args, k)}
        flt = view.inbox_filter(actor).with_(**given)
        if not args.status:
            return flt
        flt = flt.with_(view=queries.VIEW_ALL, statuses=())
    if not args.status:
        return flt
    words = [w.strip().lower() for w in args.status.split(",") if w.strip()]
    if words == ["attention"]:
        return flt.with_(view=queries.VIEW_ATTENTION)
    if words == ["all"]:
        return flt
    return flt.with_(view="status", statuses=tuple(words))


def _ticket_json(service: TicketService, ticket_id: int) -> dict[str, Any]:
    ticket = queries.get_ticket(service.store, ticket_id)
    data = asdict(ticket)
    data["tags"] = list(ticket.tags)
    data["needs_attention"] = service.status_def(ticket.status).meaning == "attention"
    sla = sla_tracking.view(data, service.status_def(ticket.status).meaning, service.sla, service.clock())
    data["sla_state"] = sla.state.value
    data["sla_target"] = sla.target
    data["sla_remaining_seconds"] = sla.remaining
    data["sla_first_response_breached"] = sla.first_response_breached
    data["messages"] = [
        {
            "id": m.id,
            "kind": m.kind,
            "author": m.author,
            "at": m.created_at,
            "body": m.body,
            "message_id": m.message_id,
            "in_reply_to": m.in_reply_to,
            "references": m.references,
            "attachments": [asdict(a) for a in m.attachments],
        }
        for m in queries.ticket_messages(service.store, ticket_id)
    ]
    data["events"] = [
        {"at": e.at, "actor": e.actor, "kind": e.kind, "from": e.from_value, "to": e.to_value, "detail": e.detail}
        for e in queries.ticket_events(service.store, ticket_id)
    ]
    return data


def _print_ticket(service: TicketService, ticket_id: int) -> None:
    data = _ticket_json(service, ticket_id)
    print(f"#{data['id']} {one_line(data['subject'])}")
    customer = one_line(data["customer_email"])
    if data["customer_name"]:
        customer = f"{one_line(data['customer_name'])} <{customer}>"
    print(f"  {_('Status')}: {service.status_def(data['status']).label}   {_('Priority')}: {priority_label(data['priority'])}")
    print(f"  {_('Customer')}: {customer}")
    print(f"  {_('Assignee')}: {one_line(data['assignee'] or '-')}   {_('Department')}: {one_line(data['department'] or '-')}")
    if data["tags"]:
        print(f"  {_('Tags')}: {one_line(', '.join(data['tags']))}")
    if data["postponed_until"]:
        print(f"  {_('Postponed until')}: {data['postponed_until']}")
    if data["merged_into"] is not None:
        print("  " + _("Merged into #{id}: its thread and timeline are there").format(id=data["merged_into"]))
    kinds = {"customer": _("Customer"), "reply": _("Reply"), "note": _("Internal note")}
    print()
    for m in data["messages"]:
        print(f"── {one_line(kinds.get(m['kind'], m['kind']))} · {one_line(m['author'])} · {m['at']}")
        for line in printable(m["body"]).splitlines() or [""]:
            print(f"   {line}")
        for a in m["attachments"]:
            print(f"   📎 {one_line(a['filename'])} ({one_line(a['content_type'])}, {a['size']} B)")
        print()
    print(_("Timeline") + ":")
    for e in data["events"]:
        change = ""
        if e["from"] is not None or e["to"] is not None:
            change = f" {_label_value(e['kind'], e['from'], service)} → {_label_value(e['kind'], e['to'], service)}"
        shown = action_name(e["detail"]) if e["kind"] == "undone" and e["detail"] else e["detail"]
        detail = f" ({one_line(shown)})" if shown else ""
        print(f"  {e['at']}  {one_line(e['actor'])}: {event_label(e['kind'])}{change}{detail}")


def _print_list(service: TicketService, rows: Sequence[queries.InboxRow]) -> None:
    now = system_clock()
    for row in rows:
        waited = humanize_age(now.timestamp() - to_epoch(row.waiting_since)) if row.waiting_since else "-"
        marker = "●" if row.needs_attention else " "
        print(
            f"{marker} #{row.id:<6} {priority_label(row.priority):<7} {service.status_def(row.status).label:<10} "
            f"{waited:>4}  {one_line(row.subject, 50):<50}  {one_line(row.customer_email, 30):<30} "
            f"{one_line(row.assignee or '-', 12)}"
        )


def _list_footer(store: Store, flt: InboxFilter, offset: int, shown: int, limit: int) -> None:
    """On stderr, so stdout stays parseable: how many tickets the page left out, or how to get some."""
    if shown == 0 and not store.scalar("SELECT EXISTS (SELECT 1 FROM tickets)"):
        print(_empty_store_hint(), file=sys.stderr)
        return
    if offset == 0 and shown < limit:
        return  # the whole list was shown
    total = queries.inbox_count(store, flt)
    if offset == 0 and shown == total:
        return
    span = f"{offset + 1}-{offset + shown}" if shown else "0"
    print(
        _("Showing {span} of {total} tickets; --limit N / --offset N for more").format(span=span, total=total),
        file=sys.stderr,
    )


def _empty_store_hint() -> str:
    return _(
        "No tickets yet: bring them in with `tui-desk import PATH` (mbox, Maildir, .eml), `tui-desk fetch` (IMAP)"
        " or `tui-desk new`; to look around, `tui-desk --demo`"
    )


def _print_views(service: TicketService, config: Config, as_json: bool) -> None:
    """The saved views, one a line; the entries that were skipped, on stderr."""
    saved = parse_views(config.raw)
    for problem in saved.problems:
        print(f"tui-desk: {_('In {path}: {problem}').format(path=config_path(), problem=problem)}", file=sys.stderr)

    def label(key: str) -> str:
        definition = service.statuses().get(key)
        return definition.label if definition else status_label(key)

    if as_json:
        print(json_text([{"name": v.name, **v.to_table(), "description": v.describe(label)} for v in saved.views]))
        return
    if not saved.views:
        print(_('No saved views: press V in the app, or add [views."NAME"] to {path}').format(path=config_path()))
        return
    width = min(30, max(len(one_line(v.name)) for v in saved.views))
    for v in saved.views:
        print(f"{one_line(v.name, 30):<{width}}  {v.describe(label)}")


def run_command(args: argparse.Namespace, store: Store, actor: str, config: Config | None = None) -> int:
    config = config if config is not None else load_config()
    # The one place commands get their service: with the SLA policies of the config.
    service = TicketService(store, actor=actor, sla=cli_rules.sla_policies(config))
    command = args.command
    if command == "demo":
        from ..demo import fill_demo

        if store.scalar("SELECT EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM customers)"):
            # Fake customers mixed into real ones cannot be told apart afterwards.
            raise InvalidInput(
                _("The store {path} is not empty: demo tickets go into a new store, e.g. `tui-desk demo --db demo.db`").format(
                    path=store.path
                )
            )
        created = fill_demo(store, tickets=args.tickets, seed=args.seed, now=args.now)
        print(_("Added {n} demo tickets to {path}").format(n=created, path=store.path))
    elif command == "new":
        body = _read_body(args)
        ticket_id = service.create_ticket(
            email=args.email,
            name=args.name,
            subject=args.subject,
            body=body,
            priority=args.priority,
            department=args.department,
        )
        print(ticket_id)
    elif command in ("reply", "note", "customer-reply"):
        ticket_id = parse_ticket_ids(args.id)[0] if command != "customer-reply" else parse_ticket_id(args.id)
        queries.get_ticket(store, ticket_id)  # an unknown id fails before we wait on stdin
        body = _read_body(args)
        if command == "reply":
            options = cli_mail.reply_options(config)
            return _bulk(service, ActionKind.REPLY, args.id, lambda i: service.reply(i, body, **options))
        elif command == "note":
            return _bulk(service, ActionKind.NOTE, args.id, lambda i: service.add_note(i, body))
        else:
            _print_change(service.add_customer_message(ticket_id, body), service)
    elif command == "status":
        until = parse_when(args.until, service.clock()) if args.until else None
        word = args.status
        kind = STATUS_ACTIONS.get(word.strip().lower(), ActionKind.STATUS)
        if kind == "purge":  # purging cannot be undone: not an action of the undo log
            code = 0
            for ticket_id in parse_ticket_ids(args.id):
                try:
                    _print_change(service.purge(ticket_id), service)
                except (TransitionRefused, NotFound) as error:
                    print(f"tui-desk: {one_line(str(error))}", file=sys.stderr)
                    code = 1
            return code
        return _bulk(service, kind, args.id, lambda i: service.set_status(i, word, until=until))
    elif command == "assign":
        return _bulk(service, ActionKind.ASSIGN, args.id, lambda i: service.assign(i, args.assignee))
    elif command == "priority":
        priority = parse_priority(args.priority)  # bad input: one message, before any ticket
        return _bulk(service, ActionKind.PRIORITY, args.id, lambda i: service.set_priority(i, priority))
    elif command == "department":
        return _bulk(service, ActionKind.DEPARTMENT, args.id, lambda i: service.set_department(i, args.department))
    elif command == "undo":
        outcome = undo_last(service)
        for change in outcome.changes:
            _print_change(change, service)
        print(undo_summary(outcome))
        return 0
    elif command == "merge":
        source, target = parse_ticket_id(args.source), parse_ticket_id(args.target)
        return _bulk(service, ActionKind.MERGE, str(source), lambda i: service.merge(i, target))
    elif command == "split":
        message = parse_ticket_id(args.message)
        changes = perform(service, ActionKind.SPLIT, [message], lambda _i: service.split(message))
        if changes.refused:
            raise TransitionRefused(changes.refused[0][1])
        new_id = changes.changes[0].ticket_id
        print(_("Message {message} is now ticket #{id}").format(message=message, id=new_id))
        return 0
    elif command == "tag":
        words = list(args.tags)
        if any(w.startswith("--") for w in words):
            raise InvalidInput(_("Put options such as --db before the tags: tui-desk tag --db PATH ID +a -b"))
        edit = parse_tag_words(words)  # the app's parser too: +a adds, -b removes, a bare word adds
        return _bulk(service, ActionKind.TAG, args.id, lambda i: service.tag(i, add=edit.add, remove=edit.remove))
    elif command == "list":
        view = parse_views(config.raw).find(args.view) if args.view else None
        flt = _list_filter(args, view, actor)
        for status in flt.statuses:
            service.status_def(status)
        rows = queries.inbox_page(store, flt, offset=args.offset, limit=args.limit)
        if args.json:
            print(json_text([asdict(r) | {"customer_email": r.customer_email} for r in rows]))
        else:
            _print_list(service, rows)
        _list_footer(store, flt, args.offset, len(rows), args.limit)
    elif command == "show":
        ticket_id = parse_ticket_id(args.id)
        if args.json:
            print(json_text(_ticket_json(service, ticket_id)))
        else:
            _print_ticket(service, ticket_id)
    elif command == "views":
        _print_views(service, config, args.json)
    elif command == "statuses":
        if args.add is not None:  # `--add ""` is a name that breaks the rules, not a listing
            definition = service.define_status(args.add, args.meaning or "")
            print(_("Added status {name} ({key})").format(name=definition.label, key=one_line(definition.key)))
            return 0
        counts = queries.status_counts(store)
        definitions = service.statuses(reload=True).values()
        if args.json:
            print(json_text([
                {"key": d.key, "name": d.name, "meaning": d.meaning.value, "builtin": d.builtin, "count": counts.get(d.key, 0)}
                for d in definitions
            ]))
        else:
            for d in definitions:
                print(f"{one_line(d.key):<20} {d.label:<20} {d.meaning.value:<10} {counts.get(d.key, 0):>8}")
    elif command == "report":
        from ..core.report_text import print_report
        from ..core.reports import build_report

        report = build_report(store, service.sla, since=args.since, until=args.until, by=args.by, now=service.clock())
        if args.json:
            print(json_text(report.to_json()))
        else:
            print_report(report)
    elif command == "wake":
        changes = service.wake_due()
        for change in changes:
            _print_change(change, service)
    elif command == "rules":
        return cli_rules.rules_command(args, service, config)
    elif command in cli_mail.COMMANDS:
        return cli_mail.mail_command(args, service, config)
    elif command == cli_templates.COMMAND:
        return cli_templates.template_command(args, service)
    return 0


def _open_demo(actor: str, sla: SlaPolicies, rules: RulesConfig, notice: str | None = None) -> int:
    """A throw-away store of demo tickets, so a newcomer sees the app full at once."""
    import tempfile

    from ..demo import fill_demo
    from ..ui.app import run_app

    with tempfile.TemporaryDirectory(prefix="tui-desk-demo-") as folder:
        path = os.path.join(folder, "demo.db")
        store = open_store(path)
        fill_demo(store, tickets=1000, seed=1)
        store.close()
        return run_app(path, actor=actor, sla=sla, rules=rules, notice=notice, config_file=config_path())


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # now, where a closed pipe can be handled, not at interpreter exit
        return code
    except KeyboardInterrupt:
        print(_("Interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        return _output_closed()


# What a shell reports for a program that SIGPIPE ended, as `yes | head -1` does.
EXIT_BROKEN_PIPE = 128 + 13


def _output_closed() -> int:
    """The reader of our output went away (`tui-desk list | head -1`): stop quietly, as Unix tools do.

    Python flushes stdout once more at exit; pointed at /dev/null that cannot fail
    and print "Exception ignored ... BrokenPipeError" (the recipe of the signal docs).
    """
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def _stdout_is_closed() -> bool:
    """Whether the reader of stdout is gone: a broken pipe elsewhere (a mail server) is an error to report."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & (select.POLLERR | select.POLLHUP) for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):
        return True  # no real stdout to ask: assume it is the one that broke


def _choose_language(argv: list[str]) -> str | None:
    """Set the language before any text is made (help texts too); the notice for an unknown one.

    --lang wins, then the config's ``language``, then $LANGUAGE, $LC_ALL, $LC_MESSAGES,
    $LANG; English when none names a language with a catalogue.
    """
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    known, _rest = early.parse_known_args(argv)
    try:
        configured = load_config().language
    except TuiDeskError:
        configured = None  # reported, in the chosen language, when the config is read again
    language, unknown = choose_language(known.lang, configured)
    set_language(language)
    if unknown:
        return _("No translation for {lang!r}; using English").format(lang=unknown)
    return None


# Commands that bring tickets, statuses or saved replies in may create the store;
# any other on a store that does not exist is a mistyped path, refused without creating it.
_CREATING_COMMANDS = frozenset({"new", "import", "fetch", "demo"})


def _creates_store(args: argparse.Namespace) -> bool:
    if args.command in _CREATING_COMMANDS:
        return True
    if args.command == "statuses":
        return args.add is not None
    return args.command == cli_templates.COMMAND and args.template_action == "add"


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    notice = _choose_language(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    repair_arguments(args)
    opens_app = args.command is None
    if notice and not opens_app:
        print(notice, file=sys.stderr)
    try:
        config = load_config()
        path = resolve_db_path(args.db)
        if args.command is None and args.demo:
            return _open_demo(
                _actor(args, config.agent), cli_rules.sla_policies(config), cli_rules.rules_config(config), notice
            )
        if args.command is None:
            from ..ui.app import run_app

            return run_app(
                path,
                actor=_actor(args, config.agent),
                sla=cli_rules.sla_policies(config),
                rules=cli_rules.rules_config(config),
                notice=notice,
                mail=cli_mail.settings_of(config),
                config_file=config_path(),
            )
        if args.command == "sla":  # the config file only: no store needed
            return cli_rules.sla_command(args, config)
        if args.command == "rules" and args.rules_action == "show":  # the config only, like sla
            return cli_rules.rules_show(args, config)
        # A broken config is the first thing to fix, whether or not the store is there.
        cli_rules.sla_policies(config)
        if args.command == "rules":
            cli_rules.rules_config(config)
        store = open_store(path, create=_creates_store(args))
        try:
            return run_command(args, store, _actor(args, config.agent), config)
        finally:
            store.close()
    except TuiDeskError as error:
        print(f"tui-desk: {one_line(str(error))}", file=sys.stderr)  # errors quote names and mail
        return 1
    except sqlite3.Error as error:
        print(f"tui-desk: {one_line(describe_sqlite_error(error, str(resolve_db_path(args.db))))}", file=sys.stderr)
        return 1
    except BrokenPipeError as error:
        if _stdout_is_closed():
            raise
        print(f"tui-desk: {one_line(str(error.strerror or error))}", file=sys.stderr)
        return 1
    except OSError as error:
        # "No such file or directory" alone does not say which: name the file, as Unix tools do.
        reason = str(error.strerror or error)
        if error.filename is not None and error.strerror:
            reason = f"{os.fsdecode(error.filename)}: {reason}"
        print(f"tui-desk: {one_line(reason)}", file=sys.stderr)
        return 1
    except (OverflowError, ValueError) as error:
        # Last resort for a number or date out of range (or text not encodable) that no
        # check caught: still one line, never a traceback.
        print("tui-desk: " + _("A value is out of range or not valid: {reason}").format(reason=one_line(str(error))), file=sys.stderr)
        return 1
    except Exception as error:  # noqa: BLE001 - the contract is one line, never a traceback
        if os.environ.get("TUI_DESK_DEBUG"):
            raise
        print("tui-desk: " + _("unexpected error: {reason}").format(reason=one_line(f"{type(error).__name__}: {error}")), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
