"""What a report holds: its figures as frozen values, and how a time or a share is written.

What each figure means: see :mod:`tui_desk.core.reports`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil
from typing import Any

from ..domain.clock import to_text
from ..i18n import _, percent


@dataclass(frozen=True)
class Durations:
    """Wall-clock seconds: how many tickets, the median and the 90th percentile (None when none)."""

    count: int
    median: float | None
    p90: float | None

    @classmethod
    def of(cls, seconds: Sequence[int], *, ordered: bool = False) -> Durations:
        """`ordered`: `seconds` are sorted already (a million of them sort in a tenth of a second)."""
        if not seconds:
            return cls(0, None, None)
        if not ordered:
            seconds = sorted(seconds)
        return cls(len(seconds), rounded(median(seconds)), rounded(percentile(seconds, 90)))

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "median": self.median, "p90": self.p90}


@dataclass(frozen=True)
class Compliance:
    """SLA outcome for the tickets of the period that have the target."""

    tickets: int
    met: int
    breached: int

    @property
    def pending(self) -> int:
        return self.tickets - self.met - self.breached

    @property
    def percent_met(self) -> float | None:
        decided = self.met + self.breached
        return round(100 * self.met / decided, 1) if decided else None

    def to_json(self) -> dict[str, Any]:
        return {
            "tickets": self.tickets,
            "met": self.met,
            "breached": self.breached,
            "pending": self.pending,
            "percent_met": self.percent_met,
        }


@dataclass(frozen=True)
class StatusCount:
    key: str
    name: str  # as stored (a custom status's own name); show it with models.status_label(key, name)
    meaning: str
    count: int


@dataclass(frozen=True)
class TagCount:
    tag: str
    count: int


@dataclass(frozen=True)
class GroupFigures:
    """The key figures of one agent, department, tag or priority (key None: without one)."""

    key: str | None
    new: int
    backlog: int
    first_response: Durations
    resolution: Durations
    sla_first_response: Compliance
    sla_resolution: Compliance

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "new": self.new,
            "backlog": self.backlog,
            "first_response_seconds": self.first_response.to_json(),
            "resolution_seconds": self.resolution.to_json(),
            "sla": {
                "first_response": self.sla_first_response.to_json(),
                "resolution": self.sla_resolution.to_json(),
            },
        }


@dataclass(frozen=True)
class Report:
    since: date  # first day, included
    until: date  # last day, included
    timezone: str
    now: datetime
    by: str | None
    backlog: tuple[StatusCount, ...]  # open statuses now, in status order
    days: tuple[date, ...]
    new_per_day: tuple[int, ...]
    resolved_per_day: tuple[int, ...]
    backlog_per_day: tuple[int, ...]  # open tickets at the end of each day (at `now` for today)
    first_response_per_day: tuple[float | None, ...]  # median seconds, tickets first answered that day
    new_tickets: int
    resolved_tickets: int
    excluded: int  # spam or deleted tickets created in the period, left out
    first_response: Durations
    resolution: Durations
    sla_first_response: Compliance
    sla_resolution: Compliance
    top_tags: tuple[TagCount, ...]
    groups: tuple[GroupFigures, ...] = field(default=())

    @property
    def backlog_total(self) -> int:
        return sum(s.count for s in self.backlog)

    def to_json(self) -> dict[str, Any]:
        """Plain, language-neutral data: keys, numbers, ISO dates; durations in seconds."""
        return {
            "period": {
                "since": self.since.isoformat(),
                "until": self.until.isoformat(),
                "days": len(self.days),
                "timezone": self.timezone,
            },
            "generated_at": to_text(self.now),
            "by": self.by,
            "backlog": {
                "total": self.backlog_total,
                "by_status": [
                    {"status": s.key, "meaning": s.meaning, "count": s.count} for s in self.backlog
                ],
            },
            "new_tickets": self.new_tickets,
            "resolved_tickets": self.resolved_tickets,
            "excluded_spam_or_deleted": self.excluded,
            "first_response_seconds": self.first_response.to_json(),
            "resolution_seconds": self.resolution.to_json(),
            "sla": {
                "first_response": self.sla_first_response.to_json(),
                "resolution": self.sla_resolution.to_json(),
            },
            "top_tags": [{"tag": t.tag, "count": t.count} for t in self.top_tags],
            "per_day": [
                {
                    "date": day.isoformat(),
                    "new": new,
                    "resolved": resolved,
                    "backlog": backlog,
                    "first_response_median_seconds": first,
                }
                for day, new, resolved, backlog, first in zip(
                    self.days,
                    self.new_per_day,
                    self.resolved_per_day,
                    self.backlog_per_day,
                    self.first_response_per_day,
                    strict=True,
                )
            ],
            "groups": [g.to_json() for g in self.groups],
        }


def rounded(value: float) -> float:
    """Whole numbers as int (3600, not 3600.0) so JSON and text stay tidy."""
    return int(value) if float(value).is_integer() else value


def median(ordered: Sequence[float]) -> float:
    """statistics.median of sorted values without sorting them again: the middle value, or the
    mean of the two middle values for an even count."""
    if not ordered:
        raise ValueError("no values")
    n = len(ordered)
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def percentile(ordered: Sequence[float], percent: float) -> float:
    """Nearest-rank percentile of sorted values: the smallest value with `percent`% at or under it."""
    if not ordered:
        raise ValueError("no values")
    rank = max(1, ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def duration_text(seconds: float | None) -> str:
    """A duration in at most two units: 45s, 12min, 3h 20min, 2d 4h; '–' for none."""
    if seconds is None:
        return "–"
    total = int(round(seconds))
    if total < 60:
        return _("{n}s").format(n=total)
    minutes = total // 60
    if minutes < 60:
        return _("{n}min").format(n=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        if minutes:
            return _("{h}h {m}min").format(h=hours, m=minutes)
        return _("{n}h").format(n=hours)
    days, hours = divmod(hours, 24)
    if hours:
        return _("{d}d {h}h").format(d=days, h=hours)
    return _("{n}d").format(n=days)


def percent_text(value: float | None) -> str:
    return "–" if value is None else percent(value, floor=False)
