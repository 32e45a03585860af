"""How a ticket's SLA clock is kept in its row, and what it means right now.

The clock (business seconds accrued while the ticket waited on us, and the
start of the current run) lives in the ticket's columns, updated by the
status-transition service in the same transaction as every change. `sla_due`
is the moment the next unmet target runs out if the clock keeps running
(NULL while paused), and `sla_key` is the same with a far-future sentinel so
one index orders "most urgent SLA first".

A target already used up when the clock resumes (a breached ticket reopened,
restored, or its resolve undone) keeps the moment it was used up as its due
time, read from the status history: not the moment the clock resumed, which
would show a ticket weeks overdue as just due and sort it behind newer breaches.
"""

from __future__ import annotations

import time as _time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ..domain.clock import from_text, to_text
from ..domain.errors import InvalidInput
from ..domain.models import InboxRow, Meaning, Ticket
from ..i18n import _
from .sla import BusinessHours, SlaClock, SlaPolicies, SlaState, SlaTargets, replay

NO_DUE_KEY = "9999-12-31T23:59:59Z"
FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"


def clock_of(row: Mapping[str, Any]) -> SlaClock:
    running = row.get("sla_running_since")
    return SlaClock(int(row.get("sla_elapsed") or 0), from_text(running) if running else None)


# Given a target in business seconds: when the ticket's waiting time reached it (None: unknown).
UsedUpAt = Callable[[int], datetime | None]


def sla_columns(
    clock: SlaClock, first_elapsed: int | None, targets: SlaTargets, used_up_at: UsedUpAt | None = None
) -> dict[str, Any]:
    target = targets.first_response if first_elapsed is None else targets.resolution
    due = targets.due_at(clock, target)
    if due is not None and target is not None and clock.elapsed >= target and used_up_at is not None:
        # Used up in an earlier run: due_at can only say "when this run began".
        found = used_up_at(target)
        if found is not None and found < due:
            due = found
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
    used_up_at: UsedUpAt | None = None,
) -> dict[str, Any]:
    """The SLA columns after a change that leaves the ticket needing attention or not.

    ``used_up_at`` finds when a target was used up (from the ticket's history); it is
    asked only when the clock runs on a target already used up.
    """
    clock = clock_of(row)
    first_elapsed = row.get("sla_first_elapsed")
    if first_response_now and first_elapsed is None:
        first_elapsed = clock.elapsed_at(now, targets.hours)
    clock = clock.resume(now) if attention else clock.pause(now, targets.hours)
    return sla_columns(clock, first_elapsed, targets, used_up_at)


def used_up_at_epoch(
    status_changes: Sequence[tuple[int, str]],
    paused_statuses: Container[str],
    target: int,
    hours: BusinessHours,
    until: int,
) -> int | None:
    """The epoch second the business time waited (up to ``until``) reached ``target``; None if it did not.

    The same counting as :func:`rebuilt_from_epochs`: the clock runs in every status
    not in ``paused_statuses``.
    """
    timeline = _timeline(hours)
    elapsed, running = 0, None
    for when, status in sorted(status_changes, key=lambda c: c[0]):
        if when > until:
            break
        if status not in paused_statuses:
            if running is None:
                running = when
        elif running is not None:
            seconds = timeline.seconds(running, when)
            if elapsed + seconds >= target:
                return timeline.add(running, target - elapsed)
            elapsed, running = elapsed + seconds, None
    if running is not None and elapsed + timeline.seconds(running, until) >= target:
        return timeline.add(running, target - elapsed)
    return None


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

    def used_up_at(target: int) -> datetime | None:
        hours, elapsed, running = targets.hours, 0, None
        for when, status in sorted(changes, key=lambda c: c[0]):
            if when > now:
                break
            if meaning_of(status) == Meaning.ATTENTION:
                running = running or when
            elif running is not None:
                seconds = hours.business_seconds(running, when)
                if elapsed + seconds >= target:
                    return hours.add(running, target - elapsed)
                elapsed, running = elapsed + seconds, None
        return None

    return sla_columns(clock, first_elapsed, targets, used_up_at)


