"""The ticket subcommands: what each does with the store, and how its answer is printed.

Contract: bad input prints one line on stderr and exits 1; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from ..core import presence, sla_tracking
from ..core.actions import PartlyDone, action_name, undo_last, undo_summary
from ..core.attachment_limit import limit_from_config
from ..core.change_text import change_line, shown_status, value_label
from ..core.config import Config, config_path, load_config
from ..core.lifecycle import STATUS_ACTIONS, Change, TicketService, parse_priority
from ..core.names import parse_tag_words
from ..core.requests import (
    Assign,
    ChangeRequest,
    Merge,
    Note,
    Reply,
    SetDepartment,
    SetPriority,
    SetStatus,
    Split,
    Tag,
    run,
)
from ..core.routing import is_unassigned_view
from ..core.saved_views import SavedView, parse_views
from ..core.signatures import Signatures
from ..core.ticket_ids import parse_ticket_id, parse_ticket_ids
from ..domain.clock import humanize_age, system_clock, to_epoch
from ..domain.errors import InvalidInput, NotFound, TransitionRefused
from ..domain.models import InboxRow, event_label, priority_label
from ..domain.store_location import redact_url
from ..domain.text import json_text, one_line, printable
from ..domain.when import parse_when
from ..i18n import _, ngettext, number, pgettext
from ..store import Store, maintenance, queries
from ..store import recipients as copies
from ..store.queries import InboxFilter
from . import attachments as cli_attachments
from . import customer as cli_customer
from . import desk_copy as cli_copy
from . import mail as cli_mail
from . import outgoing as cli_outgoing
from . import recipients as cli_recipients
from . import routing as cli_routing
from . import rules as cli_rules
from . import templates as cli_templates
from .input_text import read_stdin


def _bulk(service: TicketService, request: ChangeRequest, id_text: str) -> int:
    """One request over the tickets named: a line per change, a line per refusal on stderr; 1 if any refused."""
    ids = parse_ticket_ids(id_text)
    try:
        outcome = run(service, request, ids)
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


def _print_change(change: Change, service: TicketService) -> None:
    print(change_line(change, service.statuses()))


def _read_body(args: argparse.Namespace) -> str:
    if args.body is not None:
        return args.body
    if sys.stdin is None:
        raise InvalidInput(_("Give the text with --body or on standard input"))
    if sys.stdin.isatty():
        print(_("Type the text, then Ctrl-D:"), file=sys.stderr)
    return read_stdin()



def _list_filter(args: argparse.Namespace, view: SavedView | None = None, actor: str = "") -> InboxFilter:
    """The filter of `list`: a saved view's, if given, with each option given replacing its part."""
    if args.priority is not None:  # checked before the store is read: a typo is one line, never an empty list
        args.priority = parse_priority(args.priority).value
    flt = InboxFilter(
        assignee=args.assignee, department=args.department, tag=args.tag, search=args.search, priority=args.priority
    )
    if view is not None:
        keys = ("assignee", "department", "tag", "search", "priority")
        given = {k: getattr(args, k) for k in keys if getattr(args, k)}
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
    data["cc"] = copies.remembered_cc(service.store, ticket_id)
    recipients = copies.thread_recipients(service.store, ticket_id)
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
            "cc": recipients.get(m.id, ([], None))[0],
            "reply_to": recipients.get(m.id, ([], None))[1],
        }
        for m in queries.ticket_messages(service.store, ticket_id)
    ]
    data["events"] = [
        {"at": e.at, "actor": e.actor, "kind": e.kind, "from": e.from_value, "to": e.to_value, "detail": e.detail}
        for e in queries.ticket_events(service.store, ticket_id)
    ]
    data["presence"] = [p.to_json() for p in presence.on_ticket(service.store, ticket_id, service.clock)]
    return data


def _print_who(service: TicketService, as_json: bool) -> None:
    found = presence.everyone(service.store, service.clock)
    if as_json:
        print(json_text([{"ticket_id": p.ticket_id, **p.to_json()} for p in found]))
        return
    if not found:
        print(_("Nobody is on a ticket now"))
        return
    doing = {presence.Doing.VIEWING: _("viewing"), presence.Doing.REPLYING: _("replying")}
    now = service.clock()
    for p in found:
        try:
            subject = one_line(queries.get_ticket(service.store, p.ticket_id).subject, 50)
        except NotFound:
            subject = ""
        age = humanize_age(now.timestamp() - to_epoch(p.since))
        print(f"{one_line(p.agent, 20):<20} {doing[p.doing]:<9} #{p.ticket_id} {subject}  ({_('for {age}').format(age=age)})")


