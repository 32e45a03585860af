"""Time rules: what happens to tickets as time passes, by actor ``system``.

- SLA clocks are rebuilt when the SLA policies changed since they were computed.
- A postponed ticket comes back when its time passes.
- A ticket left Answered with no customer reply for N days is resolved
  (counted from its last message, the agent's reply or the customer's;
  internal notes and other changes do not count).
- A deleted ticket is purged for good N days after it was deleted: off unless
  the config turns it on, since it destroys data the user may still want.

Every change goes through the status-transition service, so each one is an
event (a purge leaves its trace in ``purged``). :func:`run_rules` is
idempotent: a second run right after the first changes nothing. The app runs
it at start and every minute; ``tui-desk rules run`` runs it from cron.

Config format (the ``[rules]`` table of the TOML config file)::

    [rules]
    auto_resolve_after = "5d"    # calendar days; "off" disables (default "5d")
    purge_deleted_after = "30d"  # calendar days; "off" disables (default "off": opt-in)

A value is ``"<n>d"``, ``"<n>w"`` (weeks), ``"<n>h"`` (hours), a bare integer
(days), or ``"off"``. Unlike SLA durations these are plain calendar time,
not business time.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from ..domain.clock import to_text
from ..domain.errors import ConflictError, InvalidInput, NotFound, TransitionRefused
from ..i18n import _, ngettext
from ..store import queries
from .lifecycle import Change, TicketService

SYSTEM = "system"
_KEYS = ("auto_resolve_after", "purge_deleted_after")
_OFF_WORDS = ("off", "none", "no", "never", "false")
_PERIOD = re.compile(r"\s*(\d+)\s*([a-z]*)\s*")
_PERIOD_UNITS = {
    "": "d", "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
}  # fmt: skip
_UNIT_DELTAS = {"d": timedelta(days=1), "w": timedelta(weeks=1), "h": timedelta(hours=1)}


def _bad(key: str, value: object, problem: str) -> InvalidInput:
    shown = f'"{value}"' if isinstance(value, str) else str(value)
    return InvalidInput(
        _("Bad rules setting rules.{key} = {value}: {problem}").format(key=key, value=shown, problem=problem)
    )


def parse_period(value: object, key: str) -> timedelta | None:
    """``"5d"``, ``"2w"``, ``"36h"``, an integer number of days, or ``"off"`` (None)."""
    if value is False or (isinstance(value, str) and value.strip().lower() in _OFF_WORDS):
        return None
    usage = _('use a number of days such as 5d (or 2w, 36h), or "off"')
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _bad(key, value, usage)
    if isinstance(value, int):
        amount, unit = value, "d"
    else:
        match = _PERIOD.fullmatch(value.lower())
        if match is None or match.group(2) not in _PERIOD_UNITS:
            raise _bad(key, value, usage)
        amount, unit = int(match.group(1)), _PERIOD_UNITS[match.group(2)]
    if amount <= 0:
        raise _bad(key, value, _('must be more than zero (use "off" to disable the rule)'))
    if amount > 100_000:
        raise _bad(key, value, usage)
    return amount * _UNIT_DELTAS[unit]


def format_period(period: timedelta | None) -> str:
    """The config form of a period: ``"5d"``, ``"36h"`` or ``"off"``."""
    if period is None:
        return "off"
    hours = int(period.total_seconds()) // 3600
    if hours % 24 == 0:
        return f"{hours // 24}d"
    return f"{hours}h"


def describe_period(period: timedelta) -> str:
    hours = int(period.total_seconds()) // 3600
    if hours % 24 == 0:
        days = hours // 24
        return ngettext("{n} day", "{n} days", days).format(n=days)
    return ngettext("{n} hour", "{n} hours", hours).format(n=hours)


@dataclass(frozen=True)
class RulesConfig:
    """The ``[rules]`` table; None disables a rule.

    A rule that destroys data is off until the user sets it: purging deleted tickets
    by default would empty the bin of an old store at the first start of the app.
    Auto-resolve only changes a status (the ticket reopens when the customer writes),
    so it stays on by default, as in most help desks.
    """

    auto_resolve_after: timedelta | None = timedelta(days=5)
    purge_deleted_after: timedelta | None = None

    @classmethod
    def from_config(cls, raw: Mapping[str, object] | None) -> RulesConfig:
        """From the whole parsed config (``Config.raw``); no [rules] gives the defaults."""
        table = (raw or {}).get("rules", {})
        if not isinstance(table, Mapping):
            raise InvalidInput(_("Bad rules setting rules: must be a table ([rules])"))
        for key in table:
            if key not in _KEYS:
                raise InvalidInput(
                    _("Bad rules setting rules.{key}: unknown setting (known: {known})").format(
                        key=key, known=", ".join(_KEYS)
                    )
                )
        values = {key: parse_period(table[key], key) for key in _KEYS if key in table}
        return cls(**values)

    @staticmethod
    def set_in(raw: Mapping[str, object] | None) -> set[str]:
        """The rule keys the config sets (the others are defaults)."""
        table = (raw or {}).get("rules", {})
        return {key for key in _KEYS if isinstance(table, Mapping) and key in table}

    def to_config(self) -> dict[str, object]:
        return {"rules": {key: format_period(getattr(self, key)) for key in _KEYS}}


@dataclass
class RulesReport:
    """What one run did: counts per rule, and the changes (for notifications)."""

    sla_rebuilt: int = 0
    woken: int = 0
    auto_resolved: int = 0
    purged: int = 0
    skipped: int = 0  # candidates someone else changed meanwhile: left for the next run
    auto_resolve_after: timedelta | None = None
    purge_deleted_after: timedelta | None = None
    changes: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> int:
        """Tickets changed (SLA rebuilds are derived columns, not changes)."""
        return self.woken + self.auto_resolved + self.purged

    def as_dict(self) -> dict[str, object]:
        return {
            "sla_rebuilt": self.sla_rebuilt,
            "woken": self.woken,
            "auto_resolved": self.auto_resolved,
            "purged": self.purged,
            "skipped": self.skipped,
            "auto_resolve_after": format_period(self.auto_resolve_after),
            "purge_deleted_after": format_period(self.purge_deleted_after),
            "changes": [
                {"ticket_id": c.ticket_id, "kind": c.kind, "from": c.from_value, "to": c.to_value}
                for c in self.changes
            ],
        }

    def lines(self) -> list[str]:
        """One line per rule, for people."""
        result = [
            ngettext(
                "SLA clocks: rebuilt for {n} ticket (the policies changed)",
                "SLA clocks: rebuilt for {n} tickets (the policies changed)",
                self.sla_rebuilt,
            ).format(n=self.sla_rebuilt)
            if self.sla_rebuilt
            else _("SLA clocks: up to date"),
            ngettext("Postponed: woke {n} ticket", "Postponed: woke {n} tickets", self.woken).format(n=self.woken),
        ]
        if self.auto_resolve_after is None:
            result.append(_("Auto-resolve: off"))
        else:
            result.append(
                ngettext(
                    "Auto-resolve: resolved {n} ticket answered with no customer reply for {period}",
                    "Auto-resolve: resolved {n} tickets answered with no customer reply for {period}",
                    self.auto_resolved,
                ).format(n=self.auto_resolved, period=describe_period(self.auto_resolve_after))
            )
        if self.purge_deleted_after is None:
            result.append(_("Purge: off"))
        else:
            result.append(
                ngettext(
                    "Purge: purged {n} ticket deleted more than {period} ago",
                    "Purge: purged {n} tickets deleted more than {period} ago",
                    self.purged,
                ).format(n=self.purged, period=describe_period(self.purge_deleted_after))
            )
        if self.skipped:
            result.append(
                ngettext(
                    "Skipped {n} ticket changed meanwhile (the next run looks again)",
                    "Skipped {n} tickets changed meanwhile (the next run looks again)",
                    self.skipped,
                ).format(n=self.skipped)
            )
        return result


_SKIPPED = (TransitionRefused, ConflictError, NotFound)


def run_rules(service: TicketService, config: RulesConfig | None = None) -> RulesReport:
    """Apply every time rule once, as actor ``system``. Idempotent.

    The service's clock is "now" and its SLA policies are the ones the clocks
    are checked against. Candidates are read from indexes; each is then
    changed in its own transaction with the version it was found at, so a
    ticket someone changed meanwhile is skipped (and looked at again next run).
    """
    config = config or RulesConfig()
    report = RulesReport(
        auto_resolve_after=config.auto_resolve_after, purge_deleted_after=config.purge_deleted_after
    )
    report.sla_rebuilt = service.ensure_sla_current()

    woken = service.wake_due(actor=SYSTEM)
    report.woken = len(woken)
    report.changes.extend(woken)

    now = service.clock()
    if config.auto_resolve_after is not None:
        cutoff = to_text(now - config.auto_resolve_after)
        detail = _("Resolved automatically: no customer reply for {period}").format(
            period=describe_period(config.auto_resolve_after)
        )
        candidates = queries.answered_before(service.store, cutoff)
        changes = _in_batches(
            service,
            candidates,
            lambda ticket_id, version: service.resolve(
                ticket_id, actor=SYSTEM, expected_version=version, detail=detail
            ),
        )
        report.auto_resolved = len(changes)
        report.skipped += len(candidates) - len(changes)
        report.changes.extend(changes)

    if config.purge_deleted_after is not None:
        cutoff = to_text(now - config.purge_deleted_after)
        candidates = queries.deleted_before(service.store, cutoff)
        changes = []
        for start in range(0, len(candidates), PURGE_BATCH):  # one statement per batch: see purge_many
            changes.extend(service.purge_many(candidates[start : start + PURGE_BATCH], actor=SYSTEM))
        report.purged = len(changes)
        report.skipped += len(candidates) - len(changes)
        report.changes.extend(changes)
    return report


# A batch holds the write lock: short enough that an agent's save waits unnoticed.
BATCH_SECONDS = 0.1
PURGE_BATCH = 500  # ~0.1 s each


def _in_batches(
    service: TicketService,
    candidates: Sequence[tuple[int, int]],
    act: Callable[[int, int], Change],
) -> list[Change]:
    """act(id, version) for each candidate, several per transaction, each in its own savepoint.

    One commit per batch instead of one per ticket (a commit costs more than
    the change itself). A candidate refused or changed meanwhile is undone
    alone and left out; the batch goes on.
    """
    done: list[Change] = []
    position = 0
    while position < len(candidates):
        started = time.monotonic()
        with service.store.transaction():
            while position < len(candidates) and time.monotonic() - started < BATCH_SECONDS:
                ticket_id, version = candidates[position]
                position += 1
                try:
                    done.append(act(ticket_id, version))
                except _SKIPPED:
                    continue
    return done


__all__ = ["SYSTEM", "RulesConfig", "RulesReport", "describe_period", "format_period", "parse_period", "run_rules"]
