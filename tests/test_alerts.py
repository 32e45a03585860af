"""Alerts (issue 18 item 3, docs/issue18/alerts.md): the decision, the settings, the watched tickets."""

from __future__ import annotations

import pytest
from support import AGENT

from tui_desk.core.alerts import (
    Alert,
    AlertSettings,
    AlertState,
    Watched,
    agent_departments,
    alert_settings,
    decide,
    watched,
    watched_rows,
)
from tui_desk.core.desktop_notify import clean, command
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.sla import SlaPolicies
from tui_desk.domain.errors import InvalidInput

URGENT, NEAR, BREACHED = AlertState.URGENT, AlertState.NEAR, AlertState.BREACHED
ALWAYS_OPEN = SlaPolicies.from_config(
    {"sla": {"first_response": "1h", "hours": {"days": "mon-sun", "start": "00:00", "end": "24:00", "timezone": "UTC"}}}
)


def ticket(ticket_id: int, *states: AlertState) -> Watched:
    return Watched(ticket_id, f"subject {ticket_id}", frozenset(states))


# -- the decision ---------------------------------------------------------------------------------
def test_the_first_look_remembers_what_it_sees_and_alerts_nothing() -> None:
    alerts, alerted = decide([ticket(1, URGENT), ticket(2, BREACHED), ticket(3)], frozenset(), first=True)
    assert alerts == []
    assert alerted == {(1, URGENT), (2, BREACHED)}
    # Still urgent and breached later: nothing new to say.
    assert decide([ticket(1, URGENT), ticket(2, BREACHED)], alerted)[0] == []


def test_a_ticket_that_arrives_urgent_alerts_once() -> None:
    alerts, alerted = decide([ticket(7, URGENT)], frozenset())
    assert alerts == [Alert(7, "subject 7", URGENT)]
    assert decide([ticket(7, URGENT)], alerted)[0] == []


def test_near_then_breached_alerts_twice_near_then_near_again_once() -> None:
    alerted: frozenset[tuple[int, AlertState]] = frozenset()
    said: list[AlertState] = []
    for states in [(), (NEAR,), (NEAR,), (), (NEAR,), (BREACHED,), (BREACHED,)]:
        alerts, alerted = decide([ticket(3, *states)], alerted)
        said.extend(a.state for a in alerts)
    assert said == [NEAR, BREACHED]


def test_several_new_states_at_once_give_one_alert_naming_the_worst() -> None:
    alerts, alerted = decide([ticket(4, URGENT, BREACHED)], frozenset())
    assert [a.state for a in alerts] == [BREACHED]
    assert decide([ticket(4, URGENT, BREACHED)], alerted)[0] == []


def test_a_ticket_that_leaves_and_comes_back_does_not_alert_again() -> None:
    _alerts, alerted = decide([ticket(5, URGENT)], frozenset())
    _alerts, alerted = decide([], alerted)  # reassigned away, then back
    assert decide([ticket(5, URGENT)], alerted)[0] == []


def test_each_ticket_is_decided_on_its_own() -> None:
    alerts, _alerted = decide([ticket(1, URGENT), ticket(2), ticket(3, NEAR)], frozenset({(1, URGENT)}))
    assert [(a.ticket_id, a.state) for a in alerts] == [(3, NEAR)]


# -- the settings ---------------------------------------------------------------------------------
def test_alerts_are_off_unless_the_agent_turns_them_on() -> None:
    assert alert_settings({}) == AlertSettings(bell=False, desktop=False)
    assert not alert_settings({"alerts": {}}).on
    assert alert_settings({"alerts": {"bell": True}}) == AlertSettings(bell=True, desktop=False)
    assert alert_settings({"alerts": {"desktop": True}}).on


@pytest.mark.parametrize("raw", [{"alerts": {"bell": "yes"}}, {"alerts": {"desktop": 1}}, {"alerts": "on"}])
def test_a_bad_alerts_setting_is_refused_naming_it(raw: dict) -> None:
    with pytest.raises(InvalidInput, match=r"\[alerts\]"):
        alert_settings(raw)


def test_the_agents_departments_are_read_from_the_departments_tables() -> None:
    raw = {
        "departments": {
            "Billing": {"agents": ["Alice", "bob"]},
            "Technical": {"agents": ["carol"]},
            "Sales": {"agents": "alice"},  # not a list: skipped, never a crash
            "Odd": "x",
            "Mixed": {"agents": [1, None, " alice "]},  # not all names: left out, as routing leaves it
            "Spaced": {"agents": [" alice "]},
        }
    }
    assert agent_departments(raw, "alice") == ["Billing", "Spaced"]
    assert agent_departments(raw, "dave") == []
    assert agent_departments({"departments": ["Billing"]}, "alice") == []
    assert agent_departments(None, "alice") == []


# -- notify-send's arguments ------------------------------------------------------------------------
def test_hostile_text_reaches_notify_send_plain_and_bounded() -> None:
    hostile = "\x1b]0;owned\x07<b>Pay</b> <a href='x'>now</a> & \u202egnp.exe\n--help\tx" + "y" * 1000
    cleaned = clean(hostile)
    assert "\x1b" not in cleaned and "\x07" not in cleaned and "\u202e" not in cleaned and "\t" not in cleaned
    assert "<" not in cleaned and ">" not in cleaned and "&" not in cleaned and "href" not in cleaned
    assert cleaned.startswith("]0;owned Pay now ＆ gnp.exe\n--help x")
    assert len(cleaned) == 400 and cleaned.endswith("…")


def test_the_text_is_an_argument_after_the_options_never_an_option() -> None:
    argv = command("/usr/bin/notify-send", "--urgency=low -t 0", critical=True)
    assert argv[:4] == ["/usr/bin/notify-send", "--app-name=tui-desk", "--urgency=critical", "--"]
    assert argv[4:] == ["tui-desk", "--urgency=low -t 0"]


# -- the watched tickets, on the store ---------------------------------------------------------------
@pytest.mark.both_backends
def test_the_agent_watches_their_tickets_and_the_unassigned_ones_of_their_departments(store, clock) -> None:
    service = TicketService(store, clock=clock, actor=AGENT, sla=ALWAYS_OPEN)

    def new(subject: str, **kwargs: str) -> int:
        return service.create_ticket(email="c@example.com", subject=subject, body="b", **kwargs)

    mine = new("mine", priority="urgent")
    service.assign(mine, "alice")
    billing = new("billing, nobody's", department="billing")  # the config says "Billing": case is ignored
    theirs = new("billing, bob's", department="billing")
    service.assign(theirs, "bob")
    new("technical, nobody's", department="Technical")
    new("no department")
    done = new("mine, resolved", priority="urgent")
    service.assign(done, "alice")
    service.resolve(done)

    rows = watched_rows(store, "alice", ["Billing"])
    assert sorted(r.id for r in rows) == [mine, billing]

    clock.advance(minutes=50)  # 10 of 60 minutes left: near (under 25%)
    seen = {w.ticket_id: w.states for w in watched(rows, ALWAYS_OPEN, clock())}
    assert seen == {mine: {URGENT, NEAR}, billing: {NEAR}}
    clock.advance(minutes=20)
    seen = {w.ticket_id: w.states for w in watched(watched_rows(store, "alice", ["Billing"]), ALWAYS_OPEN, clock())}
    assert seen == {mine: {URGENT, BREACHED}, billing: {BREACHED}}
