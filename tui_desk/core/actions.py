"""Agent actions: one change over many tickets (bulk), and undo.

An action is a row in ``actions``. While it runs, the service records each ticket
it changes in ``action_tickets``, inside that ticket's own transaction: the
ticket's fields before and its version right after (TicketService.record_before).
Undo puts those fields back through the service, with an ``undone`` event per
ticket, while nothing else has changed the ticket since.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ..domain.clock import to_text
from ..domain.errors import ConflictError, NotFound, TransitionRefused, TuiDeskError
from ..domain.models import Status
from ..i18n import _, ngettext, number
from ..store import undo_log
from ..store.undo_log import RecordedAction, RecordedTicket
from .lifecycle import Change, TicketService
from .merging import undo_merge, undo_split

KEPT_ACTIONS = 100


class ActionKind(StrEnum):
    RESOLVE = "resolve"
    POSTPONE = "postpone"
    REOPEN = "reopen"
    SPAM = "spam"
    DELETE = "delete"
    RESTORE = "restore"
    STATUS = "status"
    ASSIGN = "assign"
    PRIORITY = "priority"
    DEPARTMENT = "department"
    TAG = "tag"
    MERGE = "merge"
    SPLIT = "split"
    REPLY = "reply"
    NOTE = "note"
    ROUTE = "route"  # a routing rule's changes (core/routing.py)


def action_done_text(kind: str, n: int) -> str:
    """A count and what the action did to that many tickets, "12 resolved": one plural per action."""
    texts: dict[str, str] = {
        ActionKind.RESOLVE: ngettext("{n} resolved", "{n} resolved", n),
        ActionKind.POSTPONE: ngettext("{n} postponed", "{n} postponed", n),
        ActionKind.REOPEN: ngettext("{n} reopened", "{n} reopened", n),
        ActionKind.SPAM: ngettext("{n} marked spam", "{n} marked spam", n),
        ActionKind.DELETE: ngettext("{n} deleted", "{n} deleted", n),
        ActionKind.RESTORE: ngettext("{n} restored", "{n} restored", n),
        ActionKind.STATUS: ngettext("{n} status set", "{n} status set", n),
        ActionKind.ASSIGN: ngettext("{n} assigned", "{n} assigned", n),
        ActionKind.PRIORITY: ngettext("{n} priority set", "{n} priority set", n),
        ActionKind.DEPARTMENT: ngettext("{n} moved to the department", "{n} moved to the department", n),
        ActionKind.TAG: ngettext("{n} tagged", "{n} tagged", n),
        ActionKind.MERGE: ngettext("{n} merged", "{n} merged", n),
        ActionKind.SPLIT: ngettext("{n} split", "{n} split", n),
        ActionKind.REPLY: ngettext("{n} replied", "{n} replied", n),
        ActionKind.NOTE: ngettext("{n} noted", "{n} noted", n),
        ActionKind.ROUTE: ngettext("{n} routed", "{n} routed", n),
    }
    return texts.get(kind, "{n} " + kind).format(n=number(n))


def action_name(kind: str) -> str:
    """An action as a noun phrase: "Undo: resolve"."""
    labels: dict[str, str] = {
        ActionKind.RESOLVE: _("resolve"),
        ActionKind.POSTPONE: _("postpone"),
        ActionKind.REOPEN: _("reopen"),
        ActionKind.SPAM: _("mark as spam"),
        ActionKind.DELETE: _("delete"),
        ActionKind.RESTORE: _("restore"),
        ActionKind.STATUS: _("set status"),
        ActionKind.ASSIGN: _("assign"),
        ActionKind.PRIORITY: _("set priority"),
        ActionKind.DEPARTMENT: _("set department"),
        ActionKind.TAG: _("tag"),
        ActionKind.MERGE: _("merge"),
        ActionKind.SPLIT: _("split"),
        ActionKind.REPLY: _("reply"),
        ActionKind.NOTE: _("note"),
        ActionKind.ROUTE: _("routing"),
    }
    return labels.get(kind, kind)


@dataclass
class Outcome:
    """What an action did to each ticket it was asked to change."""

    kind: str
    changes: list[Change] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)  # ticket id, why
    action_id: int | None = None

    @property
    def changed(self) -> list[int]:
        return list(dict.fromkeys(c.ticket_id for c in self.changes))

    @property
    def counted(self) -> int:
        """How many tickets the summary names: the merged ones of a merge, the new ones of a split."""
        if self.kind == ActionKind.MERGE:
            return len({c.ticket_id for c in self.changes if c.to_value == Status.MERGED.value})
        if self.kind == ActionKind.SPLIT:
            return len({c.ticket_id for c in self.changes if c.from_value is None})
        return len(self.changed)

    def summary(self, detail: str | None = None) -> str:
        """One line: "12 resolved, 1 refused: Ticket #88 is Spam and cannot be resolved; …".

        ``detail`` follows what was done: "5 postponed until Mon 8 Dec 09:00".
        """
        text = action_done_text(self.kind, self.counted) + (f" {detail}" if detail else "")
        if not self.refused:
            return text
        first_id, reason = self.refused[0]
        if len(self.refused) == 1:
            return _("{done}, 1 refused: {reason}").format(done=text, reason=reason)
        shown = ", ".join(f"#{ticket_id}" for ticket_id, _why in self.refused[:5])
        if len(self.refused) > 5:
            shown += ", …"
        return ngettext(
            "{done}, {n} refused ({ids}); the first: {reason}", "{done}, {n} refused ({ids}); the first: {reason}", len(self.refused)
        ).format(
            done=text, n=number(len(self.refused)), ids=shown, reason=reason
        )


class PartlyDone(TuiDeskError):
    """A bulk action stopped by an error on one ticket after it had changed others.

    The message is the usual summary (what was done, what was refused), then where it
    stopped and why, and the tickets not tried; ``outcome`` holds the changes made.
    """

    def __init__(self, outcome: Outcome, ticket_id: int, error: BaseException, untried: Sequence[int]) -> None:
        self.outcome = outcome
        self.ticket_id = ticket_id
        self.error = error
        reason = str(error) if isinstance(error, TuiDeskError) else f"{type(error).__name__}: {error}"
        text = _("{done}; stopped at #{id}: {reason}").format(done=outcome.summary(), id=ticket_id, reason=reason)
        if untried:
            shown = ", ".join(f"#{i}" for i in untried[:5]) + (", …" if len(untried) > 5 else "")
            text += "; " + _("not tried: {ids}").format(ids=shown)
        super().__init__(text)


def perform(
    service: TicketService,
    kind: str,
    ticket_ids: Iterable[int],
    apply: Callable[[int], Change | Sequence[Change]],
) -> Outcome:
    """Apply one change to each ticket, each in its own transaction, recorded as one action.

    A ticket that is refused (wrong status, unknown id, changed meanwhile) is named in
    the outcome and does not stop the others. Bad input for the action as a whole
    (an unknown priority, a store error) stops it at once, as it would fail for every
    ticket; what was done before stays done, and can be undone. If that happens after
    some tickets were changed, :class:`PartlyDone` says which were done, which were
    refused and where it stopped (on the first ticket, the error itself is raised).
    """
    wanted = list(dict.fromkeys(ticket_ids))
    outcome = Outcome(kind)
    with service.store.transaction() as conn:
        outcome.action_id = undo_log.insert_action(conn, service.actor, to_text(service.clock()), kind)
        # Undo goes back KEPT_ACTIONS steps per agent; older records only take room.
        undo_log.prune_actions(conn, service.actor, KEPT_ACTIONS)
    outer = service.recording
    service.recording = outcome.action_id
    try:
        for ticket_id in wanted:
            try:
                result = apply(ticket_id)
            except (TransitionRefused, NotFound, ConflictError) as error:
                outcome.refused.append((ticket_id, str(error)))
                continue
            except Exception as error:
                if not outcome.changes:
                    raise
                untried = wanted[wanted.index(ticket_id) + 1 :]
                raise PartlyDone(outcome, ticket_id, error, untried) from error
            outcome.changes.extend([result] if isinstance(result, Change) else result)
    finally:
        service.recording = outer
        if not outcome.changes:
            with service.store.transaction() as conn:
                undo_log.delete_action(conn, outcome.action_id)
            outcome.action_id = None
    return outcome


def last_action(service: TicketService, actor: str | None = None) -> RecordedAction | None:
    """The agent's latest action not yet undone, if any."""
    return undo_log.last_open_action(service.store, actor or service.actor)