def _print_ticket(service: TicketService, ticket_id: int) -> None:
    data = _ticket_json(service, ticket_id)
    print(f"#{data['id']} {one_line(data['subject'])}")
    customer = one_line(data["customer_email"])
    if data["customer_name"]:
        customer = f"{one_line(data['customer_name'])} <{customer}>"
    print(f"  {_('Status')}: {service.status_def(data['status']).label}   {_('Priority')}: {priority_label(data['priority'])}")
    print(f"  {_('Customer')}: {customer}")
    if data["cc"]:
        print(f"  {cli_recipients.cc_line(data['cc'])}")
    print(f"  {_('Assignee')}: {one_line(data['assignee'] or '-')}   {_('Department')}: {one_line(data['department'] or '-')}")
    if data["tags"]:
        print(f"  {_('Tags')}: {one_line(', '.join(data['tags']))}")
    if data["postponed_until"]:
        print(f"  {_('Postponed until')}: {data['postponed_until']}")
    if data["merged_into"] is not None:
        print("  " + _("Merged into #{id}: its thread and timeline are there").format(id=data["merged_into"]))
    others = presence.on_ticket(service.store, ticket_id, service.clock)
    if others:
        print("  " + presence.describe(others))
    kinds = {"customer": _("Customer"), "reply": pgettext("message", "Reply"), "note": _("Internal note")}
    print()
    for m in data["messages"]:
        print(f"── {one_line(kinds.get(m['kind'], m['kind']))} · {one_line(m['author'])} · {m['at']}")
        if m["cc"]:
            print(f"   {cli_recipients.cc_line(m['cc'])}")
        if m["reply_to"]:  # the agent's answer goes there, not to the author: say so
            print(f"   {cli_recipients.reply_to_line(m['reply_to'])}")
        for line in printable(m["body"]).splitlines() or [""]:
            print(f"   {line}")
        for a in m["attachments"]:
            print(f"   📎 {one_line(a['filename'])} ({one_line(a['content_type'])}, {a['size']} B)")
        print()
    print(_("Timeline") + ":")
    for e in data["events"]:
        change = ""
        if e["from"] is not None or e["to"] is not None:
            statuses = service.statuses()
            change = f" {value_label(e['kind'], e['from'], statuses)} → {value_label(e['kind'], e['to'], statuses)}"
        shown = action_name(e["detail"]) if e["kind"] == "undone" and e["detail"] else e["detail"]
        detail = f" ({one_line(shown)})" if shown else ""
        print(f"  {e['at']}  {one_line(e['actor'])}: {event_label(e['kind'])}{change}{detail}")


