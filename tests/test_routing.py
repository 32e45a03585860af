"""Routing rules and automatic assignment (issue 18, docs/issue18/routing.md), on both backends.

Rules match a new ticket's subject, body, sender and mailbox, run in order until one says stop,
and change the ticket through the status-transition service as `routing: <rule>`: the changes
are in the timeline and undone like any action. Round-robin skips agents marked away, and its
turn is kept in the store.
"""

from __future__ import annotations

import pytest
from support import mail

from tui_desk.core.actions import undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.routing import Routing, agent_away, attach, route_ticket, routing_from_config
from tui_desk.mail.importer import Importer
from tui_desk.store import queries

pytestmark = pytest.mark.both_backends

BILLING = {
    "name": "billing words",
    "match": {"subject": "invoice|refund|charge", "body": "IBAN"},
    "department": "Billing",
    "priority": "high",
    "tags": ["billing"],
    "assign": "round-robin",
    "stop": True,
}
DEPARTMENTS = {"Billing": {"agents": ["alice", "bob", "carol"]}}


def routed(service: TicketService, rules: list[dict], departments: dict | None = None) -> Routing:
    routing = routing_from_config({"routing": rules, "departments": departments or DEPARTMENTS})
    attach(service, routing)
    return routing


def new(service: TicketService, subject: str = "Hello", body: str = "Hi", email: str = "dan@example.com") -> int:
    return service.create_ticket(email=email, subject=subject, body=body)


def timeline(service: TicketService, ticket_id: int) -> list[tuple[str, str, str | None]]:
    return [(e.actor, e.kind, e.to_value) for e in queries.ticket_events(service.store, ticket_id)]


def test_a_matching_rule_sets_department_priority_tags_and_agent_as_routing(service: TicketService) -> None:
    routed(service, [BILLING])
    ticket_id = new(service, "Question about my INVOICE", "my iban is DE00")  # case-insensitive
    ticket = queries.get_ticket(service.store, ticket_id)
    assert (ticket.department, ticket.priority, ticket.tags, ticket.assignee) == ("Billing", "high", ("billing",), "alice")
    events = timeline(service, ticket_id)
    assert events[0][1] == "created"
    assert set(events[1:]) == {
        ("routing: billing words", "department", "Billing"),
        ("routing: billing words", "priority", "high"),
        ("routing: billing words", "tagged", "billing"),
        ("routing: billing words", "assigned", "alice"),
    }


def test_every_pattern_of_a_rule_must_match(service: TicketService) -> None:
    routed(service, [BILLING])
    subject_only = new(service, "refund", "no bank details here")
    body_only = new(service, "Hello", "IBAN DE00")
    for ticket_id in (subject_only, body_only):
        ticket = queries.get_ticket(service.store, ticket_id)
        assert (ticket.department, ticket.priority, ticket.assignee) == (None, "normal", None)


def test_sender_pattern(service: TicketService) -> None:
    routed(service, [{"name": "vip", "match": {"from": r"@bigcustomer\.com$"}, "priority": "urgent"}])
    vip = new(service, email="Boss@BigCustomer.com")
    other = new(service, email="someone@bigcustomer.com.evil.example")
    assert queries.get_ticket(service.store, vip).priority == "urgent"
    assert queries.get_ticket(service.store, other).priority == "normal"


def test_mailbox_pattern_sees_the_account_mail_came_in_through(service: TicketService) -> None:
    routed(service, [{"name": "billing box", "match": {"mailbox": "billing"}, "tags": ["via-billing"]}])
    raw = mail("dan@example.com", "Hello", "Hi", "<m1@example.com>")
    Importer(service, ["help@desk.example"], mailbox=["Billing <billing@desk.example>", "INBOX"]).run([("b:1", raw, None)])
    raw2 = mail("erin@example.com", "Hello", "Hi", "<m2@example.com>")
    Importer(service, ["help@desk.example"], mailbox=["Sales <sales@desk.example>", "INBOX"]).run([("s:1", raw2, None)])
    tagged = {t.customer_email: t.tags for t in (queries.get_ticket(service.store, i) for i in (1, 2))}
    assert tagged == {"dan@example.com": ("via-billing",), "erin@example.com": ()}
    # A ticket made on the command line came through no mailbox: the rule does not match it.
    assert queries.get_ticket(service.store, new(service)).tags == ()


def test_rules_run_in_order_and_stop_ends_them(service: TicketService) -> None:
    rules = [
        {"name": "first", "match": {"subject": "printer"}, "department": "IT", "tags": ["hardware"]},
        {"name": "second", "match": {"subject": "printer"}, "priority": "low", "stop": True},
        {"name": "third", "tags": ["never"]},  # no match table: every ticket, unless a rule stopped
    ]
    routed(service, rules)
    printer = new(service, "Printer jammed")
    other = new(service, "Password reset")
    p = queries.get_ticket(service.store, printer)
    assert (p.department, p.priority, p.tags) == ("IT", "low", ("hardware",))
    assert queries.get_ticket(service.store, other).tags == ("never",)
    assert [actor for actor, kind, _v in timeline(service, printer) if kind != "created"] == [
        "routing: first", "routing: first", "routing: second"
    ]