def rebuilt_from_epochs(
    status_changes: Sequence[tuple[int, str]],
    paused_statuses: Container[str],
    first_response_at: int | None,
    targets: SlaTargets,
    now: int,
) -> dict[str, Any]:
    """:func:`rebuilt` for a whole store: the same columns, from whole epoch seconds.

    ``paused_statuses``: the statuses whose meaning is not "attention" (the
    clock runs in every other one, unknown ones included, as in ``rebuilt``).
    ``now`` is whole epoch seconds (the floor of the clock: the same result).
    One pass over the history gives both clocks (the running one and the
    first-response one), and business time is read from a cached table of
    openings instead of walking the days: 100,000 tickets take seconds.
    """
    timeline = _timeline(targets.hours)
    stop_end = None if first_response_at is None else min(now, first_response_at)
    target = targets.first_response if first_response_at is None else targets.resolution
    used_up = None  # when the waiting time reached the target, if it did in a finished run
    elapsed, running, first_elapsed, previous = 0, None, None, -(1 << 62)
    for when, status in status_changes:
        if when < previous:  # out of time order: sort (stably, as replay does) and start again
            return rebuilt_from_epochs(
                sorted(status_changes, key=lambda c: c[0]), paused_statuses, first_response_at, targets, now
            )
        previous = when
        if stop_end is not None and first_elapsed is None and when > stop_end:
            first_elapsed = elapsed if running is None else elapsed + timeline.seconds(running, stop_end)
        if when > now:
            continue  # not break: the rest is still checked for time order
        if status not in paused_statuses:
            if running is None:
                running = when
        elif running is not None:
            seconds = timeline.seconds(running, when)
            if used_up is None and target is not None and elapsed + seconds >= target:
                used_up = timeline.add(running, target - elapsed)
            elapsed += seconds
            running = None
    if stop_end is not None and first_elapsed is None:
        first_elapsed = elapsed if running is None else elapsed + timeline.seconds(running, stop_end)
    return columns_from_epochs(elapsed, running, first_elapsed, targets, used_up)


def columns_from_epochs(
    elapsed: int,
    running: int | None,
    first_elapsed: int | None,
    targets: SlaTargets,
    used_up: int | None = None,
) -> dict[str, Any]:
    """What sla_columns gives for SlaClock(elapsed, running since that epoch), without building datetimes.

    ``used_up``: when the target was used up, if that was before this run (the due time then).
    """
    due_text = None
    if running is not None:
        target = targets.first_response if first_elapsed is None else targets.resolution
        if target is not None:
            due = _timeline(targets.hours).add(running, max(0, target - elapsed))
            if elapsed >= target and used_up is not None and used_up < due:
                due = used_up
            due_text = epoch_text(due)
    return {
        "sla_elapsed": elapsed,
        "sla_running_since": epoch_text(running) if running is not None else None,
        "sla_first_elapsed": first_elapsed,
        "sla_due": due_text,
        "sla_key": due_text or NO_DUE_KEY,
    }


def epoch_text(epoch: int) -> str:
    """to_text of a whole epoch second."""
    return _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(epoch))


