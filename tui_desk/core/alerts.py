"""Alerts (issue 18 item 3, docs/issue18/alerts.md): which tickets ring the agent's bell.

Opt-in per agent, in the agent's config file::

    [alerts]
    bell = true       # the terminal bell
    desktop = true    # a desktop notification, where notify-send is on PATH

A ticket is the agent's to watch while it needs attention and is assigned to the agent, or is
unassigned in one of the agent's departments (`[departments.NAME] agents = [...]`). It alerts
when it is urgent, near its SLA or has breached it. `decide` is the whole rule, and pure: the
tickets watched now and what was alerted before give the alerts to emit; each (ticket, state)
alerts once for the app's lifetime, and the first look after start only remembers what it
sees, since the agent has the inbox in front of them then.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from ..domain.errors import InvalidInput
from ..domain.models import InboxRow, Meaning
from ..i18n import _
from ..store import Store, queries
from .routing import departments_from_config
from .sla import SlaPolicies, SlaState
from .sla_tracking import row_mapping, view

WATCH_LIMIT = 200  # tickets read per watched list, nearest SLA due first: the ones about to alert


class AlertState(StrEnum):
    URGENT = "urgent"
    NEAR = "near"
    BREACHED = "breached"


# When a ticket has several new states at once, the one its single alert names.
_SEVERITY = (AlertState.BREACHED, AlertState.NEAR, AlertState.URGENT)

Alerted = frozenset[tuple[int, AlertState]]


@dataclass(frozen=True)
class AlertSettings:
    bell: bool = False
    desktop: bool = False

    @property
    def on(self) -> bool:
        return self.bell or self.desktop


@dataclass(frozen=True)
class Watched:
    """One ticket the agent watches, with the states it is in now."""

    ticket_id: int
    subject: str
    states: frozenset[AlertState]


@dataclass(frozen=True)
class Alert:
    ticket_id: int
    subject: str
    state: AlertState

    def text(self) -> str:
        """The alert as one line, for the app and the desktop; the subject is the caller's to clean."""
        if self.state is AlertState.BREACHED:
            return _("#{id} breached its SLA: {subject}").format(id=self.ticket_id, subject=self.subject)
        if self.state is AlertState.NEAR:
            return _("#{id} is near its SLA: {subject}").format(id=self.ticket_id, subject=self.subject)
        return _("#{id} is urgent: {subject}").format(id=self.ticket_id, subject=self.subject)


def alert_settings(raw: Mapping[str, Any] | None) -> AlertSettings:
    """`[alerts]` of the loaded config; InvalidInput naming the key when it is not true or false."""
    table = (raw or {}).get("alerts")
    if table is None:
        return AlertSettings()
    if not isinstance(table, Mapping):
        raise InvalidInput(_("[{name}] must be a table").format(name="alerts"))
    values: dict[str, bool] = {}
    for key in ("bell", "desktop"):
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise InvalidInput(_("[{table}] {key} must be true or false").format(table="alerts", key=key))
        values[key] = value
    return AlertSettings(**values)


def agent_departments(raw: Mapping[str, Any] | None, agent: str) -> list[str]:
    """The departments whose `[departments.NAME] agents` list names `agent` (ignoring case), as
    routing reads them: one reading of the table for both, so alerts watch the departments that
    round-robin assigns from. A malformed department is left out (routing names it)."""
    wanted = agent.strip().casefold()
    departments = departments_from_config(dict(raw or {})).values()
    return [name for name, agents in departments if any(a.casefold() == wanted for a in agents)]


def states_of(row: InboxRow, policies: SlaPolicies, now: datetime) -> frozenset[AlertState]:
    """What of urgent, near and breached a ticket that needs attention is now."""
    states: set[AlertState] = set()
    if row.priority == "urgent":
        states.add(AlertState.URGENT)
    sla = view(row_mapping(row), Meaning.ATTENTION, policies, now).state
    if sla is SlaState.NEAR:
        states.add(AlertState.NEAR)
    elif sla is SlaState.BREACHED:
        states.add(AlertState.BREACHED)
    return frozenset(states)


def watched_rows(store: Store, agent: str, departments: Iterable[str], limit: int = WATCH_LIMIT) -> list[InboxRow]:
    """The tickets needing attention that are the agent's, or unassigned in the agent's departments."""
    rows = queries.inbox_page(store, queries.InboxFilter(view=queries.VIEW_ATTENTION, assignee=agent, order="sla"), 0, limit)
    wanted = {d.strip().casefold() for d in departments}
    if wanted:
        for name in queries.department_names(store):  # stored names, matched as the SLA policies match them
            if name.casefold() in wanted:
                flt = queries.InboxFilter(view=queries.VIEW_ATTENTION, assignee="-", department=name, order="sla")
                rows.extend(queries.inbox_page(store, flt, 0, limit))
    return rows


def watched(rows: Iterable[InboxRow], policies: SlaPolicies, now: datetime) -> list[Watched]:
    return [Watched(r.id, r.subject, states_of(r, policies, now)) for r in rows]


def decide(seen: Iterable[Watched], alerted: Alerted, *, first: bool = False) -> tuple[list[Alert], Alerted]:
    """The alerts to emit for the tickets watched now, and the alerted set to remember after them.

    A ticket alerts for a state it is in that it has not alerted for before, at most once per
    call (the most severe of its new states, all of which are remembered). `first`: the look
    at start, which only remembers, so an app opened on a desk full of urgent tickets is quiet.
    """
    remembered = set(alerted)
    alerts: list[Alert] = []
    for ticket in seen:
        new = [s for s in _SEVERITY if s in ticket.states and (ticket.ticket_id, s) not in remembered]
        if not new:
            continue
        remembered.update((ticket.ticket_id, s) for s in new)
        if not first:
            alerts.append(Alert(ticket.ticket_id, ticket.subject, new[0]))
    return alerts, frozenset(remembered)
