"""First replies and resolutions of a report's period, day by day (the fast path of build_report).

Exact medians and 90th percentiles need every value; what this saves is how
they come and how often they are sorted (docs/issue16/report-durations.md):
one read per day of the period (store/report_durations.py: an index-only range
scan, the day's seconds as one text), each day's first replies sorted once for
its median, and the period's total sorted from those sorted days (a merge of
runs). Groups get their values as they come; a ticket comes once with its
tags, so it counts once per tag in the groups and once in the totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..store import Store
from ..store import report_durations as rd
from ..store.report_queries import Keys
from .report_period import Period


@dataclass
class PeriodSeconds:
    """Seconds of the period's first replies and resolutions: in total, per day, per group."""

    first: list[int] = field(default_factory=list)  # sorted
    first_per_day: list[list[int]] = field(default_factory=list)  # each sorted
    resolution: list[int] = field(default_factory=list)  # sorted
    resolved_per_day: list[int] = field(default_factory=list)
    first_groups: dict[Any, list[int]] = field(default_factory=dict)
    resolution_groups: dict[Any, list[int]] = field(default_factory=dict)


def _spread(groups: dict[Any, list[int]], values: list[int], keys: list[Any]) -> None:
    for value, key in zip(values, keys, strict=True):
        for one in key if type(key) is tuple else (key,):  # several tags: in each
            found = groups.get(one)
            if found is None:
                groups[one] = [value]
            else:
                found.append(value)


def period_seconds(store: Store, period: Period, keys: Keys, by: str | None) -> PeriodSeconds:
    """What build_report needs of first replies and resolutions, `by` a grouping or None."""
    out = PeriodSeconds()
    bounds = period.bounds
    for lo, hi in zip(bounds, bounds[1:], strict=False):
        values, groups = rd.seconds(store, rd.FIRST, lo, hi, keys, by)
        if groups is not None:
            _spread(out.first_groups, values, groups)
        values.sort()
        out.first_per_day.append(values)
        out.first.extend(values)
        values, groups = rd.seconds(store, rd.RESOLVED, lo, hi, keys, by)
        if groups is not None:
            _spread(out.resolution_groups, values, groups)
        out.resolved_per_day.append(len(values))
        out.resolution.extend(values)
    out.first.sort()  # runs already sorted: a merge
    out.resolution.sort()
    return out