def undo_last(service: TicketService, actor: str | None = None) -> Outcome:
    """Take back the agent's last action on every ticket nothing else has changed since.

    Refused as a whole (TransitionRefused) when there is nothing to undo, when the
    action was a reply or a note (a sent e-mail cannot be unsent), or when every
    ticket it changed was changed again since by someone or something else (or
    purged). Merge and split are taken back whole or not at all.

    A refused action is skipped from then on, and the refusal names the action
    before it: the next undo takes that one back instead of repeating the refusal.
    """
    action = last_action(service, actor)
    if action is None:
        raise TransitionRefused(_("Nothing to undo"))
    first = action.tickets[0].ticket_id
    if action.kind == ActionKind.REPLY:
        raise _skipped(
            service,
            action,
            _("Your last action was a reply on #{id}: a sent e-mail cannot be unsent; write another reply to correct it").format(
                id=first
            ),
        )
    if action.kind == ActionKind.NOTE:
        raise _skipped(
            service,
            action,
            _("Your last action was a note on #{id}: notes stay in the thread; add another note to correct it").format(
                id=first
            ),
        )
    outcome = Outcome(action.kind, action_id=action.id)
    if action.kind in (ActionKind.MERGE, ActionKind.SPLIT):
        undo = undo_merge if action.kind == ActionKind.MERGE else undo_split
        try:
            with service.store.transaction():  # both tickets, or neither
                outcome.changes.extend(undo(service, action))
                _mark_undone(service, action.id)
        except (ConflictError, NotFound) as error:
            raise _skipped(service, action, _("Nothing was undone: {reasons}").format(reasons=error)) from None
        return outcome
    for recorded in action.tickets:
        try:
            outcome.changes.append(
                service.put_back(
                    recorded.ticket_id,
                    recorded.before,
                    action_id=action.id,
                    version_after=recorded.version_after,
                    label=action.kind,
                )
            )
        except (ConflictError, NotFound, TransitionRefused) as error:
            outcome.refused.append((recorded.ticket_id, str(error)))
    if not outcome.changes:
        reasons = "; ".join(reason for _id, reason in outcome.refused[:3])
        raise _skipped(service, action, _("Nothing was undone: {reasons}").format(reasons=reasons))
    _mark_undone(service, action.id)
    return outcome


