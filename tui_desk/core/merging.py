"""Merging two tickets into one, splitting a message off into a new ticket, and undoing both.

Merge moves the source's messages, notes, events and tags into the target; the
source stays as a pointer (status Merged, ``merged_into``), so a customer writing
to its old thread lands in the target (TicketService follows the pointer).
Both are changes of the status-transition service, recorded for undo with the
ids of everything moved, so undo can move exactly those back.
"""

from __future__ import annotations

from typing import Any

from ..domain.clock import from_text, to_text
from ..domain.errors import ConflictError, InvalidInput, NotFound, TransitionRefused
from ..domain.models import EventKind, Meaning, MessageKind, Status, StatusDef
from ..i18n import _
from ..store import Connection, action_tickets, merges, writes
from ..store.undo_log import RecordedAction
from . import sla_tracking
from .changes import Change, Plan
from .conversation import normalize_email
from .put_back import PutBack
from .transitions import CUSTOMER_REOPENS


def _refuse_unless_live(service: PutBack, ticket: dict[str, Any], definition: StatusDef) -> None:
    if definition.meaning is Meaning.MERGED:
        raise service.merged_refusal(ticket)
    if definition.meaning in (Meaning.SPAM, Meaning.DELETED):
        raise TransitionRefused(
            _("Ticket #{id} is {status}: restore it first").format(id=ticket["id"], status=definition.label)
        )


def _latest(*values: str | None) -> str | None:
    present = [v for v in values if v]
    return max(present) if present else None


def _earliest(*values: str | None) -> str | None:
    present = [v for v in values if v]
    return min(present) if present else None


