"""Conversation: a customer's request arrives, the customer writes again, an agent replies or notes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from ..domain.clock import from_text, to_text
from ..domain.errors import InvalidInput
from ..domain.models import EventKind, Meaning, MessageKind, Priority, Status, StatusDef
from ..domain.text import storable, storable_data
from ..i18n import _, ngettext
from ..store import Connection, addressing, pg_row_ids, report_bulk, tickets, writes
from ..store import recipients as copies
from . import sla_tracking
from .attachment_limit import DEFAULT_LIMIT, check_attachments
from .changes import Change, Plan, TicketChanges
from .names import person_name
from .new_tickets import NewTickets
from .recipients import MAX_CC, cc_address, clean_cc, plain_address, remembered_cc
from .transitions import CUSTOMER_REOPENS, REPLY_FROM, parse_priority


class Conversation(TicketChanges):
    """The changes that add a message to a ticket's thread (or start one)."""

    # The most an agent attaches to one reply or note, in bytes: [mail] max_attachment_size,
    # set by whoever reads the config (core/attachment_limit.py).
    attachment_limit: int = DEFAULT_LIMIT
    # Runs the routing rules over a ticket just created, inside its creation's transaction
    # (conn, ticket id, the mailbox texts it came in through); set by core/routing.py `attach`.
    on_created: Callable[[Connection, int, Sequence[str]], None] | None = None

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
        cc: Sequence[str] = (),
        reply_to: str | None = None,
        mailbox: Sequence[str] = (),
        route: bool = True,
    ) -> int:
        """A customer request arrives: a New ticket with its first message. Returns its id.

        ``cc``: whom the mail copied (the desk's own addresses already left out), kept on the
        message and remembered on the ticket for reply-all; ``reply_to``: where the customer
        wants answers (core/recipients.py, docs/issue15/recipients.md). ``mailbox``: what the
        routing rules' ``mailbox`` pattern sees (the account it came in through); ``route=False``
        leaves the rules out (a restore brings back tickets as they were).
        """
        email, subject, body, name = storable(email), storable(subject), storable(body), storable_data(name)
        message_id, in_reply_to, references = storable_data((message_id, in_reply_to, references))
        attachments = storable_data(tuple(attachments))
        address = normalize_email(email)
        name = name or parseaddr(email or "")[0] or None
        priority_value = parse_priority(priority)
        moment = to_text(at or self.clock())
        subject = " ".join(subject.split()) if subject and subject.strip() else _("(no subject)")
        batch = self.new_tickets
        if batch is not None:  # written with the batch's other new tickets (core/new_tickets.py)
            customer_id = batch.customer(address, name, moment)
            return batch.add(*self.new_ticket_rows(
                batch.conn, customer_id, subject, body, priority_value, department, moment, address, message_id,
                in_reply_to, references, content_hash, cc, reply_to,
            ), attachments)
        with self.store.transaction() as conn:
            customer_id = self.customer_id(conn, address, name, moment)
            ticket, message, event = self.new_ticket_rows(
                conn, customer_id, subject, body, priority_value, department, moment, address, message_id,
                in_reply_to, references, content_hash, cc, reply_to,
            )
            ticket_id = writes.insert_ticket(conn, ticket)
            message_row = writes.insert_message(conn, {"ticket_id": ticket_id, **message})
            for filename, content_type, data in attachments:
                writes.insert_attachment(conn, message_row, filename, content_type, data)
            writes.insert_event(conn, ticket_id, **event)
            if route and self.on_created is not None:
                self.on_created(conn, ticket_id, mailbox)
        return ticket_id

    def new_ticket_rows(
        self, conn: Connection, customer_id: int, subject: str, body: str, priority: Priority, department: str | None,
        moment: str, address: str, message_id: str | None, in_reply_to: str | None, references: str | None,
        content_hash: str | None, cc: Sequence[str], reply_to: str | None,
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        """A new ticket's columns, its first message's (but the ticket id) and its event's, as create_ticket
        writes them, one by one or in a batch."""
        department_id = (
            tickets.named_id(conn, "department", person_name(department)) if department and department.strip() else None
        )
        ticket = {
            "subject": subject,
            "customer_id": customer_id,
            "status": Status.NEW.value,
            "priority": priority.value,
            "priority_rank": priority.rank,
            "department_id": department_id,
            "created_at": moment,
            "updated_at": moment,
            "waiting_since": moment,
            "last_customer_message_at": moment,
            "last_message_at": moment,
            "message_count": 1,
            "cc": copies.encode(remembered_cc((), clean_cc(cc), address)),
            "bucket": writes.bucket_for(Meaning.ATTENTION),
            "sort_key": writes.sort_key_for(Meaning.ATTENTION, moment, moment),
            **sla_tracking.started(from_text(moment), self.sla.for_ticket(department, priority)),
        }
        message = _customer_message(address, body, moment, message_id, in_reply_to, references, content_hash, cc, reply_to)
        event = {"at": moment, "actor": address, "kind": EventKind.CREATED, "from_value": None,
                 "to_value": Status.NEW.value}
        return ticket, message, event

    @contextmanager
    def new_tickets_together(self, conn: Connection) -> Iterator[NewTickets | None]:
        """Inside the caller's transaction: the tickets create_ticket makes are written together at the
        end (core/new_tickets.py). None (one at a time, as always) when routing rules run on each new
        ticket (they read it from the store), inside another such batch, or on PostgreSQL for a role
        that may not read and move the sequences (store/pg_row_ids.py)."""
        if self.on_created is not None or self.new_tickets is not None or (
            self.store.dialect == "postgresql" and not pg_row_ids.may_take_ids(conn)
        ):
            yield None
            return
        batch = NewTickets(conn)
        self.new_tickets = batch
        try:
            with report_bulk.counted_later(conn):  # the report summaries too (store/report_bulk.py)
                yield batch
                batch.finish()
        finally:
            self.new_tickets = None

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
        cc: Sequence[str] = (),
        reply_to: str | None = None,
    ) -> Change:
        """The customer writes again: Answered/Resolved/Postponed reopen; others keep their status.

        A message for a ticket merged into another one lands in that other one. ``cc`` and
        ``reply_to`` as for create_ticket: the copies are added to the ticket's Cc.
        """
        body, author = storable(body), storable_data(author)
        moment = to_text(at or self.clock())

        into: list[int] = []  # the ticket it goes into (after any merge), for `_remember`

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            into.append(ticket["id"])
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
            return Plan(fields, [(EventKind.CUSTOMER_MESSAGE, status, target, None)])

        sender = author or self._customer_email(ticket_id)
        return self.change(
            ticket_id,
            plan,
            actor=sender,
            expected_version=expected_version,
            message=_customer_message(
                sender, body, moment, message_id, in_reply_to, references, content_hash, cc, reply_to
            ),
            attachments=attachments,
            at=moment,
            also=_remember(clean_cc(cc), sender, into) if cc else None,
            follow_merged=True,
            tags=False,  # one query less a message: a large import is mostly these
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
        cc: Sequence[str] | None = None,
    ) -> Change:
        """An agent answers the customer: the ticket becomes Answered.

        With ``outbox``, the reply is also queued for e-mail in the same transaction, addressed
        to the ticket's customer as it is now. ``new_message_id`` makes its Message-ID (when
        none is given) inside that transaction: each reply of a bulk reply gets its own.
        ``in_reply_to``, ``references`` and ``content_hash`` are stored with the message
        (a reply imported from mail).

        ``cc``: whom the mail copies. None: the ticket's remembered Cc (reply-all); a list
        (empty for none) is this reply's Cc and becomes the ticket's remembered Cc, as a help
        desk keeps what the agent last chose (docs/issue15/recipients.md). A list that holds
        something other than a plain address is refused before anything is written.
        """
        if not body.strip():
            raise InvalidInput(_("A reply needs some text"))
        check_attachments(attachments, self.attachment_limit)
        chosen = None if cc is None else list(dict.fromkeys(cc_address(a) for a in cc))
        if chosen is not None and len(chosen) > MAX_CC:  # cut, the last ones would silently get nothing
            raise InvalidInput(ngettext("A reply copies at most {count} address", "A reply copies at most {count} addresses", MAX_CC).format(
                count=MAX_CC
            ))
        body = storable(body)
        moment = to_text(at or self.clock())
        who = storable(actor or self.actor)

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            self._require(ticket, definition, REPLY_FROM, "reply")
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
            return Plan(fields, [(EventKind.REPLIED, ticket["status"], Status.ANSWERED.value, None)])

        def queue(conn: Connection, message_row_id: int | None) -> None:
            pending = self.new_tickets
            if pending is not None:
                pending.write()  # the reply's own rows are read back (core/new_tickets.py)
            found = None if chosen is None or message_row_id is None else copies.ticket_of_message(conn, message_row_id)
            if chosen is not None and found is not None:
                copies.set_ticket_cc(conn, found[0], clean_cc(chosen, leave_out=[found[1]]))
            if message_row_id is not None and outbox:
                fixed = addressing.recipients(conn, ticket_id, message_row_id, chosen)
                outbox_id = writes.queue_outbox(conn, ticket_id, message_row_id, moment, fixed)
                if fixed and fixed["cc"]:
                    copies.set_outbox_cc(conn, outbox_id, fixed["cc"])
                    copies.set_message_cc(conn, message_row_id, fixed["cc"])

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
        return self.change(
            ticket_id,
            plan,
            actor=who,
            expected_version=expected_version,
            message=message,
            attachments=attachments,
            at=moment,
            also=queue if outbox or chosen is not None else None,  # the outbox row in the reply's transaction
            tags=False,
        )

    def add_note(
        self,
        ticket_id: int,
        body: str,
        *,
        actor: str | None = None,
        expected_version: int | None = None,
        attachments: Sequence[tuple[str, str, bytes]] = (),
    ) -> Change:
        """An internal note: never sent, changes no status. ``attachments``: (filename, content type, bytes)."""
        if not body.strip():
            raise InvalidInput(_("A note needs some text"))
        check_attachments(attachments, self.attachment_limit)
        body = storable(body)
        moment = to_text(self.clock())
        who = storable(actor or self.actor)

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            return Plan(
                {"message_count": ticket["message_count"] + 1},
                [(EventKind.NOTE, None, None, None)],
            )

        return self.change(
            ticket_id,
            plan,
            actor=who,
            expected_version=expected_version,
            message={"kind": MessageKind.NOTE.value, "author": who, "body": body, "created_at": moment},
            attachments=attachments,
            at=moment,
        )


