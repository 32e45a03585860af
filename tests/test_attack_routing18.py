"""Hostile review of issue 18's routing (docs/issue18/attack.md), on both backends.

Each test is a defect found by attacking the merged routing as a careless admin would: it fails
without its fix.
"""

from __future__ import annotations

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.routing import (
    DryRun,
    Routing,
    agent_away,
    attach,
    route_ticket,
    routing_from_config,
)
from tui_desk.store import queries

pytestmark = pytest.mark.both_backends


def routed(service: TicketService, rules: list[dict], departments: dict) -> Routing:
    routing = routing_from_config({"routing": rules, "departments": departments})
    attach(service, routing)
    return routing


def new(service: TicketService, subject: str = "Hello") -> int:
    return service.create_ticket(email="dan@example.com", subject=subject, body="Hi")


def assignee(service: TicketService, ticket_id: int) -> str | None:
    return queries.get_ticket(service.store, ticket_id).assignee


def test_least_loaded_counts_the_load_of_an_agent_whose_name_is_not_ascii(service: TicketService) -> None:
    # SQLite's lower() folds ASCII only: "Ärni" was counted as holding nothing and got every ticket.
    routed(service, [{"name": "spread", "department": "Billing", "assign": "least-loaded"}],
           {"Billing": {"agents": ["Ärni", "Øyvind"]}})
    got = [assignee(service, new(service)) for _ in range(4)]
    assert sorted(got) == ["Ärni", "Ärni", "Øyvind", "Øyvind"]


def test_an_agent_listed_twice_in_other_case_does_not_get_two_turns_in_a_row(service: TicketService) -> None:
    routed(service, [{"name": "rr", "department": "Billing", "assign": "round-robin"}],
           {"Billing": {"agents": ["alice", "Alice", "bob"]}})
    got = [assignee(service, new(service)).casefold() for _ in range(4)]
    assert got == ["alice", "bob", "alice", "bob"]


def test_a_rule_naming_an_agent_who_is_away_leaves_the_ticket_unassigned(service: TicketService) -> None:
    routed(service, [{"name": "to alice", "assign": "alice"}], {})
    agent_away(service, "Alice", True)
    ticket_id = new(service)
    assert assignee(service, ticket_id) is None  # in the Unassigned view, not in an absent agent's queue
    agent_away(service, "alice", False)
    assert assignee(service, new(service)) == "alice"


def test_a_dry_run_over_many_tickets_shows_the_turns_a_real_run_gives(service: TicketService) -> None:
    ids = [new(service) for _ in range(3)]
    routing = routing_from_config({
        "routing": [{"name": "rr", "department": "Billing", "assign": "round-robin"}],
        "departments": {"Billing": {"agents": ["alice", "bob"]}},
    })
    plan = DryRun()
    planned = [route_ticket(service, routing, i, dry_run=True, plan=plan)[-1].to_value for i in ids]
    done = [route_ticket(service, routing, i)[-1].to_value for i in ids]
    assert planned == done == ["alice", "bob", "alice"]


def test_a_rule_name_that_is_not_text_is_refused_naming_the_rule() -> None:
    routing = routing_from_config({"routing": [{"name": 5, "priority": "high"}, {"name": "ok", "priority": "low"}]})
    assert [r.name for r in routing.rules] == ["ok"]
    assert len(routing.problems) == 1 and "rule 1" in routing.problems[0]


def test_all_the_patterns_of_one_ticket_share_one_time_budget(service: TicketService, monkeypatch: pytest.MonkeyPatch) -> None:
    # Routing holds the desk's write lock: twenty rules whose patterns each ran out of time on a crafted
    # body held every other writer for seconds per mail. The budget's clock is stepped, not waited on.
    from tui_desk.core import routing as routing_module

    ticks = iter(range(0, 1000))
    monkeypatch.setattr(routing_module, "_clock", lambda: next(ticks) * routing_module.TICKET_MATCH_SECONDS / 2)
    rules = [{"name": f"r{n}", "match": {"subject": "hello"}, "tags": [f"t{n}"]} for n in range(4)]
    rules.append({"name": "no pattern", "priority": "high"})
    routed(service, rules, {})
    ticket = queries.get_ticket(service.store, new(service))
    # The deadline is set at tick 0 (0.25 s on) and each search reads the clock once, half the budget
    # later each time: the first search has time, the rest count as not matching; a rule without
    # patterns still applies.
    assert ticket.tags == ("t0",) and ticket.priority == "high"


def test_route_over_resolved_and_spam_tickets_categorises_them_but_gives_them_no_agent_turn(service: TicketService) -> None:
    resolved, spam = new(service), new(service)
    service.resolve(resolved)
    service.mark_spam(spam)
    routing = routing_from_config({
        "routing": [{"name": "rr", "department": "Billing", "tags": ["old"], "assign": "round-robin"}],
        "departments": {"Billing": {"agents": ["alice", "bob"]}},
    })
    for ticket_id in (resolved, spam):
        route_ticket(service, routing, ticket_id)
        ticket = queries.get_ticket(service.store, ticket_id)
        assert (ticket.department, ticket.tags, ticket.assignee) == ("Billing", ("old",), None)
    attach(service, routing)
    assert assignee(service, new(service)) == "alice"  # the turn did not move on closed tickets


def test_a_least_loaded_dry_run_over_many_tickets_spreads_them_as_a_real_run_does(service: TicketService) -> None:
    ids = [new(service) for _ in range(4)]
    routing = routing_from_config({
        "routing": [{"name": "ll", "department": "Billing", "assign": "least-loaded"}],
        "departments": {"Billing": {"agents": ["alice", "bob"]}},
    })
    plan = DryRun()
    planned = [route_ticket(service, routing, i, dry_run=True, plan=plan)[-1].to_value for i in ids]
    done = [route_ticket(service, routing, i)[-1].to_value for i in ids]
    assert planned == done == ["alice", "bob", "alice", "bob"]


def test_a_refused_rule_with_a_huge_name_is_named_in_a_short_line() -> None:
    problems = routing_from_config({"routing": [{"name": "a" * 10_000, "priority": "high"}]}).problems
    assert len(problems) == 1 and len(problems[0]) < 300 and "aaaa" in problems[0]


def test_a_dry_run_counts_tickets_a_named_rule_would_give_for_a_later_least_loaded_rule(service: TicketService) -> None:
    ids = [new(service, "vip"), new(service, "vip"), new(service, "other")]
    routing = routing_from_config({
        "routing": [
            {"name": "vip to alice", "match": {"subject": "vip"}, "assign": "alice", "stop": True},
            {"name": "ll", "department": "Billing", "assign": "least-loaded"},
        ],
        "departments": {"Billing": {"agents": ["alice", "bob"]}},
    })
    plan = DryRun()
    planned = [route_ticket(service, routing, i, dry_run=True, plan=plan)[-1].to_value for i in ids]
    done = [route_ticket(service, routing, i)[-1].to_value for i in ids]
    assert planned == done == ["alice", "alice", "bob"]