def _skipped(service: TicketService, action: RecordedAction, reason: str) -> TransitionRefused:
    """Skip an action undo refused, so the next undo reaches the one before it; the refusal says which."""
    with service.store.transaction() as conn:
        undo_log.mark_skipped(conn, action.id, to_text(service.clock()))
    before = last_action(service, action.actor)
    if before is None:
        return TransitionRefused(_("{reason}. It is skipped; there is nothing before it to undo").format(reason=reason))
    ids = sorted({t.ticket_id for t in before.tickets})
    where = f"#{ids[0]}" if len(ids) == 1 else ngettext("{n} ticket", "{n} tickets", len(ids)).format(n=number(len(ids)))
    return TransitionRefused(
        _("{reason}. It is skipped: undo again to undo {action} on {where}").format(
            reason=reason, action=action_name(before.kind), where=where
        )
    )


def _mark_undone(service: TicketService, action_id: int) -> None:
    with service.store.transaction() as conn:
        undo_log.mark_undone(conn, action_id, to_text(service.clock()))


def undo_summary(outcome: Outcome) -> str:
    """ "Undone: resolve on 12 tickets" and what was left as it was."""
    ids = outcome.changed
    where = f"#{ids[0]}" if len(ids) == 1 else ngettext("{n} ticket", "{n} tickets", len(ids)).format(n=number(len(ids)))
    text = _("Undone: {action} on {where}").format(action=action_name(outcome.kind), where=where)
    if outcome.refused:
        text += "; " + _("left as they are: {reasons}").format(
            reasons="; ".join(reason for _id, reason in outcome.refused[:3])
        )
    return text


__all__ = [
    "ActionKind",
    "Outcome",
    "PartlyDone",
    "RecordedAction",
    "RecordedTicket",
    "action_done_text",
    "action_name",
    "last_action",
    "perform",
    "undo_last",
    "undo_summary",
]
