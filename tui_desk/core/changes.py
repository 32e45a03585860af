"""How the status-transition service makes one change: load, plan, write, record.

Each change is one transaction holding the ticket's new fields, its timeline
events and its undo record. The transaction takes SQLite's write lock before it
reads the ticket (``BEGIN IMMEDIATE``), so two agents on one file are
serialised: the second sees the first's change and is either applied on top of
it or refused. A caller that showed the user an older version can pass
``expected_version`` to be refused instead of acting on stale information.

:class:`TicketChanges` is the base of ``TicketService`` (core/lifecycle.py); the
actions themselves live in the modules that extend it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.clock import Clock, from_text, system_clock, to_text
from ..domain.errors import ConflictError, InvalidInput, NotFound, TransitionRefused
from ..domain.models import CUSTOM_MEANINGS, Meaning, Status, StatusDef, event_label, status_label
from ..domain.text import storable_data
from ..i18n import _
from ..store import Connection, Store, action_tickets, sla_clocks, statuses, tickets, writes
from . import sla_tracking
from .names import status_name
from .new_tickets import NewTickets
from .sla import SlaPolicies, SlaTargets

# Events whose to_value is the ticket's status after them: the status history SLA clocks replay.
STATUS_EVENT_KINDS = frozenset(
    {"created", "customer_message", "replied", "resolved", "postponed", "woken", "reopened",
     "spam", "deleted", "restored", "status", "merged", "split", "undone"}
)


@dataclass(frozen=True)
class Change:
    """What one call changed, for notifications and scripts."""

    ticket_id: int
    kind: str
    from_value: str | None
    to_value: str | None
    message_id: int | None = None


# What an undo puts back (core/actions.py): the ticket's own fields as they were before an action.
# Derived columns (bucket, sort_key, SLA clocks) are recomputed, as for any change; deleted_at is
# put back so that undoing a restore does not restart the purge clock.
SNAPSHOT_FIELDS = (
    "subject", "status", "previous_status", "postponed_from", "postponed_until", "priority", "priority_rank",
    "waiting_since", "first_response_at", "resolved_at", "last_customer_message_at", "last_agent_reply_at",
    "last_message_at", "message_count", "merged_into", "deleted_at",
)


def snapshot_of(ticket: dict[str, Any]) -> dict[str, Any]:
    """A loaded ticket's fields as an undo needs them (names for assignee and department, tags)."""
    return {
        **{name: ticket[name] for name in SNAPSHOT_FIELDS},
        "assignee": ticket["assignee"],
        "department": ticket["department"],
        "tags": list(ticket["tags"]),
    }


@dataclass
class Plan:
    """What a change does to a ticket: its new fields and the events that tell it.

    A field given as ("agent" | "department", name) is that name's id, created on first use.
    """

    fields: dict[str, Any]
    events: list[tuple[str, str | None, str | None, str | None]]  # kind, from, to, detail


# Decides a change from the ticket as loaded (with tags, names) and its status's definition.
Planner = Callable[[dict[str, Any], StatusDef], Plan]



def refusal(action: str) -> str:
    """The whole sentence refusing `action` (resolve, postpone, reopen, restore) on a ticket.

    One sentence per action, not a verb spliced into a frame: the participle's form
    depends on the sentence around it in most of the languages (docs/issue17/languages.md).
    """
    sentences = {
        "reply": _("Ticket #{id} is {status} and cannot be replied to; only {allowed} tickets can"),
        "resolve": _("Ticket #{id} is {status} and cannot be resolved; only {allowed} tickets can"),
        "postpone": _("Ticket #{id} is {status} and cannot be postponed; only {allowed} tickets can"),
        "reopen": _("Ticket #{id} is {status} and cannot be reopened; only {allowed} tickets can"),
        "restore": _("Ticket #{id} is {status} and cannot be restored; only {allowed} tickets can"),
    }
    return sentences[action]