def merge(
    service: PutBack,
    source_id: int,
    target_id: int,
    *,
    actor: str | None = None,
    expected_source_version: int | None = None,
    expected_target_version: int | None = None,
) -> list[Change]:
    """Merge ticket `source_id` into `target_id`, in one transaction; returns [source's, target's] change.

    The target takes the source's thread, timeline and tags. If the source was
    waiting on us and the target was not (answered, resolved, postponed), the
    target reopens, as if the customer had written to it.
    """
    if source_id == target_id:
        raise InvalidInput(_("A ticket cannot be merged into itself"))
    moment = to_text(service.clock())
    with service.store.transaction() as conn:
        source = service.load_ticket_in_tx(conn, source_id, expected_source_version)
        target = service.load_ticket_in_tx(conn, target_id, expected_target_version)
        source_def = service.status_in_tx(conn, source["status"])
        target_def = service.status_in_tx(conn, target["status"])
        _refuse_unless_live(service, source, source_def)
        _refuse_unless_live(service, target, target_def)
        owned = merges.owned_ids(conn, source_id)
        moved: dict[str, Any] = {**owned, "source": source_id}
        record = {"moves": [moved]}  # a list: one action may merge several tickets into this one
        source_waits = source_def.meaning is Meaning.ATTENTION

        def plan_target(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            status = ticket["status"]
            fields: dict[str, Any] = {
                "message_count": ticket["message_count"] + source["message_count"],
                "last_customer_message_at": _latest(
                    ticket["last_customer_message_at"], source["last_customer_message_at"]
                ),
                "last_agent_reply_at": _latest(ticket["last_agent_reply_at"], source["last_agent_reply_at"]),
                "last_message_at": _latest(ticket["last_message_at"], source["last_message_at"]),
                "first_response_at": ticket["first_response_at"] or source["first_response_at"],
            }
            if source_waits and definition.base in CUSTOMER_REOPENS:
                status = Status.OPEN.value
                fields.update(postponed_until=None, postponed_from=None, resolved_at=None)
            fields["status"] = status
            if source_waits:
                waiting = ticket["waiting_since"] if definition.meaning is Meaning.ATTENTION else None
                fields["waiting_since"] = _earliest(waiting, source["waiting_since"]) or moment
            return Plan(fields, [(EventKind.MERGED, ticket["status"], status, f"#{source_id}")])

        def move_in(conn: Connection, _message: int | None) -> None:
            for table in merges.MOVED_TABLES:
                merges.move_rows(conn, table, owned[table], target_id)
            merges.copy_tags(conn, source_id, target_id)

        def plan_source(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            return Plan(
                {
                    "status": Status.MERGED.value,
                    "merged_into": target_id,
                    "previous_status": ticket["status"],
                    "message_count": 0,
                    "waiting_since": None,
                    "postponed_until": None,
                    "postponed_from": None,
                },
                [(EventKind.MERGED, ticket["status"], Status.MERGED.value, f"#{target_id}")],
            )

        def drop_tags(conn: Connection, _message: int | None) -> None:
            merges.drop_tags(conn, source_id)

        into = service.change(target_id, plan_target, actor=actor, expected_version=None, also=move_in, extra=record, at=moment)
        gone = service.change(source_id, plan_source, actor=actor, expected_version=None, also=drop_tags, at=moment)
    return [gone, into]


def split(service: PutBack, message_id: int, *, actor: str | None = None) -> list[Change]:
    """Move one customer message into a new ticket of its own; returns [new ticket's, source's] change."""
    who = actor or service.actor
    moment = to_text(service.clock())
    with service.store.transaction() as conn:
        message = merges.message_to_split(conn, message_id)
        if message is None:
            raise NotFound(_("No message {id}").format(id=message_id))
        source_id, kind, author, created_at = message
        source = service.load_ticket_in_tx(conn, source_id, None)
        _refuse_unless_live(service, source, service.status_in_tx(conn, source["status"]))
        if kind != MessageKind.CUSTOMER:
            raise TransitionRefused(_("Only a customer's message can be split off into a new ticket"))
        if source["message_count"] < 2 or merges.message_count(conn, source_id) < 2:
            raise TransitionRefused(
                _("Ticket #{id} has no other message: there is nothing to split off").format(id=source_id)
            )
        try:
            address = normalize_email(author)
        except InvalidInput:
            address = merges.customer_email(conn, source["customer_id"])
        customer_id = service.customer_id(conn, address, None, moment)
        department_id = writes.lookup_id(conn, "departments", "name", source["department"]) if source["department"] else None
        targets = service.sla.for_ticket(source["department"], source["priority"])
        new_id = writes.insert_ticket(
            conn,
            {
                "subject": source["subject"],
                "customer_id": customer_id,
                "status": Status.NEW.value,
                "priority": source["priority"],
                "priority_rank": source["priority_rank"],
                "department_id": department_id,
                "created_at": moment,
                "updated_at": moment,
                "waiting_since": created_at,
                "last_customer_message_at": created_at,
                "last_message_at": created_at,
                "message_count": 1,
                "bucket": writes.bucket_for(Meaning.ATTENTION),
                "sort_key": writes.sort_key_for(Meaning.ATTENTION, created_at, moment),
                **sla_tracking.started(from_text(created_at), targets),
            },
        )
        merges.move_message(conn, message_id, new_id)
        writes.insert_event(conn, new_id, moment, who, EventKind.SPLIT, None, Status.NEW.value, f"#{source_id}")
        if service.recording is not None:
            action_tickets.insert_record(conn, service.recording, new_id, 0, 1, {"created": True}, None)
        remaining = merges.thread_times(conn, source_id)

        def plan_source(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            customer = [at for kind, at in remaining if kind == MessageKind.CUSTOMER]
            replies = [at for kind, at in remaining if kind == MessageKind.REPLY]
            return Plan(
                {
                    "message_count": len(remaining),
                    "last_customer_message_at": max(customer) if customer else None,
                    "last_agent_reply_at": max(replies) if replies else None,
                    "last_message_at": max(at for _kind, at in remaining),
                },
                [(EventKind.SPLIT, ticket["status"], ticket["status"], f"#{new_id}")],
            )

        change = service.change(
            source_id, plan_source, actor=who, expected_version=None, extra={"message": message_id, "new": new_id}, at=moment
        )
    return [Change(new_id, EventKind.SPLIT, None, Status.NEW.value), change]


# -- undo ---------------------------------------------------------------------------------------
def undo_merge(service: PutBack, action: RecordedAction) -> list[Change]:
    """Every ticket back as it was, with exactly the rows the merge moved; inside the caller's transaction."""
    targets = [t for t in action.tickets if t.extra and t.extra.get("moves")]
    sources = [t for t in action.tickets if not (t.extra and t.extra.get("moves"))]
    if not targets or not sources:
        raise TransitionRefused(_("This merge was recorded incompletely and cannot be undone"))
    changes = []
    for target in targets:
        moves = target.extra["moves"] if target.extra else []

        def move_back(conn: Connection, moves: list[dict[str, Any]] = moves) -> None:
            for moved in moves:
                for table in merges.MOVED_TABLES:
                    merges.move_rows(conn, table, moved.get(table, []), moved["source"])

        changes.append(
            service.put_back(
                target.ticket_id, target.before, action_id=action.id, version_after=target.version_after,
                label=action.kind, also=move_back,
            )
        )
    for source in sources:
        changes.append(
            service.put_back(
                source.ticket_id, source.before, action_id=action.id, version_after=source.version_after,
                label=action.kind,
            )
        )
    return changes


def undo_split(service: PutBack, action: RecordedAction) -> list[Change]:
    """The message back in its ticket; the split-off ticket stays as a pointer to it."""
    created = next((t for t in action.tickets if t.before.get("created")), None)
    source = next((t for t in action.tickets if t.extra), None)
    if created is None or source is None or source.extra is None:
        raise TransitionRefused(_("This split was recorded incompletely and cannot be undone"))
    message_id = source.extra["message"]

    def move_back(conn: Connection) -> None:
        merges.move_message_back(conn, message_id, created.ticket_id, source.ticket_id)

    back = service.put_back(
        source.ticket_id, source.before, action_id=action.id, version_after=source.version_after,
        label=action.kind, also=move_back,
    )

    def plan_created(ticket: dict[str, Any], definition: StatusDef) -> Plan:
        if service.effective_version(ticket["id"], ticket["version"]) != created.version_after:
            raise ConflictError(service.changed_since(ticket))
        new_version.append(ticket["version"] + 1)
        return Plan(
            {
                "status": Status.MERGED.value,
                "merged_into": source.ticket_id,
                "message_count": 0,
                "waiting_since": None,
                "last_customer_message_at": None,
                "last_message_at": None,
            },
            [(EventKind.UNDONE, ticket["status"], Status.MERGED.value, action.kind)],
        )

    new_version: list[int] = []

    def mark(conn: Connection, _message: int | None) -> None:
        action_tickets.mark_undone(conn, action.id, created.ticket_id, new_version[0])

    pointer = service.change(created.ticket_id, plan_created, actor=None, expected_version=None, also=mark)
    return [back, pointer]
