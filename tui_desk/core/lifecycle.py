"""The status-transition service: every change to a ticket goes through here.

:class:`TicketService` is one object with the whole set of changes, built from
parts of their own: the machinery every change goes through (core/changes.py),
messages (core/conversation.py), fields other than the status
(core/ticket_fields.py) and SLA clock upkeep (core/sla_rebuild.py). This module
holds the status transitions of docs/lifecycle.md (the table itself is in
core/transitions.py) and purging; undo's way back is core/put_back.py.

Each public method is one transaction holding the change and its timeline
event; ``expected_version`` refuses a change to a ticket changed meanwhile
(ConflictError). See core/changes.py.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from ..domain.clock import to_text
from ..domain.errors import InvalidInput, NotFound, StoreError, TransitionRefused
from ..domain.models import BUILTIN_MEANINGS, EventKind, Meaning, Status, StatusDef
from ..i18n import _
from ..store import Connection, tickets
from . import merging
from .changes import SNAPSHOT_FIELDS, Change, Plan, TicketChanges, snapshot_of
from .conversation import Conversation, normalize_email
from .forwarding import Forwarding
from .put_back import PutBack
from .sla_rebuild import SlaRebuild
from .ticket_fields import FieldEdits
from .transitions import (
    CUSTOMER_REOPENS,
    LIVE,
    POSTPONE_FROM,
    REOPEN_FROM,
    REPLY_FROM,
    RESOLVE_FROM,
    RESTORE_FROM,
    STATUS_ACTIONS,
    parse_priority,
)


class TicketService(Conversation, FieldEdits, SlaRebuild, PutBack, Forwarding):
    """Every change to a ticket, each one transaction with its events (see the module docstring)."""

    # -- status transitions -------------------------------------------------------------
    def resolve(
        self,
        ticket_id: int,
        *,
        actor: str | None = None,
        expected_version: int | None = None,
        detail: str | None = None,
    ) -> Change:
        """Resolve the ticket; `detail` (e.g. why a time rule did it) goes into the event."""

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            self._require(ticket, definition, RESOLVE_FROM, "resolve")
            return Plan(
                {
                    "status": Status.RESOLVED.value,
                    "resolved_at": to_text(self.clock()),
                    "waiting_since": None,
                    "postponed_until": None,
                    "postponed_from": None,
                },
                [(EventKind.RESOLVED, ticket["status"], Status.RESOLVED.value, detail)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def postpone(
        self,
        ticket_id: int,
        until: datetime,
        *,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Change:
        now = self.clock()
        if until.tzinfo is None:
            until = until.astimezone()  # a bare time is the user's local time
        if until <= now:
            raise InvalidInput(_("A ticket can only be postponed until a time in the future"))
        until_text = to_text(until)

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            self._require(ticket, definition, POSTPONE_FROM, "postpone")
            return Plan(
                {
                    "status": Status.POSTPONED.value,
                    "postponed_until": until_text,
                    "postponed_from": ticket["status"],
                },
                [(EventKind.POSTPONED, ticket["status"], Status.POSTPONED.value, until_text)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def wake(self, ticket_id: int, *, actor: str = "system", expected_version: int | None = None) -> Change:
        """The postpone time has passed: back to the status it had before."""
        now_text = to_text(self.clock())

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            if ticket["status"] != Status.POSTPONED:
                raise TransitionRefused(
                    _("Ticket #{id} is {status}, not postponed").format(
                        id=ticket["id"], status=self._label(ticket["status"])
                    )
                )
            if ticket["postponed_until"] and ticket["postponed_until"] > now_text:
                raise TransitionRefused(
                    _("Ticket #{id} is postponed until {until}").format(
                        id=ticket["id"], until=ticket["postponed_until"]
                    )
                )
            target = self._live_or_open(ticket["postponed_from"])
            return Plan(
                {"status": target, "postponed_until": None, "postponed_from": None},
                [(EventKind.WOKEN, Status.POSTPONED.value, target, None)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def wake_due(self, *, actor: str = "system") -> list[Change]:
        """Wake every postponed ticket whose time has passed (idempotent)."""
        now_text = to_text(self.clock())
        changes = []
        for ticket_id in tickets.postponed_until_before(self.store, now_text):
            try:
                changes.append(self.wake(ticket_id, actor=actor))
            except (TransitionRefused, NotFound):
                continue  # someone else woke, answered or purged it meanwhile
        return changes

    def reopen(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            # Leaving a custom status for Open is a reopen too; built-ins follow the table.
            if definition.builtin or definition.meaning in (Meaning.SPAM, Meaning.DELETED):
                self._require(ticket, definition, REOPEN_FROM, "reopen")
            return Plan(
                {
                    "status": Status.OPEN.value,
                    "resolved_at": None,
                    "waiting_since": ticket["waiting_since"] or to_text(self.clock()),
                },
                [(EventKind.REOPENED, ticket["status"], Status.OPEN.value, None)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def mark_spam(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        return self._bin(ticket_id, Status.SPAM, EventKind.SPAM, actor, expected_version)

    def delete(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        return self._bin(ticket_id, Status.DELETED, EventKind.DELETED, actor, expected_version)

    def _bin(
        self, ticket_id: int, target: Status, kind: EventKind, actor: str | None, expected_version: int | None
    ) -> Change:
        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            if ticket["status"] == target:
                raise TransitionRefused(
                    _("Ticket #{id} is already {status}").format(id=ticket["id"], status=self._label(target))
                )
            fields: dict[str, Any] = {"status": target.value}
            # Only a live status is remembered, so spam -> deleted -> restore returns to the inbox.
            if definition.meaning not in (Meaning.SPAM, Meaning.DELETED):
                fields["previous_status"] = ticket["status"]
            return Plan(fields, [(kind, ticket["status"], target.value, None)])

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def restore(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            self._require(ticket, definition, RESTORE_FROM, "restore")
            target = self._live_or_open(ticket["previous_status"])
            return Plan(
                {"status": target, "previous_status": None},
                [(EventKind.RESTORED, ticket["status"], target, None)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def purge(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        """Remove a deleted ticket for good (thread, timeline and all)."""
        who = actor or self.actor
        with self.store.transaction() as conn:
            ticket = self.load_ticket_in_tx(conn, ticket_id, expected_version)
            if ticket["status"] != Status.DELETED:
                raise TransitionRefused(
                    _("Ticket #{id} is {status}: only deleted tickets can be purged").format(
                        id=ticket_id, status=self._label(ticket["status"])
                    )
                )
            self._remove_for_good(conn, [(ticket_id, ticket["subject"])], to_text(self.clock()), who)
        return Change(ticket_id, "purged", Status.DELETED.value, None)

    def purge_many(self, candidates: Sequence[tuple[int, int | None]], *, actor: str | None = None) -> list[Change]:
        """Purge several deleted tickets in one transaction, each checked as :meth:`purge` checks it.

        ``candidates``: (ticket id, expected version or None). A ticket that is
        gone, no longer Deleted or changed since that version is left out, never
        an error. One DELETE for them all: with the full-text indexes, that is
        many times faster than purging them one by one.
        """
        wanted = dict(candidates)
        if not wanted:
            return []
        who = actor or self.actor
        moment = to_text(self.clock())
        with self.store.transaction() as conn:
            found = tickets.versions_statuses_subjects(conn, wanted)
            chosen = [
                ticket_id
                for ticket_id, expected in wanted.items()
                if ticket_id in found
                and found[ticket_id][1] == Status.DELETED
                and (expected is None or found[ticket_id][0] == expected)
            ]
            self._remove_for_good(conn, [(ticket_id, found[ticket_id][2]) for ticket_id in chosen], moment, who)
        return [Change(ticket_id, "purged", Status.DELETED.value, None) for ticket_id in chosen]

    @staticmethod
    def _remove_for_good(conn: Connection, chosen: list[tuple[int, str]], moment: str, who: str) -> None:
        """Delete these tickets (id, subject), leaving a trace in `purged`, with the tickets merged into them.

        Their threads went into the purged ticket, so the pointers go with it: a pointer
        to a ticket that no longer exists would swallow the customer's next message.
        """
        gone = list(chosen)
        seen = {ticket_id for ticket_id, _subject in gone}
        frontier = list(seen)
        while frontier:  # pointers to pointers: a ticket merged into one that was merged on
            pointers = [
                (ticket_id, subject)
                for ticket_id, subject in tickets.merged_into_any(conn, frontier)
                if ticket_id not in seen
            ]
            frontier = [ticket_id for ticket_id, _subject in pointers]
            seen.update(frontier)
            gone += pointers
        tickets.delete_tickets(conn, gone, moment, who)

    def set_custom_status(
        self, ticket_id: int, key: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        target = self.status_def(key)
        if target.builtin:
            raise InvalidInput(_("{status} is a built-in status; use its own action").format(status=target.label))

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            if definition.meaning in (Meaning.SPAM, Meaning.DELETED):
                raise TransitionRefused(
                    _("Ticket #{id} is {status}: restore it first").format(
                        id=ticket["id"], status=definition.label
                    )
                )
            if ticket["status"] == target.key:
                raise TransitionRefused(
                    _("Ticket #{id} is already {status}").format(id=ticket["id"], status=target.label)
                )
            fields: dict[str, Any] = {"status": target.key, "postponed_until": None, "postponed_from": None}
            if target.meaning is Meaning.DONE:
                fields["resolved_at"] = to_text(self.clock())
            return Plan(fields, [(EventKind.STATUS, ticket["status"], target.key, None)])

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def set_status(
        self,
        ticket_id: int,
        word: str,
        *,
        until: datetime | None = None,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> Change:
        """One entry point for `status ID STATUS`: an action word or a custom status."""
        action = STATUS_ACTIONS.get(word.strip().lower())
        kwargs: dict[str, Any] = {"actor": actor, "expected_version": expected_version}
        if action == "postpone":
            if until is None:
                raise InvalidInput(_("Postponing needs a time: --until 2h, 3d, tomorrow or an ISO time"))
            return self.postpone(ticket_id, until, **kwargs)
        if until is not None:
            raise InvalidInput(_("--until only goes with postponed"))
        if action is not None:
            method: Callable[..., Change] = getattr(self, {"spam": "mark_spam"}.get(action, action))
            return method(ticket_id, **kwargs)
        definition = self.find_status(word)
        if definition is None:
            known = ", ".join(
                ["resolved", "postponed", "spam", "deleted", "restore", "open", "purge"]
                + [d.key for d in self.statuses().values() if not d.builtin]
            )
            raise InvalidInput(_("Unknown status {word!r}; use one of: {known}").format(word=word, known=known))
        if definition.builtin:
            raise InvalidInput(
                _("{status} is set by what happens to the ticket (a reply, a customer message), not directly").format(
                    status=definition.label
                )
            )
        return self.set_custom_status(ticket_id, definition.key, **kwargs)

    # -- merge and split (core/merging.py) ------------------------------------------------------
    def merge(self, source_id: int, target_id: int, *, actor: str | None = None) -> list[Change]:
        """Merge one ticket into another: see core/merging.py."""
        return merging.merge(self, source_id, target_id, actor=actor)

    def split(self, message_id: int, *, actor: str | None = None) -> list[Change]:
        """Split a customer's message off into a new ticket: see core/merging.py."""
        return merging.split(self, message_id, actor=actor)


__all__ = [
    "BUILTIN_MEANINGS",
    "CUSTOMER_REOPENS",
    "LIVE",
    "POSTPONE_FROM",
    "REOPEN_FROM",
    "REPLY_FROM",
    "RESOLVE_FROM",
    "RESTORE_FROM",
    "SNAPSHOT_FIELDS",
    "STATUS_ACTIONS",
    "Change",
    "Plan",
    "StoreError",
    "TicketChanges",
    "TicketService",
    "normalize_email",
    "parse_priority",
    "snapshot_of",
]
