"""SLA outcomes of a report: met, breached or pending, from each ticket's stored SLA clock."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from ..domain.clock import from_text, to_text
from ..domain.models import PRIORITY_ORDER
from .sla import SlaPolicies, SlaTargets

# What happened to an SLA target: still open, met, breached (None: no target).
PENDING, MET, BREACHED = 0, 1, 2
# How far back a target's cutoff is looked for (SlaJudge.cutoff): far more than any target
# a desk uses; a cutoff further back costs more to find than the clocks it would judge.
CUTOFF_DAYS = 1000


class SlaJudge:
    """Met / breached / pending from a ticket's stored SLA clock, against the current targets."""

    def __init__(self, policies: SlaPolicies, department_names: dict[int, str], now: datetime) -> None:
        self.policies = policies
        self.department_names = department_names
        self.now = now
        self.now_text = to_text(now)
        self.now_epoch = int(now.timestamp())
        self.targets: dict[tuple[int | None, str], SlaTargets] = {}
        self.days: dict[tuple[int, str], tuple[tuple[tuple[int, int], ...], int]] = {}
        self.cutoffs: dict[tuple[int, int], str | None] = {}

    def _targets(self, department_id: int | None, priority: str) -> SlaTargets:
        targets = self.targets.get((department_id, priority))
        if targets is None:
            department = self.department_names.get(department_id) if department_id is not None else None
            targets = self.targets[(department_id, priority)] = self.policies.for_ticket(department, priority)
        return targets

    def target_rows(self, department_ids: Sequence[int | None]) -> list[tuple[int, str, int | None, int | None]]:
        """(department id or -1, priority, first response, resolution) for the SQL of the stopped clocks."""
        rows = []
        for department_id in department_ids:
            for priority in PRIORITY_ORDER:
                targets = self._targets(department_id, priority.value)
                rows.append(
                    (-1 if department_id is None else department_id, priority.value,
                     targets.first_response, targets.resolution)
                )
        return rows

    def cutoff_rows(
        self, department_ids: Sequence[int | None]
    ) -> list[tuple[int, str, int | None, int | None, str | None, str | None]]:
        """`target_rows` with each target's cutoff (see `cutoff`), for store/report_sla_queries.py."""
        rows = []
        for department, priority, first, resolution in self.target_rows(department_ids):
            targets = self._targets(None if department == -1 else department, priority)
            rows.append(
                (department, priority, first, resolution, self.cutoff(targets, first), self.cutoff(targets, resolution))
            )
        return rows

    def cutoff(self, targets: SlaTargets, target: int | None) -> str | None:
        """The moment a clock must have started running before to be over `target` now by its
        business time alone: business seconds from a whole second `s` to now (as `outcomes`
        counts them) exceed `target` exactly when `s` is before it. None: not found within
        CUTOFF_DAYS (such clocks are judged one by one).

        Business time up to now only grows the earlier a clock started, so a binary search
        over the seconds finds the moment.
        """
        if target is None:
            return None
        key = (id(targets.hours), target)
        if key in self.cutoffs:
            return self.cutoffs[key]

        def over(moment: int) -> bool:
            text = to_text(datetime.fromtimestamp(moment, UTC))
            return self._business_since(targets, text, moment) > target

        high = self.now_epoch  # nothing counted from now on: never over (targets are not negative)
        step = max(target, 3600)
        while not over(high - step):
            step *= 2
            if step > CUTOFF_DAYS * 86400:
                self.cutoffs[key] = None
                return None
        low = high - step
        while high - low > 1:  # over(low), not over(high)
            middle = (low + high) // 2
            if over(middle):
                low = middle
            else:
                high = middle
        found = self.cutoffs[key] = to_text(datetime.fromtimestamp(high, UTC))
        return found

    def outcomes(
        self,
        department_id: int | None,
        priority: str,
        elapsed: int,
        running_since: str | None,
        first_elapsed: int | None,
        done: bool,
    ) -> tuple[int | None, int | None]:
        """(first response, resolution) outcome of one ticket."""
        targets = self._targets(department_id, priority)
        first_target, resolution_target = targets.first_response, targets.resolution
        if running_since is not None:
            # The clock runs: count business time up to now, but only when it could matter
            # (business time never runs faster than the wall clock).
            since = _epoch(running_since)
            upper = elapsed + self.now_epoch - since
            waiting = first_target if first_elapsed is None else None
            if (waiting is not None and elapsed <= waiting < upper) or (
                resolution_target is not None and elapsed <= resolution_target < upper
            ):
                elapsed += self._business_since(targets, running_since, since)
        first: int | None = None
        if first_target is not None:
            if first_elapsed is not None:
                first = BREACHED if first_elapsed > first_target else MET
            else:
                first = BREACHED if elapsed > first_target else PENDING
        resolution: int | None = None
        if resolution_target is not None:
            resolution = BREACHED if elapsed > resolution_target else MET if done else PENDING
        return first, resolution

    def _business_since(self, targets: SlaTargets, since: str, moment: int) -> int:
        """Business seconds from `since` to now, for many tickets at once.

        Split at the next UTC midnight: the opening hours of that UTC day (as
        epoch spans) and the business time from its end to now are worked out
        once per day and kept, so each ticket costs a few additions.
        """
        hours = targets.hours
        if moment >= self.now_epoch:
            return 0
        day = since[:10]
        key = (id(hours), day)
        known = self.days.get(key)
        if known is None:
            day_start = _epoch(day + "T00:00:00Z")
            day_end = day_start + 86400
            if day_end >= self.now_epoch:
                return hours.business_seconds(from_text(since), self.now)
            spans = []
            utc_day = date.fromisoformat(day)
            for local_day in (utc_day - timedelta(days=1), utc_day, utc_day + timedelta(days=1)):
                # The opening of one local date, as BusinessHours itself computes it.
                opening = hours._interval(local_day)  # same package; a hot path
                if opening is not None:
                    low = max(day_start, int(opening[0].timestamp()))
                    high = min(day_end, int(opening[1].timestamp()))
                    if high > low:
                        spans.append((low, high))
            end_moment = datetime.fromtimestamp(day_end, UTC)
            known = self.days[key] = (tuple(spans), hours.business_seconds(end_moment, self.now))
        openings, rest = known
        return rest + sum(high - (low if low > moment else moment) for low, high in openings if high > moment)


_DAY_EPOCHS: dict[str, int] = {}


def _epoch(stored: str) -> int:
    """Epoch seconds of a stored time (clock.to_epoch, twice as fast: the day part is cached).

    Called for every running SLA clock of the period.
    """
    day = _DAY_EPOCHS.get(stored[:10])
    if day is None:
        day = _DAY_EPOCHS[stored[:10]] = int(datetime.fromisoformat(stored[:10]).replace(tzinfo=UTC).timestamp())
    return day + int(stored[11:13]) * 3600 + int(stored[14:16]) * 60 + int(stored[17:19])
