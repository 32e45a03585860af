"""The SLA clock: business seconds a ticket has waited on the team, rebuilt from its history.

An :class:`SlaClock` is ``elapsed`` business seconds accrued in earlier runs plus, while
running, the moment the current run began. :func:`replay` rebuilds it from a ticket's
status history; :func:`due_at`, :func:`remaining_seconds` and :func:`sla_state` read it.
The clock runs while the ticket's status means "attention" (docs/lifecycle.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from ..domain.models import Meaning
from .business_hours import BusinessHours, as_utc

DEFAULT_NEAR_FRACTION = 0.25


class SlaState(StrEnum):
    OK = "ok"
    NEAR = "near"
    BREACHED = "breached"
    PAUSED = "paused"
    NONE = "none"  # no target


@dataclass(frozen=True)
class SlaClock:
    """Business seconds accrued while the ticket waited on us, and the start of the current run."""

    elapsed: int = 0
    running_since: datetime | None = None

    @classmethod
    def started(cls, now: datetime) -> SlaClock:
        return cls(0, as_utc(now))

    @property
    def running(self) -> bool:
        return self.running_since is not None

    def pause(self, now: datetime, hours: BusinessHours) -> SlaClock:
        if self.running_since is None:
            return self
        return SlaClock(self.elapsed + hours.business_seconds(self.running_since, now), None)

    def resume(self, now: datetime) -> SlaClock:
        if self.running_since is not None:
            return self
        return SlaClock(self.elapsed, as_utc(now))

    def elapsed_at(self, now: datetime, hours: BusinessHours) -> int:
        if self.running_since is None:
            return self.elapsed
        return self.elapsed + hours.business_seconds(self.running_since, now)


def due_at(clock: SlaClock, target_seconds: int | None, hours: BusinessHours) -> datetime | None:
    """When the target is reached if the clock keeps running; None when paused or no target.

    If the target was already used up before the current run began, this is
    the moment the run began (the due time is past either way).
    """
    if target_seconds is None or clock.running_since is None:
        return None
    return hours.add(clock.running_since, max(0, target_seconds - clock.elapsed))


def remaining_seconds(
    clock: SlaClock, target_seconds: int | None, hours: BusinessHours, now: datetime
) -> int | None:
    """Business seconds left before the target (negative when past); None without a target."""
    if target_seconds is None:
        return None
    return target_seconds - clock.elapsed_at(now, hours)


def sla_state(
    clock: SlaClock,
    target_seconds: int | None,
    hours: BusinessHours,
    now: datetime,
    near_fraction: float = DEFAULT_NEAR_FRACTION,
    near_seconds: int | None = None,
) -> SlaState:
    """ok / near / breached / paused / none. A breach stays a breach while paused.

    "near": less than ``near_seconds`` (when given) or else less than
    ``near_fraction`` of the target remains.
    """
    if target_seconds is None:
        return SlaState.NONE
    remaining = target_seconds - clock.elapsed_at(now, hours)
    if remaining <= 0:
        return SlaState.BREACHED
    if not clock.running:
        return SlaState.PAUSED
    threshold = near_seconds if near_seconds is not None else target_seconds * near_fraction
    return SlaState.NEAR if remaining < threshold else SlaState.OK


def replay(
    status_changes: Iterable[tuple[datetime, str]],
    meaning_of: Callable[[str], str],
    now: datetime,
    hours: BusinessHours,
    *,
    stop_at: datetime | None = None,
) -> SlaClock:
    """The clock of a ticket from its status history: (when, new status), the creation included.

    The clock runs while ``meaning_of(status)`` is "attention" and pauses
    otherwise. Changes after ``now`` are ignored. With ``stop_at`` (e.g. the
    first response, for the first-response clock) the clock stops for good
    there: later changes are ignored and it is returned paused.
    """
    end = as_utc(now)
    if stop_at is not None:
        end = min(end, as_utc(stop_at))
    clock = SlaClock()
    for when, status in sorted(((as_utc(w), s) for w, s in status_changes), key=lambda c: c[0]):
        if when > end:
            break
        if meaning_of(status) == Meaning.ATTENTION:
            clock = clock.resume(when)
        else:
            clock = clock.pause(when, hours)
    if stop_at is not None:
        clock = clock.pause(end, hours)
    return clock