class _Timeline:
    """The business time of some hours as whole epoch seconds, read from a table of openings.

    ``seconds(a, b)`` equals ``hours.business_seconds(a, b)`` for whole-second
    moments: the openings are the hours' own (``_interval``), and the business
    seconds before t are a prefix sum plus the part of the opening t falls in.
    """

    def __init__(self, hours: BusinessHours) -> None:
        self.hours = hours
        self.always = hours.is_always
        self.days: tuple[date, date] | None = None
        self.low = self.high = 0  # the moments between which the table is complete
        self.opens: list[int] = []
        self.closes: list[int] = []
        self.before: list[int] = []  # business seconds in the openings before each one

    def seconds(self, a: int, b: int) -> int:
        if b <= a:
            return 0
        if self.always:
            return b - a
        if not (self.low <= a and b <= self.high):
            self._cover(a, b)
        opens, closes, before = self.opens, self.closes, self.before
        # Business seconds before b minus those before a (each: whole openings, then part of one).
        i = bisect_right(opens, b) - 1
        total = 0 if i < 0 else before[i] + (b if b < closes[i] else closes[i]) - opens[i]
        i = bisect_right(opens, a) - 1
        return total if i < 0 else total - before[i] - (a if a < closes[i] else closes[i]) + opens[i]

    def add(self, start: int, seconds: int) -> int:
        """``hours.add(start, seconds)`` in whole epoch seconds: when that much business time has passed."""
        if seconds <= 0:
            return start
        if self.always:
            return start + seconds
        if not (self.low <= start <= self.high):
            self._cover(start, start)
        while True:
            opens, closes, before = self.opens, self.closes, self.before
            i = bisect_right(opens, start) - 1
            done = 0 if i < 0 else before[i] + (start if start < closes[i] else closes[i]) - opens[i]
            wanted = done + seconds  # business seconds before the due moment
            # The first opening that ends at or after `wanted` holds the due moment.
            j = bisect_left(before, wanted) - 1  # openings 0..j start before `wanted` is reached
            j = max(j, 0)
            while j < len(opens) and before[j] + closes[j] - opens[j] < wanted:
                j += 1
            if j < len(opens) and closes[j] <= self.high:
                return opens[j] + (wanted - before[j])
            # Past the table: make it longer and look again.
            assert self.days is not None
            if (self.days[1] - self.days[0]).days > 100 * 366:
                raise InvalidInput(_("These business hours have no open time left to count"))
            self._cover(start, self.high + 62 * 86400)

    def _cover(self, a: int, b: int) -> None:
        zone = self.hours.timezone
        first = datetime.fromtimestamp(a, zone).date() - timedelta(days=31)
        last = datetime.fromtimestamp(b, zone).date() + timedelta(days=31)
        if self.days is not None:
            first, last = min(first, self.days[0]), max(last, self.days[1])
        opens, closes, before, total = [], [], [], 0
        day = first
        while day <= last:
            interval = self.hours._interval(day)
            if interval is not None:
                opening, closing = int(interval[0].timestamp()), int(interval[1].timestamp())
                opens.append(opening)
                closes.append(closing)
                before.append(total)
                total += closing - opening
            day += timedelta(days=1)
        self.opens, self.closes, self.before, self.days = opens, closes, before, (first, last)
        # Complete for moments from the first day after `first` up to the start of `last`.
        self.low = int(datetime.combine(first + timedelta(days=1), time(0), zone).timestamp())
        self.high = int(datetime.combine(last, time(0), zone).timestamp())


_timelines: dict[int, _Timeline] = {}


def _timeline(hours: BusinessHours) -> _Timeline:
    timeline = _timelines.get(id(hours))
    if timeline is None or timeline.hours is not hours:
        if len(_timelines) > 64:
            _timelines.clear()
        timeline = _timelines[id(hours)] = _Timeline(hours)
    return timeline


@dataclass(frozen=True)
class SlaView:
    """What the UI and `show --json` say about a ticket's SLA now."""

    state: SlaState  # ok, near, breached, paused, none
    target: str | None  # "first_response" or "resolution": the target the state is about
    due: str | None  # stored UTC text; None while paused
    remaining: int | None  # business seconds (negative when overdue)
    first_response_breached: bool


def row_mapping(row: InboxRow | Ticket) -> dict[str, object]:
    """The fields `view` reads, from an inbox row or a ticket."""
    return {
        "department": row.department,
        "priority": row.priority,
        "sla_elapsed": row.sla_elapsed,
        "sla_running_since": row.sla_running_since,
        "sla_first_elapsed": row.sla_first_elapsed,
        "sla_due": row.sla_due,
    }


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
    if meaning in (Meaning.SPAM, Meaning.DELETED, Meaning.MERGED):
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