class TicketChanges:
    """The service's state and the machinery every change goes through."""

    def __init__(
        self,
        store: Store,
        clock: Clock = system_clock,
        actor: str = "agent",
        sla: SlaPolicies | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.actor = actor
        self.sla = sla if sla is not None else SlaPolicies.from_config(None)
        self._statuses: dict[str, StatusDef] | None = None
        # The agent action being recorded for undo (core/actions.py), per thread: the app runs
        # changes in worker threads on one service.
        self._local = threading.local()

    # -- undo records -------------------------------------------------------------------
    @property
    def recording(self) -> int | None:
        """The id of the action whose changes are being recorded in this thread, if any."""
        return getattr(self._local, "action_id", None)

    @recording.setter
    def recording(self, action_id: int | None) -> None:
        self._local.action_id = action_id

    @property
    def new_tickets(self) -> NewTickets | None:
        """The batch of new tickets open in this thread (Conversation.new_tickets_together), if any:
        rows written meanwhile take their ids from it."""
        return getattr(self._local, "new_tickets", None)

    @new_tickets.setter
    def new_tickets(self, batch: NewTickets | None) -> None:
        self._local.new_tickets = batch

    def record_before(
        self, conn: Connection, ticket: dict[str, Any], extra: dict[str, Any] | None = None
    ) -> None:
        """Remember, in the change's own transaction, what the ticket was before it: undo needs it.

        ``ticket`` as :meth:`load_ticket_in_tx` gave it; ``extra``: what else undo needs (ids of
        rows moved). Does nothing unless an action is being recorded (:attr:`recording`).
        """
        action_id = self.recording
        if action_id is None:
            return
        combined = action_tickets.recorded_extra(conn, action_id, ticket["id"])
        if combined is not None:
            # Touched again by the same action (several tickets merged into one): keep the state
            # before the first change, and add up what each change moved.
            for key, value in (extra or {}).items():
                combined[key] = combined.get(key, []) + value if isinstance(value, list) else value
            action_tickets.update_record(conn, action_id, ticket["id"], ticket["version"] + 1, combined)
            return
        action_tickets.insert_record(
            conn, action_id, ticket["id"], ticket["version"], ticket["version"] + 1, snapshot_of(ticket), extra
        )

    # -- statuses --------------------------------------------------------------------
    def statuses(self, reload: bool = False) -> dict[str, StatusDef]:
        if self._statuses is None or reload:
            self._statuses = {definition.key: definition for definition in statuses.all_statuses(self.store)}
        return self._statuses

    def status_def(self, key: str) -> StatusDef:
        known = self.statuses()
        if key not in known:
            known = self.statuses(reload=True)  # another process may have added it
        if key not in known:
            raise InvalidInput(
                _("Unknown status {key!r}; known statuses: {known}").format(
                    key=key, known=", ".join(known)
                )
            )
        return known[key]

    def find_status(self, word: str) -> StatusDef | None:
        """A status by key or by (displayed or stored) name, case-insensitively."""
        wanted = word.strip().casefold()
        for definition in self.statuses(reload=True).values():
            if wanted in (definition.key.casefold(), definition.name.casefold(), definition.label.casefold()):
                return definition
        return None

    def define_status(self, name: str, meaning: str, key: str | None = None) -> StatusDef:
        """Add a custom status mapped to a built-in meaning (attention, waiting, done, hold)."""
        name = status_name(name)  # one set of rules for the CLI and the app
        try:
            meaning_value = Meaning(meaning.strip().lower())
        except ValueError:
            meaning_value = None
        if meaning_value is None or meaning_value not in CUSTOM_MEANINGS:
            raise InvalidInput(
                _("Unknown meaning {meaning!r}: use one of {known}").format(
                    meaning=meaning, known=", ".join(m.value for m in CUSTOM_MEANINGS)
                )
            )
        key = (key or "-".join(name.lower().split())).strip()
        with self.store.transaction() as conn:
            if statuses.status_taken(conn, key, name):
                raise InvalidInput(_("A status named {name!r} already exists").format(name=name))
            statuses.insert_custom_status(conn, key, name, meaning_value)
        self._statuses = None
        return self.status_def(key)

    def status_in_tx(self, conn: Connection, key: str) -> StatusDef:
        """The definition of status ``key``, read inside the caller's transaction if not known yet.

        A status removed by hand from the file counts as needing attention: never a crash.
        """
        known = self.statuses()
        if key in known:
            return known[key]
        found = statuses.status_by_key(conn, key)
        if found is None:
            return StatusDef(key, key, Meaning.ATTENTION, False)
        self._statuses = None
        return found

    # -- the machinery --------------------------------------------------------------------
    def change(
        self,
        ticket_id: int,
        plan: Planner,
        *,
        actor: str | None,
        expected_version: int | None,
        message: dict[str, Any] | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
        at: str | None = None,
        also: Callable[[Connection, int | None], None] | None = None,
        extra: dict[str, Any] | None = None,
        follow_merged: bool = False,
        allow_merged: bool = False,
        tags: bool = True,
    ) -> Change:
        """One change in one transaction: load, plan, write the ticket, its events, its undo record.

        ``plan`` decides the new fields and events from the ticket as loaded; ``message`` (with
        ``attachments``) is added to the thread; ``also(conn, message row id)`` writes what else
        belongs to the change, in its transaction; ``extra`` goes into the undo record.
        ``follow_merged``: a ticket merged into another one stands for that one (a customer
        writing to the old thread). ``allow_merged``: the change may touch a merged ticket (undo).
        ``tags=False``: ``plan`` does not read the ticket's tags (they are loaded anyway when an
        undo record needs them). Raises ConflictError if the ticket is no longer at ``expected_version``.
        """
        who = actor or self.actor
        moment = at or to_text(self.clock())
        tags = tags or self.recording is not None
        with self.store.transaction() as conn:
            ticket = self.load_ticket_in_tx(conn, ticket_id, expected_version, tags=tags)
            if ticket["status"] == Status.MERGED and follow_merged:
                target = self.follow_merges(conn, ticket_id)
                if target != ticket_id:
                    ticket_id = target
                    ticket = self.load_ticket_in_tx(conn, ticket_id, None, tags=tags)
            definition = self.status_in_tx(conn, ticket["status"])
            if definition.meaning is Meaning.MERGED and not (allow_merged or follow_merged):
                raise self.merged_refusal(ticket)
            decided = plan(ticket, definition)
            fields = dict(decided.fields)
            names = {c: v[1] for c, v in fields.items() if isinstance(v, tuple)}
            for column, name in names.items():
                kind = fields[column][0]
                fields[column] = tickets.named_id(conn, kind, name) if name else None
            fields["updated_at"] = moment
            merged = {**ticket, **fields}
            meaning = self.status_in_tx(conn, merged["status"]).meaning
            fields["bucket"] = writes.bucket_for(meaning)
            fields["sort_key"] = writes.sort_key_for(meaning, merged["waiting_since"], moment)
            targets = self.sla.for_ticket(names.get("department_id", ticket["department"]), merged["priority"])
            fields.update(
                sla_tracking.advance(
                    ticket,
                    attention=meaning is Meaning.ATTENTION,
                    first_response_now=ticket["first_response_at"] is None and bool(fields.get("first_response_at")),
                    targets=targets,
                    now=from_text(moment),
                    used_up_at=self._sla_used_up_at(conn, ticket_id, targets, moment),
                )
            )
            if meaning is Meaning.DELETED:
                if fields.get("deleted_at") is None:  # an undo brings back the first deletion's time
                    fields["deleted_at"] = ticket["deleted_at"] if ticket["status"] == merged["status"] else moment
            else:
                fields["deleted_at"] = None
            # Only what differs is written: SQLite rewrites the entries of every index on a column
            # named in the SET, even to the value it had (most of the inbox indexes, per message).
            changed = {column: value for column, value in fields.items() if column not in ticket or ticket[column] != value}
            writes.update_ticket(conn, ticket_id, ticket["version"], changed)
            self.record_before(conn, ticket, extra)
            message_row_id = None
            ids = self.new_tickets
            if ids is not None:  # pending with the batch's new tickets, ids as one at a time (core/new_tickets.py)
                message_row_id = ids.add_to(
                    ticket_id, None if message is None else storable_data(message),
                    storable_data(tuple(attachments)) if message is not None else (),
                    [{"at": moment, "actor": who, "kind": kind, "from_value": from_value, "to_value": to_value,
                      "detail": detail} for kind, from_value, to_value, detail in decided.events],
                )
            else:
                if message is not None:
                    message_row_id = writes.insert_message(conn, {"ticket_id": ticket_id, **storable_data(message)})
                    for filename, content_type, data in storable_data(tuple(attachments)):
                        writes.insert_attachment(conn, message_row_id, filename, content_type, data)
                for kind, from_value, to_value, detail in decided.events:
                    writes.insert_event(conn, ticket_id, moment, who, kind, from_value, to_value, detail)
            if also is not None:
                also(conn, message_row_id)
        kind, from_value, to_value, _detail = decided.events[0]
        return Change(ticket_id, kind, from_value, to_value, message_row_id)

    def follow_merges(self, conn: Connection, ticket_id: int) -> int:
        """The ticket a merged ticket (or a chain of them) went into; the ticket itself otherwise."""
        seen = {ticket_id}
        while True:
            target = tickets.merged_into(conn, ticket_id)
            if target is None or target in seen:
                return ticket_id
            if not tickets.ticket_exists(conn, target):
                return ticket_id  # the target was purged: the pointer is all that is left
            ticket_id = target
            seen.add(ticket_id)

    def merged_refusal(self, ticket: dict[str, Any]) -> TransitionRefused:
        return TransitionRefused(
            _("Ticket #{id} was merged into #{target}; work on #{target}").format(
                id=ticket["id"], target=ticket["merged_into"]
            )
        )

    def load_ticket_in_tx(
        self, conn: Connection, ticket_id: int, expected_version: int | None, *, tags: bool = True
    ) -> dict[str, Any]:
        """The ticket as a change sees it, inside the caller's transaction: its columns, the names of
        its assignee and department (``assignee``, ``department``) and its ``tags`` (unless ``tags=False``).

        Raises NotFound, or ConflictError (naming who changed it last) when ``expected_version``
        is given and the ticket is no longer at it.
        """
        ticket = tickets.load_ticket(conn, ticket_id)
        if ticket is None:
            raise NotFound(_("No ticket #{id}").format(id=ticket_id))
        if expected_version is not None and ticket["version"] != expected_version:
            last = tickets.last_event(conn, ticket_id)
            by = _(" (last: {kind} by {actor})").format(kind=event_label(last[1]), actor=last[0]) if last else ""
            raise ConflictError(
                _("Ticket #{id} was changed meanwhile{by}; nothing was done, look again and retry").format(
                    id=ticket_id, by=by
                )
            )
        if tags:
            ticket["tags"] = tickets.ticket_tags(conn, ticket_id)
        return ticket

    def _require(self, ticket: dict[str, Any], definition: StatusDef, allowed: frozenset[Status], action: str) -> None:
        if definition.base in allowed:
            return
        names = ", ".join(status_label(s) for s in sorted(allowed, key=list(Status).index))
        raise TransitionRefused(
            refusal(action).format(id=ticket["id"], status=definition.label, allowed=names)
        )

    def _label(self, key: str) -> str:
        definition = self.statuses().get(key)
        return definition.label if definition else status_label(key)

    def _live_or_open(self, key: str | None) -> str:
        """A remembered status to return to, if it still exists and is live; else Open."""
        if key and key in self.statuses(reload=key not in self.statuses()):
            meaning = self.statuses()[key].meaning
            if meaning not in (Meaning.SPAM, Meaning.DELETED):
                return key
        return Status.OPEN.value

    def customer_id(self, conn: Connection, address: str, name: str | None, moment: str) -> int:
        """The id of the customer with this (normalised) address, created at ``moment`` if new.

        A ``name`` is filled in for a customer known by address only. Inside the caller's transaction.
        """
        return tickets.customer_id(conn, address, name, moment)

    def _customer_email(self, ticket_id: int) -> str:
        email = tickets.customer_email(self.store, ticket_id)
        if email is None:
            raise NotFound(_("No ticket #{id}").format(id=ticket_id))
        return email

    def _sla_used_up_at(
        self, conn: Connection, ticket_id: int, targets: SlaTargets, until: str
    ) -> sla_tracking.UsedUpAt:
        """When this ticket's waiting time reached a target, replayed from its timeline (read only if asked)."""

        def find(target: int) -> datetime | None:
            pending = self.new_tickets
            if pending is not None and pending.holds(ticket_id):
                pending.write()  # the replay reads the ticket's events, some of them still pending
            history = sla_clocks.status_history(conn, ticket_id, sorted(STATUS_EVENT_KINDS))
            paused = frozenset(key for key, d in self.statuses().items() if d.meaning is not Meaning.ATTENTION)
            end = int(from_text(until).timestamp() // 1)
            found = sla_tracking.used_up_at_epoch(history, paused, target, targets.hours, end)
            return None if found is None else from_text(sla_tracking.epoch_text(found))

        return find


__all__ = ["SNAPSHOT_FIELDS", "STATUS_EVENT_KINDS", "Change", "Plan", "Planner", "TicketChanges", "snapshot_of"]