def _print_list(service: TicketService, rows: Sequence[InboxRow]) -> None:
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
    if shown == 0 and not maintenance.has_tickets(store):
        print(_empty_store_hint(), file=sys.stderr)
        return
    if offset == 0 and shown < limit:
        return  # the whole list was shown
    total = queries.inbox_count(store, flt)
    if offset == 0 and shown == total:
        return
    span = f"{offset + 1}-{offset + shown}" if shown else "0"
    print(
        ngettext(
            "Showing {span} of {n} ticket; --limit N / --offset N for more",
            "Showing {span} of {n} tickets; --limit N / --offset N for more",
            total,
        ).format(span=span, n=number(total)),
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
        return shown_status(key, service.statuses())

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
    service.attachment_limit = limit_from_config(config.raw)
    command = args.command
    # New tickets are routed (issue 18); other commands do not compile the rules' patterns.
    routing = cli_routing.routing_for(service, config, command) if command in cli_routing.ROUTING else None
    if command == "demo":
        from ..demo import fill_demo

        if maintenance.has_tickets_or_customers(store):
            raise InvalidInput(
                _("The store {path} is not empty: demo tickets go into a new store, e.g. `tui-desk demo --db demo.db`").format(
                    path=redact_url(store.path)
                )
            )
        created = fill_demo(store, tickets=args.tickets, seed=args.seed, now=args.now)
        print(ngettext("Added {n} demo ticket to {path}", "Added {n} demo tickets to {path}", created).format(n=number(created), path=redact_url(store.path)))
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
        # Every file checked and read before the text is waited for and anything is written.
        files = tuple(cli_outgoing.read_files(getattr(args, "attach", None) or (), service.attachment_limit))
        body = _read_body(args)
        if command == "reply":
            options = cli_mail.reply_options(config) | ({"attachments": files} if files else {})
            signing = Signatures.from_config(config.raw) if getattr(args, "signature", False) else None
            if signing is not None and not signing:
                raise InvalidInput(_("--signature: no signature is set; add [signature] text = \"...\" to the config file"))
            cc = cli_recipients.chosen_cc(args, config)
            if cc is not None:
                options["cc"] = cc
            return _bulk(service, Reply(body, options, signing), args.id)
        elif command == "note":
            return _bulk(service, Note(body, files), args.id)
        else:
            _print_change(service.add_customer_message(ticket_id, body), service)
    elif command == "status":
        until = parse_when(args.until, service.clock()) if args.until else None
        word = args.status
        if STATUS_ACTIONS.get(word.strip().lower()) == "purge":  # purging cannot be undone: not an action of the undo log
            code = 0
            for ticket_id in parse_ticket_ids(args.id):
                try:
                    _print_change(service.purge(ticket_id), service)
                except (TransitionRefused, NotFound) as error:
                    print(f"tui-desk: {one_line(str(error))}", file=sys.stderr)
                    code = 1
            return code
        return _bulk(service, SetStatus(word, until), args.id)
    elif command == "assign":
        return _bulk(service, Assign(args.assignee), args.id)
    elif command == "priority":
        priority = parse_priority(args.priority)  # bad input: one message, before any ticket
        return _bulk(service, SetPriority(priority), args.id)
    elif command == "department":
        return _bulk(service, SetDepartment(args.department), args.id)
    elif command == "undo":
        outcome = undo_last(service)
        for change in outcome.changes:
            _print_change(change, service)
        print(undo_summary(outcome))
        return 0
    elif command == "merge":
        source, target = parse_ticket_id(args.source), parse_ticket_id(args.target)
        return _bulk(service, Merge(target), str(source))
    elif command == "split":
        message = parse_ticket_id(args.message)
        outcome = run(service, Split(message), [message])
        if outcome.refused:
            raise TransitionRefused(outcome.refused[0][1])
        new_id = outcome.changes[0].ticket_id
        print(_("Message {message} is now ticket #{id}").format(message=message, id=new_id))
        return 0
    elif command == "tag":
        words = list(args.tags)
        if any(w.startswith("--") for w in words):
            raise InvalidInput(_("Put options such as --db before the tags: tui-desk tag --db PATH ID +a -b"))
        edit = parse_tag_words(words)  # the app's parser too: +a adds, -b removes, a bare word adds
        return _bulk(service, Tag(edit), args.id)
    elif command == "list":
        saved = parse_views(config.raw)
        if args.view and saved.get(args.view) is None and is_unassigned_view(args.view):
            flt = _list_filter(args).with_(assignee="-")  # the built-in view (issue 18); a saved one of that name wins
            flt = flt if args.status else flt.with_(view=queries.VIEW_ATTENTION)
        else:
            flt = _list_filter(args, saved.find(args.view) if args.view else None, actor)
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
    elif command == cli_outgoing.COMMAND:
        return cli_outgoing.forward_command(args, service, config)
    elif command == cli_customer.COMMAND:
        return cli_customer.customer_command(args, service)
    elif command == "who":
        _print_who(service, args.json)
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
    elif command == cli_routing.ROUTE and routing is not None:
        return cli_routing.route_command(args, service, routing)
    elif command == cli_routing.AGENT and routing is not None:
        return cli_routing.agent_command(args, service, routing)
    elif command in cli_mail.COMMANDS:
        return cli_mail.mail_command(args, service, config)
    elif command == cli_templates.COMMAND:
        return cli_templates.template_command(args, service)
    elif command == cli_copy.COMMAND:
        return cli_copy.copy_command(args, store)
    elif command == cli_attachments.COMMAND:
        return cli_attachments.attachment_command(args, store)
    return 0

