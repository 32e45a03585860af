"""The status-transition service: every change to a ticket goes through here.

Each public method is one transaction holding the change and its timeline
event. The transaction takes SQLite's write lock before it reads the ticket
(``BEGIN IMMEDIATE``), so two agents on one file are serialised: the second
sees the first's change and is either applied on top of it or refused. A
caller that showed the user an older version can pass ``expected_version``
to be refused instead of acting on stale information.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from ..domain.clock import Clock, from_text, system_clock, to_text
from ..domain.errors import ConflictError, InvalidInput, NotFound, StoreError, TransitionRefused
from ..domain.models import (
    BUILTIN_MEANINGS,
    CUSTOM_MEANINGS,
    EventKind,
    Meaning,
    MessageKind,
    Priority,
    Status,
    StatusDef,
    event_label,
    priority_label,
    status_label,
)
from ..i18n import _
from ..store import Store, addressing, writes
from ..store.db import describe_sqlite_error
from . import sla_tracking
from .names import person_name, status_name, tag_edit, tag_to_remove
from .sla import SlaPolicies, SlaTargets, to_config, zone_name

# Events whose to_value is the ticket's status after them: the status history SLA clocks replay.
_STATUS_EVENT_KINDS = frozenset(
    {"created", "customer_message", "replied", "resolved", "postponed", "woken", "reopened",
     "spam", "deleted", "restored", "status", "merged", "split", "undone"}
)
_SLA_COLUMNS = ("sla_elapsed", "sla_running_since", "sla_first_elapsed", "sla_due", "sla_key")

LIVE = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED, Status.RESOLVED, Status.POSTPONED})

# The lifecycle table of DOMAIN.md: action -> (statuses it may start from, status it leads to).
# A custom status takes the row of the built-in status its meaning stands for.
REPLY_FROM = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED, Status.POSTPONED, Status.RESOLVED})
RESOLVE_FROM = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED, Status.POSTPONED})
POSTPONE_FROM = frozenset({Status.NEW, Status.OPEN, Status.ANSWERED})
REOPEN_FROM = frozenset({Status.RESOLVED})
CUSTOMER_REOPENS = frozenset({Status.ANSWERED, Status.RESOLVED, Status.POSTPONED})
RESTORE_FROM = frozenset({Status.SPAM, Status.DELETED})

# Words accepted by set_status (the command line's `status ID STATUS`).
STATUS_ACTIONS = {
    "resolved": "resolve",
    "resolve": "resolve",
    "postponed": "postpone",
    "postpone": "postpone",
    "spam": "spam",
    "deleted": "delete",
    "delete": "delete",
    "restore": "restore",
    "restored": "restore",
    "open": "reopen",
    "reopen": "reopen",
    "reopened": "reopen",
    "purge": "purge",
}


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
class _Plan:
    fields: dict[str, Any]
    events: list[tuple[str, str | None, str | None, str | None]]  # kind, from, to, detail


class TicketService:
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

    def _record(self, conn: sqlite3.Connection, ticket: dict[str, Any], extra: dict[str, Any] | None = None) -> None:
        """Remember, in the change's own transaction, what the ticket was before it: undo needs it."""
        action_id = self.recording
        if action_id is None:
            return
        earlier = conn.execute(
            "SELECT extra FROM action_tickets WHERE action_id = ? AND ticket_id = ?", [action_id, ticket["id"]]
        ).fetchone()
        if earlier is not None:
            # Touched again by the same action (several tickets merged into one): keep the state
            # before the first change, and add up what each change moved.
            combined = json.loads(earlier[0]) if earlier[0] else {}
            for key, value in (extra or {}).items():
                combined[key] = combined.get(key, []) + value if isinstance(value, list) else value
            conn.execute(
                "UPDATE action_tickets SET version_after = ?, extra = ? WHERE action_id = ? AND ticket_id = ?",
                [ticket["version"] + 1, json.dumps(combined) if combined else None, action_id, ticket["id"]],
            )
            return
        conn.execute(
            "INSERT INTO action_tickets(action_id, ticket_id, version_before, version_after, before, extra)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [
                action_id,
                ticket["id"],
                ticket["version"],
                ticket["version"] + 1,
                json.dumps(snapshot_of(ticket)),
                json.dumps(extra) if extra else None,
            ],
        )

    # -- statuses --------------------------------------------------------------------
    def statuses(self, reload: bool = False) -> dict[str, StatusDef]:
        if self._statuses is None or reload:
            rows = self.store.query("SELECT key, name, meaning, builtin FROM statuses ORDER BY position, key")
            self._statuses = {
                r["key"]: StatusDef(r["key"], r["name"], Meaning(r["meaning"]), bool(r["builtin"]))
                for r in rows
            }
        return self._statuses

    def status_def(self, key: str) -> StatusDef:
        statuses = self.statuses()
        if key not in statuses:
            statuses = self.statuses(reload=True)  # another process may have added it
        if key not in statuses:
            raise InvalidInput(
                _("Unknown status {key!r}; known statuses: {known}").format(
                    key=key, known=", ".join(statuses)
                )
            )
        return statuses[key]

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
        if meaning_value not in CUSTOM_MEANINGS:
            raise InvalidInput(
                _("Unknown meaning {meaning!r}: use one of {known}").format(
                    meaning=meaning, known=", ".join(m.value for m in CUSTOM_MEANINGS)
                )
            )
        key = (key or "-".join(name.lower().split())).strip()
        with self.store.transaction() as conn:
            exists = conn.execute(
                "SELECT 1 FROM statuses WHERE key = ? OR name = ? COLLATE NOCASE", [key, name]
            ).fetchone()
            if exists:
                raise InvalidInput(_("A status named {name!r} already exists").format(name=name))
            conn.execute(
                "INSERT INTO statuses(key, name, meaning, builtin, position) VALUES (?, ?, ?, 0, 50)",
                [key, name, meaning_value.value],
            )
        self._statuses = None
        return self.status_def(key)

    # -- creating tickets and adding messages -------------------------------------------
    def create_ticket(
        self,
        *,
        email: str,
        subject: str,
        body: str,
        name: str | None = None,
        priority: str = Priority.NORMAL,
        department: str | None = None,
        at: datetime | None = None,
        message_id: str | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        content_hash: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> int:
        """A customer request arrives: a New ticket with its first message. Returns its id."""
        address = normalize_email(email)
        name = name or parseaddr(email or "")[0] or None
        priority_value = parse_priority(priority)
        moment = to_text(at or self.clock())
        subject = " ".join(subject.split()) if subject and subject.strip() else _("(no subject)")
        with self.store.transaction() as conn:
            customer_id = self._customer_id(conn, address, name, moment)
            department_id = (
                writes.get_or_create(conn, "departments", "name", person_name(department))
                if department and department.strip()
                else None
            )
            ticket_id = writes.insert_ticket(
                conn,
                {
                    "subject": subject,
                    "customer_id": customer_id,
                    "status": Status.NEW.value,
                    "priority": priority_value.value,
                    "priority_rank": priority_value.rank,
                    "department_id": department_id,
                    "created_at": moment,
                    "updated_at": moment,
                    "waiting_since": moment,
                    "last_customer_message_at": moment,
                    "last_message_at": moment,
                    "message_count": 1,
                    "bucket": writes.bucket_for(Meaning.ATTENTION),
                    "sort_key": writes.sort_key_for(Meaning.ATTENTION, moment, moment),
                    **sla_tracking.started(from_text(moment), self.sla.for_ticket(department, priority_value)),
                },
            )
            message = writes.insert_message(
                conn,
                {
                    "ticket_id": ticket_id,
                    "kind": MessageKind.CUSTOMER.value,
                    "author": address,
                    "body": body,
                    "created_at": moment,
                    "message_id": message_id,
                    "in_reply_to": in_reply_to,
                    "references_": references,
                    "content_hash": content_hash,
                },
            )
            for filename, content_type, data in attachments:
                writes.insert_attachment(conn, message, filename, content_type, data)
            writes.insert_event(conn, ticket_id, moment, address, EventKind.CREATED, None, Status.NEW.value)
        return ticket_id

    def add_customer_message(
        self,
        ticket_id: int,
        body: str,
        *,
        at: datetime | None = None,
        author: str | None = None,
        message_id: str | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        content_hash: str | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
        expected_version: int | None = None,
    ) -> Change:
        """The customer writes again: Answered/Resolved/Postponed reopen; others keep their status.

        A message for a ticket merged into another one lands in that other one.
        """
        moment = to_text(at or self.clock())

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            status = ticket["status"]
            target = Status.OPEN.value if definition.base in CUSTOMER_REOPENS else status
            fields: dict[str, Any] = {
                "status": target,
                "last_customer_message_at": moment,
                "last_message_at": moment,
                "message_count": ticket["message_count"] + 1,
                "waiting_since": ticket["waiting_since"] or moment,
            }
            if target != status:
                fields.update(postponed_until=None, postponed_from=None, resolved_at=None)
            return _Plan(fields, [(EventKind.CUSTOMER_MESSAGE, status, target, None)])

        sender = author or self._customer_email(ticket_id)
        return self._change(
            ticket_id,
            plan,
            actor=sender,
            expected_version=expected_version,
            message={
                "kind": MessageKind.CUSTOMER.value,
                "author": sender,
                "body": body,
                "created_at": moment,
                "message_id": message_id,
                "in_reply_to": in_reply_to,
                "references_": references,
                "content_hash": content_hash,
            },
            attachments=attachments,
            at=moment,
            follow_merged=True,
        )

    def reply(
        self,
        ticket_id: int,
        body: str,
        *,
        actor: str | None = None,
        message_id: str | None = None,
        at: datetime | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
        expected_version: int | None = None,
        outbox: bool = False,
        new_message_id: Callable[[], str] | None = None,
        in_reply_to: str | None = None,
        references: str | None = None,
        content_hash: str | None = None,
    ) -> Change:
        """An agent answers the customer: the ticket becomes Answered.

        With ``outbox``, the reply is also queued for e-mail in the same transaction, addressed
        to the ticket's customer as it is now. ``new_message_id`` makes its Message-ID (when
        none is given) inside that transaction: each reply of a bulk reply gets its own.
        ``in_reply_to``, ``references`` and ``content_hash`` are stored with the message
        (a reply imported from mail).
        """
        if not body.strip():
            raise InvalidInput(_("A reply needs some text"))
        moment = to_text(at or self.clock())
        who = actor or self.actor

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            self._require(ticket, definition, REPLY_FROM, _("replied to"))
            if message_id is None and new_message_id is not None:
                message["message_id"] = new_message_id()
            fields: dict[str, Any] = {
                "status": Status.ANSWERED.value,
                "last_agent_reply_at": moment,
                "last_message_at": moment,
                "message_count": ticket["message_count"] + 1,
                "waiting_since": None,
                "postponed_until": None,
                "postponed_from": None,
                "resolved_at": None,
            }
            if ticket["first_response_at"] is None:
                fields["first_response_at"] = moment
            return _Plan(fields, [(EventKind.REPLIED, ticket["status"], Status.ANSWERED.value, None)])

        def queue(conn: sqlite3.Connection, message_row_id: int | None) -> None:
            if message_row_id is not None:
                writes.queue_outbox(
                    conn, ticket_id, message_row_id, moment, addressing.recipients(conn, ticket_id, message_row_id)
                )

        message: dict[str, Any] = {
            "kind": MessageKind.REPLY.value,
            "author": who,
            "body": body,
            "created_at": moment,
            "message_id": message_id,
            **(
                {"in_reply_to": in_reply_to, "references_": references, "content_hash": content_hash}
                if in_reply_to or references or content_hash
                else {}
            ),
        }
        return self._change(
            ticket_id,
            plan,
            actor=who,
            expected_version=expected_version,
            message=message,
            attachments=attachments,
            at=moment,
            also=queue if outbox else None,  # the outbox row in the same transaction as the reply
        )

    def add_note(
        self, ticket_id: int, body: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        """An internal note: never sent, changes no status."""
        if not body.strip():
            raise InvalidInput(_("A note needs some text"))
        moment = to_text(self.clock())
        who = actor or self.actor

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            return _Plan(
                {"message_count": ticket["message_count"] + 1},
                [(EventKind.NOTE, None, None, None)],
            )

        return self._change(
            ticket_id,
            plan,
            actor=who,
            expected_version=expected_version,
            message={"kind": MessageKind.NOTE.value, "author": who, "body": body, "created_at": moment},
            at=moment,
        )

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

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            self._require(ticket, definition, RESOLVE_FROM, _("resolved"))
            return _Plan(
                {
                    "status": Status.RESOLVED.value,
                    "resolved_at": to_text(self.clock()),
                    "waiting_since": None,
                    "postponed_until": None,
                    "postponed_from": None,
                },
                [(EventKind.RESOLVED, ticket["status"], Status.RESOLVED.value, detail)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

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

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            self._require(ticket, definition, POSTPONE_FROM, _("postponed"))
            return _Plan(
                {
                    "status": Status.POSTPONED.value,
                    "postponed_until": until_text,
                    "postponed_from": ticket["status"],
                },
                [(EventKind.POSTPONED, ticket["status"], Status.POSTPONED.value, until_text)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def wake(self, ticket_id: int, *, actor: str = "system", expected_version: int | None = None) -> Change:
        """The postpone time has passed: back to the status it had before."""
        now_text = to_text(self.clock())

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
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
            return _Plan(
                {"status": target, "postponed_until": None, "postponed_from": None},
                [(EventKind.WOKEN, Status.POSTPONED.value, target, None)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def wake_due(self, *, actor: str = "system") -> list[Change]:
        """Wake every postponed ticket whose time has passed (idempotent)."""
        now_text = to_text(self.clock())
        due = self.store.query(
            "SELECT id FROM tickets WHERE postponed_until IS NOT NULL AND postponed_until <= ?"
            " AND status = 'postponed' ORDER BY postponed_until",
            [now_text],
        )
        changes = []
        for row in due:
            try:
                changes.append(self.wake(row["id"], actor=actor))
            except (TransitionRefused, NotFound):
                continue  # someone else woke, answered or purged it meanwhile
        return changes

    def reopen(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            # Leaving a custom status for Open is a reopen too; built-ins follow the table.
            if definition.builtin or definition.meaning in (Meaning.SPAM, Meaning.DELETED):
                self._require(ticket, definition, REOPEN_FROM, _("reopened"))
            return _Plan(
                {
                    "status": Status.OPEN.value,
                    "resolved_at": None,
                    "waiting_since": ticket["waiting_since"] or to_text(self.clock()),
                },
                [(EventKind.REOPENED, ticket["status"], Status.OPEN.value, None)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def mark_spam(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        return self._bin(ticket_id, Status.SPAM, EventKind.SPAM, actor, expected_version)

    def delete(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        return self._bin(ticket_id, Status.DELETED, EventKind.DELETED, actor, expected_version)

    def _bin(
        self, ticket_id: int, target: Status, kind: EventKind, actor: str | None, expected_version: int | None
    ) -> Change:
        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            if ticket["status"] == target:
                raise TransitionRefused(
                    _("Ticket #{id} is already {status}").format(id=ticket["id"], status=self._label(target))
                )
            fields: dict[str, Any] = {"status": target.value}
            # Only a live status is remembered, so spam -> deleted -> restore returns to the inbox.
            if definition.meaning not in (Meaning.SPAM, Meaning.DELETED):
                fields["previous_status"] = ticket["status"]
            return _Plan(fields, [(kind, ticket["status"], target.value, None)])

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def restore(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            self._require(ticket, definition, RESTORE_FROM, _("restored"))
            target = self._live_or_open(ticket["previous_status"])
            return _Plan(
                {"status": target, "previous_status": None},
                [(EventKind.RESTORED, ticket["status"], target, None)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def purge(self, ticket_id: int, *, actor: str | None = None, expected_version: int | None = None) -> Change:
        """Remove a deleted ticket for good (thread, timeline and all)."""
        who = actor or self.actor
        with self.store.transaction() as conn:
            ticket = self._load(conn, ticket_id, expected_version)
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
            found = {
                ticket_id: (version, status, subject)
                for ticket_id, version, status, subject in conn.execute(
                    "SELECT id, version, status, subject FROM tickets WHERE id IN (SELECT value FROM json_each(?))",
                    [json.dumps(list(wanted))],
                )
            }
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
    def _remove_for_good(conn: sqlite3.Connection, tickets: list[tuple[int, str]], moment: str, who: str) -> None:
        """Delete these tickets (id, subject), leaving a trace in `purged`, with the tickets merged into them.

        Their threads went into the purged ticket, so the pointers go with it: a pointer
        to a ticket that no longer exists would swallow the customer's next message.
        """
        gone = list(tickets)
        seen = {ticket_id for ticket_id, _subject in gone}
        frontier = list(seen)
        while frontier:  # pointers to pointers: a ticket merged into one that was merged on
            pointers = [
                (ticket_id, subject)
                for ticket_id, subject in conn.execute(
                    "SELECT id, subject FROM tickets WHERE merged_into IN (SELECT value FROM json_each(?))",
                    [json.dumps(frontier)],
                )
                if ticket_id not in seen
            ]
            frontier = [ticket_id for ticket_id, _subject in pointers]
            seen.update(frontier)
            gone += pointers
        conn.executemany(
            "INSERT OR REPLACE INTO purged(ticket_id, subject, at, actor) VALUES (?, ?, ?, ?)",
            [(ticket_id, subject, moment, who) for ticket_id, subject in gone],
        )
        conn.execute("DELETE FROM tickets WHERE id IN (SELECT value FROM json_each(?))", [json.dumps(sorted(seen))])

    def set_custom_status(
        self, ticket_id: int, key: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        target = self.status_def(key)
        if target.builtin:
            raise InvalidInput(_("{status} is a built-in status; use its own action").format(status=target.label))

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
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
            return _Plan(fields, [(EventKind.STATUS, ticket["status"], target.key, None)])

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

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
            return getattr(self, {"spam": "mark_spam"}.get(action, action))(ticket_id, **kwargs)
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

    # -- other fields -------------------------------------------------------------------
    def assign(
        self, ticket_id: int, agent: str | None, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        """Give the ticket to an agent (created on first use) or unassign it with None."""
        agent_name = person_name(agent) if agent and agent.strip() not in ("", "-") else None

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            current = ticket["assignee"]
            if (current or "").casefold() == (agent_name or "").casefold():
                raise TransitionRefused(
                    _("Ticket #{id} is already assigned to {agent}").format(id=ticket["id"], agent=current)
                    if current
                    else _("Ticket #{id} is not assigned").format(id=ticket["id"])
                )
            return _Plan(
                {"assignee_id": ("agent", agent_name)},
                [(EventKind.ASSIGNED, current, agent_name, None)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def set_priority(
        self, ticket_id: int, priority: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        value = parse_priority(priority)

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            if ticket["priority"] == value:
                raise TransitionRefused(
                    _("Ticket #{id} already has priority {priority}").format(
                        id=ticket["id"], priority=priority_label(value)
                    )
                )
            return _Plan(
                {"priority": value.value, "priority_rank": value.rank},
                [(EventKind.PRIORITY, ticket["priority"], value.value, None)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def set_department(
        self, ticket_id: int, department: str | None, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        name = person_name(department) if department and department.strip() not in ("", "-") else None

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            if (ticket["department"] or "").casefold() == (name or "").casefold():
                raise TransitionRefused(
                    _("Ticket #{id} is already in {department}").format(
                        id=ticket["id"], department=name or _("no department")
                    )
                )
            return _Plan(
                {"department_id": ("department", name)},
                [(EventKind.DEPARTMENT, ticket["department"], name, None)],
            )

        return self._change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def tag(
        self,
        ticket_id: int,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        *,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> list[Change]:
        """Add and remove tags in one transaction, one event per tag that changed."""
        edit = tag_edit(add, remove)  # refuses a bad tag before any ticket is touched
        to_add, to_remove = edit.add, edit.remove
        who = actor or self.actor
        moment = to_text(self.clock())
        changes: list[Change] = []
        with self.store.transaction() as conn:
            ticket = self._load(conn, ticket_id, expected_version)
            if ticket["status"] == Status.MERGED:
                raise self.merged_refusal(ticket)
            current = {t.casefold(): t for t in ticket["tags"]}
            # A tag stored before quotes were dropped ("vip-customer" with its quotes) is still removable.
            for stored in ticket["tags"]:
                current.setdefault(tag_to_remove(stored).casefold(), stored)
            for tag in to_add:
                if tag.casefold() in current:
                    continue
                tag_id = writes.get_or_create(conn, "tags", "name", tag)
                conn.execute("INSERT INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)", [ticket_id, tag_id])
                writes.insert_event(conn, ticket_id, moment, who, EventKind.TAGGED, None, tag)
                current[tag.casefold()] = tag
                changes.append(Change(ticket_id, EventKind.TAGGED, None, tag))
            for tag in to_remove:
                if tag.casefold() not in current:
                    continue
                stored = current.pop(tag.casefold())
                conn.execute(
                    "DELETE FROM ticket_tags WHERE ticket_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                    [ticket_id, stored],
                )
                writes.insert_event(conn, ticket_id, moment, who, EventKind.UNTAGGED, stored, None)
                changes.append(Change(ticket_id, EventKind.UNTAGGED, stored, None))
            if not changes:
                raise TransitionRefused(_("Ticket #{id}: the tags are already so").format(id=ticket_id))
            meaning = self._status_in_tx(conn, ticket["status"]).meaning
            writes.update_ticket(
                conn,
                ticket_id,
                ticket["version"],
                # sort_key follows updated_at for tickets not waiting on us, as in _change.
                {"updated_at": moment, "sort_key": writes.sort_key_for(meaning, ticket["waiting_since"], moment)},
            )
            self._record(conn, ticket)
        return changes

    # -- merge and split (core/merging.py) ------------------------------------------------------
    def merge(self, source_id: int, target_id: int, *, actor: str | None = None) -> list[Change]:
        """Merge one ticket into another: see core/merging.py."""
        from .merging import merge

        return merge(self, source_id, target_id, actor=actor)

    def split(self, message_id: int, *, actor: str | None = None) -> list[Change]:
        """Split a customer's message off into a new ticket: see core/merging.py."""
        from .merging import split

        return split(self, message_id, actor=actor)

    # -- undo ---------------------------------------------------------------------------------
    def put_back(
        self,
        ticket_id: int,
        before: dict[str, Any],
        *,
        action_id: int,
        version_after: int,
        label: str,
        actor: str | None = None,
        also: Callable[[sqlite3.Connection], None] | None = None,
    ) -> Change:
        """Undo one ticket's part of an action: its fields and tags as they were before it.

        Refused (ConflictError) unless the ticket is still as the action left it: at
        ``version_after``, or back there through undos of later actions. The undo is a
        change of its own, with an ``undone`` event; history is never rewritten.
        """
        new_version: list[int] = []

        def plan(ticket: dict[str, Any], definition: StatusDef) -> _Plan:
            if self.effective_version(ticket["id"], ticket["version"]) != version_after:
                raise ConflictError(self.changed_since(ticket))
            new_version.append(ticket["version"] + 1)
            fields: dict[str, Any] = {name: before[name] for name in SNAPSHOT_FIELDS if name in before}
            fields["assignee_id"] = ("agent", before.get("assignee"))
            fields["department_id"] = ("department", before.get("department"))
            wanted = {t.casefold(): t for t in before.get("tags", [])}
            current = {t.casefold(): t for t in ticket["tags"]}
            tags_to_add[:] = [t for k, t in wanted.items() if k not in current]
            tags_to_remove[:] = [t for k, t in current.items() if k not in wanted]
            return _Plan(fields, [(EventKind.UNDONE, ticket["status"], before["status"], label)])

        tags_to_add: list[str] = []
        tags_to_remove: list[str] = []

        def finish(conn: sqlite3.Connection, _message: int | None) -> None:
            for tag in tags_to_add:
                tag_id = writes.get_or_create(conn, "tags", "name", tag)
                conn.execute("INSERT OR IGNORE INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)", [ticket_id, tag_id])
            for tag in tags_to_remove:
                conn.execute(
                    "DELETE FROM ticket_tags WHERE ticket_id = ? AND tag_id = (SELECT id FROM tags WHERE name = ?)",
                    [ticket_id, tag],
                )
            conn.execute(
                "UPDATE action_tickets SET undone_version = ? WHERE action_id = ? AND ticket_id = ?",
                [new_version[0], action_id, ticket_id],
            )
            if also is not None:
                also(conn)

        return self._change(ticket_id, plan, actor=actor, expected_version=None, also=finish, allow_merged=True)

    def effective_version(self, ticket_id: int, version: int) -> int:
        """The ticket's version, seen through undos: an undone action counts as never having happened.

        So does a note of the agent's that undo skipped: it changed none of the fields undo
        puts back, and the refusal that skipped it promised to undo the action before it
        (resolve, then a note saying why, then undo twice).
        """
        conn = self.store.conn
        while True:
            row = conn.execute(
                "SELECT version_before FROM action_tickets WHERE ticket_id = ? AND undone_version = ?"
                " UNION ALL SELECT t.version_before FROM action_tickets t JOIN actions a ON a.id = t.action_id"
                " WHERE t.ticket_id = ? AND t.version_after = ? AND a.kind = 'note' AND a.skipped_at IS NOT NULL"
                " LIMIT 1",
                [ticket_id, version, ticket_id, version],
            ).fetchone()
            if row is None:
                return version
            version = int(row[0])

    def changed_since(self, ticket: dict[str, Any]) -> str:
        last = self.store.conn.execute(
            "SELECT actor, kind FROM events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", [ticket["id"]]
        ).fetchone()
        if last is None:
            return _("#{id} was changed since; it was left as it is").format(id=ticket["id"])
        return _("#{id} was changed since ({kind} by {actor}); it was left as it is").format(
            id=ticket["id"], kind=event_label(last[1]), actor=last[0]
        )

    # -- SLA clocks -----------------------------------------------------------------------
    def sla_fingerprint(self) -> str:
        """Identifies the SLA policies the stored clocks were computed with."""
        text = json.dumps(to_config(self.sla), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def sla_hours_fingerprint(self) -> str:
        """Identifies the business hours the stored clocks were counted in, per department and priority."""

        def described(department: str | None, priority: str | None) -> list[Any]:
            hours = self.sla.for_ticket(department, priority).hours
            # The machine's zone is "local", as sla_fingerprint leaves it out: processes
            # started with another $TZ (cron, the app) must not replay every clock in turn.
            zone = "local" if hours.timezone is self.sla.local_timezone else zone_name(hours.timezone)
            return [
                sorted(hours.days),
                hours.start.isoformat(),
                hours.end.isoformat(),
                zone,
                sorted(d.isoformat() for d in hours.holidays),
            ]

        # Every priority's hours, then only the departments whose hours differ from them:
        # a department policy that sets targets only leaves this unchanged.
        priorities = [p.value for p in Priority]
        items: list[Any] = [[None, p, *described(None, p)] for p in priorities]
        for department in sorted({r.department.strip().casefold() for r in self.sla.rules if r.department}):
            for p in priorities:
                if described(department, p) != items[priorities.index(p)][2:]:
                    items.append([department, p, *described(department, p)])
        return hashlib.sha256(json.dumps(items).encode()).hexdigest()[:16]

    def ensure_sla_current(self) -> int:
        """Bring every SLA clock up to the policies if they changed since; returns how many were redone.

        When only targets changed (the business hours of every department and
        priority are the same), the clocks stand and only the due times of the
        running ones are recomputed; otherwise every clock is replayed.
        """
        stored = dict(
            self.store.conn.execute(
                "SELECT key, value FROM meta WHERE key IN ('sla_fingerprint', 'sla_hours_fingerprint')"
            ).fetchall()
        )
        fingerprint, hours = self.sla_fingerprint(), self.sla_hours_fingerprint()
        if stored.get("sla_fingerprint") == fingerprint and stored.get("sla_hours_fingerprint") == hours:
            return 0
        if stored.get("sla_hours_fingerprint") == hours and stored.get("sla_fingerprint") not in (None, "stale"):
            return self._refresh_sla_due()
        return self.rebuild_sla()

    def _refresh_sla_due(self) -> int:
        """After a change of targets only: the due times of the running clocks, under the write lock."""
        with self.store.transaction() as conn:
            departments = dict(conn.execute("SELECT id, name FROM departments").fetchall())
            rows = conn.execute(
                f"SELECT id, department_id, priority, sla_elapsed, {_epoch_sql('sla_running_since')},"
                " sla_first_elapsed, sla_due FROM tickets WHERE sla_running_since IS NOT NULL"
            ).fetchall()
            updates = []
            used_up: list[int] = []  # targets already used up: their due time is in the timeline
            for ticket_id, department_id, priority, elapsed, running_since, first_elapsed, due in rows:
                targets = self.sla.for_ticket(departments.get(department_id), priority)
                target = targets.first_response if first_elapsed is None else targets.resolution
                if target is not None and (elapsed or 0) >= target:
                    used_up.append(ticket_id)
                    continue
                columns = sla_tracking.columns_from_epochs(elapsed or 0, running_since, first_elapsed, targets)
                if columns["sla_due"] != due:
                    updates.append([columns["sla_due"], columns["sla_key"], ticket_id])
            if used_up:
                replayed = self._replay_sla(
                    conn, "IN (SELECT value FROM json_each(?))", [json.dumps(used_up)], self.clock()
                )
                for ticket_id, (values, stored, _version) in replayed.items():
                    if values[-2:] != stored[-2:]:
                        updates.append([*values[-2:], ticket_id])
            conn.executemany("UPDATE tickets SET sla_due = ?, sla_key = ? WHERE id = ?", updates)
            self._store_sla_fingerprints(conn)
        return len(rows)

    def _sla_used_up_at(
        self, conn: sqlite3.Connection, ticket_id: int, targets: SlaTargets, until: str
    ) -> sla_tracking.UsedUpAt:
        """When this ticket's waiting time reached a target, replayed from its timeline (read only if asked)."""

        def find(target: int) -> datetime | None:
            kinds = sorted(_STATUS_EVENT_KINDS)
            history = conn.execute(
                f"SELECT {_epoch_sql('at')}, to_value FROM events WHERE ticket_id = ?"
                f" AND kind IN ({', '.join('?' for _ in kinds)}) AND to_value IS NOT NULL ORDER BY id",
                [ticket_id, *kinds],
            ).fetchall()
            paused = frozenset(key for key, d in self.statuses().items() if d.meaning is not Meaning.ATTENTION)
            end = int(from_text(until).timestamp() // 1)
            found = sla_tracking.used_up_at_epoch(history, paused, target, targets.hours, end)
            return None if found is None else from_text(sla_tracking.epoch_text(found))

        return find

    def _store_sla_fingerprints(self, conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [("sla_fingerprint", self.sla_fingerprint()), ("sla_hours_fingerprint", self.sla_hours_fingerprint())],
        )

    def rebuild_sla(self, after_id: int = 0) -> int:
        """Replay SLA clocks from the timeline, for every ticket or those with id > after_id.

        Used after a policy change or a bulk fill. Derived columns only: no
        ticket version or event changes, since nothing about the ticket changed.
        Returns how many tickets were replayed.

        The replay reads a snapshot (other agents keep working meanwhile) and
        then writes, under the write lock, only the rows that differ; a ticket
        changed after the snapshot is replayed again under the lock, so no
        concurrent change is overwritten with a stale clock.
        """
        now = self.clock()
        self.statuses(reload=True)  # custom statuses another process added count too
        conn = self.store.conn
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        # Every ticket row and its timeline is read and many rows are written: a page cache
        # bigger than the default 2 MB saves re-reading pages (restored at the end).
        conn.execute("PRAGMA cache_size = -131072")
        try:
            return self._rebuild_sla(conn, after_id, now)
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache_size)}")

    def _rebuild_sla(self, conn: sqlite3.Connection, after_id: int, now: datetime) -> int:
        try:
            conn.execute("BEGIN")  # a read snapshot: tickets and their timelines as of one moment
            try:
                replayed = self._replay_sla(conn, "> ?", [after_id], now)
                seen = conn.execute("PRAGMA data_version").fetchone()[0]
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(error, self.store.path)) from None
        assignments = ", ".join(f"{c} = ?" for c in _SLA_COLUMNS)
        with self.store.transaction() as conn:
            if conn.execute("PRAGMA data_version").fetchone()[0] == seen:  # nobody else wrote meanwhile
                current = {ticket_id: version for ticket_id, (_v, _s, version) in replayed.items()}
                moved = []
            else:
                current = dict(conn.execute("SELECT id, version FROM tickets WHERE id > ?", [after_id]).fetchall())
                moved = [i for i, version in current.items() if i not in replayed or replayed[i][2] != version]
            if moved:  # changed or created since the snapshot: replay those again, now under the lock
                replayed.update(
                    self._replay_sla(conn, "IN (SELECT value FROM json_each(?))", [json.dumps(moved)], now)
                )
            updates: list[list[Any]] = []
            unindexed: list[list[Any]] = []  # sla_key (in the tickets_sla index) unchanged: a cheaper update
            for ticket_id, (values, stored, _version) in replayed.items():
                if ticket_id in current and values != stored:  # rows already right are left alone
                    if values[-1] == stored[-1]:
                        unindexed.append([*values[:-1], ticket_id])
                    else:
                        updates.append([*values, ticket_id])
            conn.executemany(f"UPDATE tickets SET {assignments} WHERE id = ?", updates)
            partial = ", ".join(f"{c} = ?" for c in _SLA_COLUMNS[:-1])
            conn.executemany(f"UPDATE tickets SET {partial} WHERE id = ?", unindexed)
            if after_id == 0:
                self._store_sla_fingerprints(conn)
        return len(current)

    def _replay_sla(
        self,
        conn: sqlite3.Connection,
        id_condition: str,
        params: list[Any],
        now: datetime,
    ) -> dict[int, tuple[list[Any], list[Any], int]]:
        """Ticket id -> (replayed SLA columns, stored SLA columns, version) for the tickets chosen."""
        kinds = sorted(_STATUS_EVENT_KINDS)
        history: dict[int, list[tuple[int, str]]] = {}
        # Times as whole epoch seconds, converted by SQLite: parsing them in Python costs more than the replay.
        cursor = conn.execute(
            f"SELECT ticket_id, {_epoch_sql('at')}, to_value FROM events"
            f" WHERE kind IN ({', '.join('?' for _ in kinds)}) AND to_value IS NOT NULL"
            f" AND ticket_id {id_condition} ORDER BY ticket_id, id",
            [*kinds, *params],
        )
        for ticket_id, at, status in cursor:
            changes = history.get(ticket_id)
            if changes is None:
                history[ticket_id] = [(at, status)]
            else:
                changes.append((at, status))
        departments = dict(conn.execute("SELECT id, name FROM departments").fetchall())
        tickets = conn.execute(
            f"SELECT id, version, department_id, priority, {_epoch_sql('first_response_at')},"
            f" {', '.join(_SLA_COLUMNS)} FROM tickets WHERE id {id_condition}",
            params,
        )
        rebuilt = sla_tracking.rebuilt_from_epochs
        paused = frozenset(key for key, d in self.statuses().items() if d.meaning is not Meaning.ATTENTION)
        now_epoch = int(now.timestamp() // 1)
        targets: dict[tuple[int | None, str], SlaTargets] = {}
        no_history: tuple[tuple[int, str], ...] = ()
        result = {}
        for ticket_id, version, department_id, priority, first_response_at, *stored in tickets:
            key = (department_id, priority)
            found = targets.get(key)
            if found is None:
                found = targets[key] = self.sla.for_ticket(departments.get(department_id), priority)
            columns = rebuilt(history.get(ticket_id, no_history), paused, first_response_at, found, now_epoch)
            result[ticket_id] = ([columns[c] for c in _SLA_COLUMNS], stored, version)
        return result

    # -- the machinery --------------------------------------------------------------------
    def _change(
        self,
        ticket_id: int,
        plan: Callable[[dict[str, Any], StatusDef], _Plan],
        *,
        actor: str | None,
        expected_version: int | None,
        message: dict[str, Any] | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
        at: str | None = None,
        also: Callable[[sqlite3.Connection, int | None], None] | None = None,
        extra: dict[str, Any] | None = None,
        follow_merged: bool = False,
        allow_merged: bool = False,
    ) -> Change:
        """One change in one transaction: load, plan, write the ticket, its events, its undo record.

        ``follow_merged``: a ticket merged into another one stands for that one (a customer
        writing to the old thread). ``allow_merged``: the change may touch a merged ticket (undo).
        """
        who = actor or self.actor
        moment = at or to_text(self.clock())
        with self.store.transaction() as conn:
            ticket = self._load(conn, ticket_id, expected_version)
            if ticket["status"] == Status.MERGED and follow_merged:
                target = self.follow_merges(conn, ticket_id)
                if target != ticket_id:
                    ticket_id = target
                    ticket = self._load(conn, ticket_id, None)
            definition = self._status_in_tx(conn, ticket["status"])
            if definition.meaning is Meaning.MERGED and not (allow_merged or follow_merged):
                raise self.merged_refusal(ticket)
            decided = plan(ticket, definition)
            fields = dict(decided.fields)
            names = {c: v[1] for c, v in fields.items() if isinstance(v, tuple)}
            for column, name in names.items():
                table = fields[column][0]
                fields[column] = writes.get_or_create(conn, f"{table}s", "name", name) if name else None
            fields["updated_at"] = moment
            merged = {**ticket, **fields}
            meaning = self._status_in_tx(conn, merged["status"]).meaning
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
            writes.update_ticket(conn, ticket_id, ticket["version"], fields)
            self._record(conn, ticket, extra)
            message_row_id = None
            if message is not None:
                message_row_id = writes.insert_message(conn, {"ticket_id": ticket_id, **message})
                for filename, content_type, data in attachments:
                    writes.insert_attachment(conn, message_row_id, filename, content_type, data)
            for kind, from_value, to_value, detail in decided.events:
                writes.insert_event(conn, ticket_id, moment, who, kind, from_value, to_value, detail)
            if also is not None:
                also(conn, message_row_id)
        kind, from_value, to_value, _detail = decided.events[0]
        return Change(ticket_id, kind, from_value, to_value, message_row_id)

    def follow_merges(self, conn: sqlite3.Connection, ticket_id: int) -> int:
        """The ticket a merged ticket (or a chain of them) went into; the ticket itself otherwise."""
        seen = {ticket_id}
        while True:
            row = conn.execute("SELECT merged_into FROM tickets WHERE id = ?", [ticket_id]).fetchone()
            if row is None or row[0] is None or row[0] in seen:
                return ticket_id
            if conn.execute("SELECT 1 FROM tickets WHERE id = ?", [row[0]]).fetchone() is None:
                return ticket_id  # the target was purged: the pointer is all that is left
            ticket_id = row[0]
            seen.add(ticket_id)

    def merged_refusal(self, ticket: dict[str, Any]) -> TransitionRefused:
        return TransitionRefused(
            _("Ticket #{id} was merged into #{target}; work on #{target}").format(
                id=ticket["id"], target=ticket["merged_into"]
            )
        )

    def _load(self, conn: sqlite3.Connection, ticket_id: int, expected_version: int | None) -> dict[str, Any]:
        cursor = conn.execute(
            """SELECT t.*, a.name AS assignee, d.name AS department
               FROM tickets t
               LEFT JOIN agents a ON a.id = t.assignee_id
               LEFT JOIN departments d ON d.id = t.department_id
               WHERE t.id = ?""",
            [ticket_id],
        )
        row = cursor.fetchone()
        if row is None:
            raise NotFound(_("No ticket #{id}").format(id=ticket_id))
        ticket = dict(zip([c[0] for c in cursor.description], row, strict=True))
        if expected_version is not None and ticket["version"] != expected_version:
            last = conn.execute(
                "SELECT actor, kind FROM events WHERE ticket_id = ? ORDER BY id DESC LIMIT 1", [ticket_id]
            ).fetchone()
            by = _(" (last: {kind} by {actor})").format(kind=event_label(last[1]), actor=last[0]) if last else ""
            raise ConflictError(
                _("Ticket #{id} was changed meanwhile{by}; nothing was done, look again and retry").format(
                    id=ticket_id, by=by
                )
            )
        ticket["tags"] = [
            r[0]
            for r in conn.execute(
                "SELECT tg.name FROM ticket_tags tt JOIN tags tg ON tg.id = tt.tag_id WHERE tt.ticket_id = ?"
                " ORDER BY tg.name",
                [ticket_id],
            )
        ]
        del ticket["assignee_id"], ticket["department_id"]
        return ticket

    def _status_in_tx(self, conn: sqlite3.Connection, key: str) -> StatusDef:
        statuses = self.statuses()
        if key in statuses:
            return statuses[key]
        row = conn.execute("SELECT key, name, meaning, builtin FROM statuses WHERE key = ?", [key]).fetchone()
        if row is None:
            # A status removed by hand from the file: treat it as needing attention, never crash.
            return StatusDef(key, key, Meaning.ATTENTION, False)
        self._statuses = None
        return StatusDef(row[0], row[1], Meaning(row[2]), bool(row[3]))

    def _require(self, ticket: dict[str, Any], definition: StatusDef, allowed: frozenset[Status], verb: str) -> None:
        if definition.base in allowed:
            return
        names = ", ".join(status_label(s) for s in sorted(allowed, key=list(Status).index))
        raise TransitionRefused(
            _("Ticket #{id} is {status} and cannot be {verb}; only {allowed} tickets can").format(
                id=ticket["id"], status=definition.label, verb=verb, allowed=names
            )
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

    def _customer_id(self, conn: sqlite3.Connection, address: str, name: str | None, moment: str) -> int:
        row = conn.execute("SELECT id, name FROM customers WHERE email = ?", [address]).fetchone()
        if row:
            if name and not row[1]:
                conn.execute("UPDATE customers SET name = ? WHERE id = ?", [name.strip(), row[0]])
            return int(row[0])
        cursor = conn.execute(
            "INSERT INTO customers(email, name, created_at) VALUES (?, ?, ?)",
            [address, name.strip() if name else None, moment],
        )
        return int(cursor.lastrowid or 0)

    def _customer_email(self, ticket_id: int) -> str:
        email = self.store.scalar(
            "SELECT c.email FROM tickets t JOIN customers c ON c.id = t.customer_id WHERE t.id = ?", [ticket_id]
        )
        if email is None:
            raise NotFound(_("No ticket #{id}").format(id=ticket_id))
        return email


def _epoch_sql(column: str) -> str:
    """SQL for a stored time as whole epoch seconds (NULL stays NULL); unixepoch() is faster where it exists."""
    if sqlite3.sqlite_version_info >= (3, 38, 0):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def parse_priority(value: str) -> Priority:
    try:
        return Priority(str(value).strip().lower())
    except ValueError:
        raise InvalidInput(
            _("Unknown priority {value!r}: use low, normal, high or urgent").format(value=value)
        ) from None


# A bare address of plain atoms (what the mail importer hands over): parseaddr returns it
# unchanged, so it is not run through the (slow) RFC 5322 parser again.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9_%+\-]+(?:\.[A-Za-z0-9_%+\-]+)*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")


def normalize_email(value: str) -> str:
    if value and _PLAIN_ADDRESS.fullmatch(value):
        local, _at, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"
    _name, address = parseaddr(value or "")
    address = address.strip()
    local, _at, domain = address.rpartition("@")
    if not local or not domain or " " in address:
        raise InvalidInput(_("Not an e-mail address: {value!r}").format(value=value))
    return f"{local}@{domain.lower()}"


__all__ = ["BUILTIN_MEANINGS", "Change", "LIVE", "TicketService", "normalize_email", "parse_priority"]