def _customer_message(
    author: str, body: str, moment: str, message_id: str | None, in_reply_to: str | None, references: str | None,
    content_hash: str | None, cc: Sequence[str], reply_to: str | None,
) -> dict[str, Any]:
    """The messages row of a customer's message (but its ticket id), first or follow-up."""
    return {
        "kind": MessageKind.CUSTOMER.value,
        "author": author,
        "body": body,
        "created_at": moment,
        "message_id": message_id,
        "in_reply_to": in_reply_to,
        "references_": references,
        "content_hash": content_hash,
        **_copied(cc, reply_to),
    }


def _copied(cc: Sequence[str], reply_to: str | None) -> dict[str, Any]:
    """The Cc and Reply-To columns of a customer's message (plain addresses only)."""
    found: dict[str, Any] = {}
    if cc:
        found["cc"] = copies.encode(clean_cc(cc))
    if reply_to and plain_address(reply_to):
        found["reply_to"] = plain_address(reply_to)
    return found


def _remember(cc: list[str], sender: str, into: list[int]) -> Callable[[Connection, int | None], None]:
    """Adds a customer message's copies to the Cc of the ticket it went into (after any merge:
    ``into``, as the change's plan saw it).

    Only when the customer or someone the ticket copies wrote it: a supplier answering a
    forward, copying a colleague, must not have the customer's replies copied to that colleague.
    Read by the ticket, not by the message row: an import's rows may still be pending (core/new_tickets.py).
    """

    def remember(conn: Connection, message_row_id: int | None) -> None:
        found = None if message_row_id is None or not into else copies.ticket_copies(conn, into[-1])
        if found is not None:
            ticket_id, customer, current = found
            if sender.casefold() not in {a.casefold() for a in [customer, *current]}:
                return
            kept = remembered_cc(current, cc, customer)
            if kept != current:
                copies.set_ticket_cc(conn, ticket_id, kept)

    return remember


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


__all__ = ["Conversation", "normalize_email"]