def test_a_broken_rule_is_named_and_the_others_load(service: TicketService) -> None:
    rules = [
        {"name": "bad regex", "match": {"subject": "(unclosed"}},
        {"name": "bad key", "match": {"subject": "x"}, "colour": "red"},
        {"name": "bad match key", "match": {"sender": "x"}},
        {"name": "bad priority", "priority": "asap"},
        {"name": "bad mode", "assign": "round_robin"},
        {"name": "good", "tags": ["seen"]},
    ]
    routing = routed(service, rules)
    assert [r.name for r in routing.rules] == ["good"]
    assert len(routing.problems) == 5
    for name, problem in zip(["bad regex", "bad key", "bad match key", "bad priority", "bad mode"], routing.problems, strict=True):
        assert repr(name) in problem and "\n" not in problem
    assert queries.get_ticket(service.store, new(service)).tags == ("seen",)


def test_route_dry_run_changes_nothing_then_route_changes_and_undo_takes_it_back(service: TicketService) -> None:
    ticket_id = new(service, "refund", "IBAN")  # before any rule: not routed
    before = queries.get_ticket(service.store, ticket_id)
    routing = routed(service, [BILLING])
    would = route_ticket(service, routing, ticket_id, dry_run=True)
    assert {(c.field, c.to_value) for c in would} == {
        ("department", "Billing"), ("priority", "high"), ("tag", "billing"), ("assignee", "alice")
    }
    assert queries.get_ticket(service.store, ticket_id) == before
    assert route_ticket(service, routing, ticket_id, dry_run=True) == would  # the turn did not move
    done = route_ticket(service, routing, ticket_id)
    assert done == would
    assert queries.get_ticket(service.store, ticket_id).assignee == "alice"
    assert route_ticket(service, routing, ticket_id) == []  # already so: nothing more
    undo_last(service, "routing: billing words")
    after = queries.get_ticket(service.store, ticket_id)
    assert (after.department, after.priority, after.tags, after.assignee) == (None, "normal", (), None)


def test_routing_never_takes_a_ticket_from_its_agent(service: TicketService) -> None:
    ticket_id = new(service, "refund", "IBAN")
    service.assign(ticket_id, "zoe")
    routing = routed(service, [BILLING])
    assert {c.field for c in route_ticket(service, routing, ticket_id)} == {"department", "priority", "tag"}
    assert queries.get_ticket(service.store, ticket_id).assignee == "zoe"
    service.assign(ticket_id, "bob")  # a claim: anyone reassigns it
    assert queries.get_ticket(service.store, ticket_id).assignee == "bob"


def test_round_robin_over_three_agents_with_one_away(service: TicketService) -> None:
    routed(service, [BILLING])
    assert agent_away(service, "Bob", away=True)
    assert not agent_away(service, "bob", away=True)
    agents = [queries.get_ticket(service.store, new(service, "refund", "IBAN")).assignee for _n in range(5)]
    assert agents == ["alice", "carol", "alice", "carol", "alice"]
    agent_away(service, "bob", away=False)
    agents = [queries.get_ticket(service.store, new(service, "refund", "IBAN")).assignee for _n in range(3)]
    assert agents == ["bob", "carol", "alice"]


def test_round_robin_turn_is_kept_in_the_store(service: TicketService, store, clock) -> None:
    routed(service, [BILLING])
    new(service, "refund", "IBAN")
    other = TicketService(store, clock=clock, actor="someone")  # another process's service
    attach(other, routing_from_config({"routing": [BILLING], "departments": DEPARTMENTS}))
    assert queries.get_ticket(store, new(other, "refund", "IBAN")).assignee == "bob"


def test_least_loaded_picks_the_agent_with_fewest_attention_tickets(service: TicketService) -> None:
    for agent, n in (("alice", 3), ("bob", 1), ("carol", 2)):
        for _n in range(n):
            service.assign(new(service), agent)
    resolved = new(service)
    service.assign(resolved, "bob")
    service.resolve(resolved)  # done: not a ticket needing attention, does not count
    routed(service, [{"name": "spread", "department": "Billing", "assign": "least-loaded"}])
    first = queries.get_ticket(service.store, new(service)).assignee
    second = queries.get_ticket(service.store, new(service)).assignee  # bob 2, carol 2: the one listed first
    third = queries.get_ticket(service.store, new(service)).assignee  # alice 3, bob 3, carol 2
    assert (first, second, third) == ("bob", "bob", "carol")
    agent_away(service, "alice", away=True)  # bob 3, carol 3: alice would be first, but she is away
    assert queries.get_ticket(service.store, new(service)).assignee == "bob"


def test_a_pattern_that_would_backtrack_for_minutes_is_cut_short(service: TicketService) -> None:
    # With re alone on the 4,000 characters a pattern sees, this search took 261 s
    # (benchmarks/routing_bench.py): the mail is stored, the rule does not match.
    routed(service, [{"name": "slow", "match": {"body": ".*a.*a.*b"}, "tags": ["slow"]}])
    ticket_id = new(service, "Hello", "a" * 1_000_000)
    assert queries.get_ticket(service.store, ticket_id).tags == ()


def test_a_repeat_inside_a_repeat_is_refused_when_the_config_loads() -> None:
    for pattern in (r"(a+)+$", r"(\w+\s?)*$", r"(?:x|(y+))*z"):
        routing = routing_from_config({"routing": [{"name": "nested", "match": {"subject": pattern}}]})
        assert routing.rules == () and "'nested'" in routing.problems[0] and "repeat inside a repeat" in routing.problems[0]
    for pattern in (r"(?:ab)+c", r"[a-z]+@(x+)\.com", r"(a++)+", r"(?>a+)+$"):
        assert routing_from_config({"routing": [{"name": "fine", "match": {"subject": pattern}}]}).problems == ()
