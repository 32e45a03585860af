"""The SLA compliance part of a report: which clocks SQL counts, and which the judge counts one by one.

Two ways, the same figures (tests/test_report_summary.py and tests/test_report_sla_fast.py
compare them):

- the reference (``scan``): SQL counts the stopped clocks; every running clock
  (a fifth of the tickets of a demo desk) comes back and is judged in Python
  (report_queries.sla_outcomes, report_queries.running_clocks);
- the fast way: SQL counts the stopped clocks and the running ones whose outcome
  the cutoffs or the upper bound decide (store/report_sla_queries.py), and only
  the others come back: a clock that ran before, paused, and runs again with part
  of its target left, or a ticket whose priority the targets do not know.

See docs/issue16/report-sla.md for the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..store import Store
from ..store import report_queries as rq
from ..store import report_sla_queries as rsq
from .report_sla import BREACHED, MET, PENDING, SlaJudge

Counts = dict[int | None, int]  # outcome (report_sla.PENDING, MET, BREACHED; None: no target) -> tickets
Counted = tuple[Any, int, Counts, Counts]  # (group, tickets, first response counts, resolution counts)


class SlaCounting:
    """The SLA outcomes of the tickets created in [start, end), for one report."""

    def __init__(
        self,
        store: Store,
        judge: SlaJudge,
        department_ids: Sequence[int | None],
        start: str,
        end: str,
        keys: rq.Keys,
        *,
        scan: bool,
    ) -> None:
        self.store, self.start, self.end, self.keys = store, start, end, keys
        self.targets = judge.target_rows(department_ids)
        self.cutoffs = [] if scan else judge.cutoff_rows(department_ids)
        self.now_epoch = judge.now_epoch
        # A target without a cutoff (business hours that hardly ever open): the reference way.
        self.scan = scan or any(
            (first is not None and first_cut is None) or (resolution is not None and resolution_cut is None)
            for _d, _p, first, resolution, first_cut, resolution_cut in self.cutoffs
        )
        self.unknown = False  # tickets without a known target: judged one by one too

    def counted(self, by: str | None) -> list[Counted]:
        """The outcomes SQL counts, per group (safe to call from another thread)."""
        if self.scan:
            rows = rq.sla_outcomes(self.store, self.start, self.end, self.keys, self.targets, by)
            return [(key, count, {first: count}, {resolution: count}) for key, first, resolution, count in rows]
        found = rsq.sla_counts(self.store, self.start, self.end, self.keys, self.cutoffs, by)
        if by != "tag":  # once per report: by tag, the count for the totals (by None) asks
            self.unknown = rsq.unknown_priority_count(self.store, self.start, self.end, self.keys, self.cutoffs) > 0
        found += rsq.resumed_counts(self.store, self.start, self.end, self.keys, self.cutoffs, by, self.now_epoch)
        return [
            (key, tickets, _counts(tickets, first), _counts(tickets, resolution))
            for key, tickets, first, resolution in found
        ]

    def one_by_one(self, by: str | None) -> list[tuple[Any, ...]]:
        """Rows of report_queries.running_clocks for the clocks `counted` leaves out.

        The fast way: the tickets without a known target only after `counted`
        has said there are some (`without_targets`).
        """
        if self.scan:
            return rq.running_clocks(self.store, self.start, self.end, self.keys, self.targets, by)
        return rsq.resumed_clocks(self.store, self.start, self.end, self.keys, self.cutoffs, by, self.now_epoch)

    def without_targets(self, by: str | None) -> list[tuple[Any, ...]]:
        """The tickets `counted` found without a known target, to judge one by one (fast way only)."""
        if self.scan or not self.unknown:
            return []
        return rsq.unknown_priorities(self.store, self.start, self.end, self.keys, self.cutoffs, by)


def _counts(tickets: int, outcomes: tuple[int, int, int]) -> Counts:
    pending, met, breached = outcomes
    return {PENDING: pending, MET: met, BREACHED: breached, None: tickets - pending - met - breached}
