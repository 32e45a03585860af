"""How a ticket's SLA clock is kept in its row, and what it means right now.

The clock (business seconds accrued while the ticket waited on us, and the
start of the current run) lives in the ticket's columns, updated by the
status-transition service in the same transaction as every change. `sla_due`
is the moment the next unmet target runs out if the clock keeps running
(NULL while paused), and `sla_key` is the same with a far-future sentinel so
one index orders "most urgent SLA first".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .clock import from_text, to_text
from .models import Meaning
from .sla import SlaClock, SlaPolicies, SlaState, SlaTargets, replay

NO_DUE_KEY = "9999-12-31T23:59:59Z"
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"


def clock_of(row: Mapping[str, Any]) -> SlaClock:
    running = row.get("sla_running_since")
    return SlaClock(int(row.get("sla_elapsed") or 0), from_text(running) if running else None)


def sla_columns(clock: SlaClock, first_elapsed: int | None, targets: SlaTargets) -> dict[str, Any]:
    target = targets.first_response if first_elapsed is None else targets.resolution
    due = targets.due_at(clock, target)
    due_text = to_text(due) if due is not None else None
    return {
        "sla_elapsed": clock.elapsed,
        "sla_running_since": to_text(clock.running_since) if clock.running_since else None,
        "sla_first_elapsed": first_elapsed,
        "sla_due": due_text,
        "sla_key": due_text or NO_DUE_KEY,
    }


def advance(
    row: Mapping[str, Any],
    *,
    attention: bool,
    first_response_now: bool,
    targets: SlaTargets,
    now: datetime,
) -> dict[str, Any]:
    """The SLA columns after a change that leaves the ticket needing attention or not."""
    clock = clock_of(row)
    first_elapsed = row.get("sla_first_elapsed")
    if first_response_now and first_elapsed is None:
        first_elapsed = clock.elapsed_at(now, targets.hours)
    clock = clock.resume(now) if attention else clock.pause(now, targets.hours)
    return sla_columns(clock, first_elapsed, targets)


def started(now: datetime, targets: SlaTargets) -> dict[str, Any]:
    """A new ticket: the clock starts when the request arrives."""
    return sla_columns(SlaClock.started(now), None, targets)


def rebuilt(
    status_changes: Iterable[tuple[datetime, str]],
    meaning_of: Callable[[str], str],
    first_response_at: datetime | None,
    targets: SlaTargets,
    now: datetime,
) -> dict[str, Any]:
    """The SLA columns replayed from a ticket's status history (after a policy change)."""
    changes = list(status_changes)
    clock = replay(changes, meaning_of, now, targets.hours)
    first_elapsed = None
    if first_response_at is not None:
        first_elapsed = replay(changes, meaning_of, now, targets.hours, stop_at=first_response_at).elapsed
    return sla_columns(clock, first_elapsed, targets)


@dataclass(frozen=True)
class SlaView:
    """What the UI and `show --json` say about a ticket's SLA now."""

    state: SlaState  # ok, near, breached, paused, none
    target: str | None  # "first_response" or "resolution": the target the state is about
    due: str | None  # stored UTC text; None while paused
    remaining: int | None  # business seconds (negative when overdue)
    first_response_breached: bool


def view(
    row: Mapping[str, Any],
    meaning: Meaning,
    policies: SlaPolicies,
    now: datetime,
) -> SlaView:
    targets = policies.for_ticket(row.get("department"), row.get("priority"))
    clock = clock_of(row)
    first_elapsed = row.get("sla_first_elapsed")
    first_breached = (
        first_elapsed is not None
        and targets.first_response is not None
        and first_elapsed > targets.first_response
    )
    if meaning in (Meaning.SPAM, Meaning.DELETED):
        return SlaView(SlaState.NONE, None, None, None, first_breached)
    which, target = (
        (FIRST_RESPONSE, targets.first_response) if first_elapsed is None else (RESOLUTION, targets.resolution)
    )
    if target is None:
        return SlaView(SlaState.NONE, None, None, None, first_breached)
    remaining = target - clock.elapsed_at(now, targets.hours)
    state = targets.state(clock, target, now)
    if state is SlaState.PAUSED and first_breached:
        state = SlaState.BREACHED
    return SlaView(state, which, row.get("sla_due"), remaining, first_breached)
