"""Forward a message with its attachments to a third party (docs/issue15/forward.md).

The forward is an internal event of the ticket, not a reply: the status and the customer's
SLA clocks stay as they are and nothing goes to the customer. What is stored, in one
transaction: the agent's text as an internal note (the record of what was sent and by whom),
a 'forwarded' event naming the address, and an outbox row of kind 'forward' that
mail/outbox.py turns into the mail (the agent's text, then the forwarded message, then its files).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from email.utils import parseaddr
from typing import Any

from ..domain.clock import to_text
from ..domain.errors import ConflictError, InvalidInput, NotFound, TransitionRefused
from ..domain.models import EventKind, MessageKind, StatusDef
from ..domain.text import one_line, storable
from ..i18n import _
from ..store import Connection, forwards
from .changes import Change, Plan, TicketChanges
from .recipients import mailbox_key

# What a forward's To may be: one plain address, its domain with a dot. Anything else
# (a list, a group, quoted local parts) is refused rather than guessed at.
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
FORWARDABLE = (MessageKind.CUSTOMER.value, MessageKind.REPLY.value)


def forward_address(text: str) -> tuple[str, str]:
    """One recipient as typed ("s@x.com" or "Supplier <s@x.com>"): (address, name); InvalidInput otherwise.

    A line break or any other control or format character is refused outright: such text is
    someone trying to add a header, never an address.
    """
    shown = one_line(text, 60)
    # A comma or semicolon would make a list; parseaddr would quietly keep one of its parts.
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") or c in ",;" for c in text) or text.count("@") != 1:
        raise InvalidInput(_("Not one e-mail address: {value!r}").format(value=shown))
    name, address = parseaddr(text)
    if not _ADDRESS.fullmatch(address):
        raise InvalidInput(_("Not one e-mail address: {value!r}").format(value=shown))
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}", " ".join(name.split())


def forward_subject(subject: str, ticket_id: int) -> str:
    """ "Fwd: <subject> [#id]": the tag brings the third party's answer back to the ticket."""
    flat = " ".join(subject.split())
    tag = f"[#{ticket_id}]"
    return f"Fwd: {flat}" if tag in flat else f"Fwd: {flat} {tag}"


class Forwarding(TicketChanges):
    """Sending a message of a ticket on to someone outside the conversation."""

    def forward(
        self,
        message_row: int,
        to: str,
        body: str = "",
        *,
        new_message_id: Callable[[], str],
        own_addresses: Sequence[str] = (),
        actor: str | None = None,
    ) -> Change:
        """Queue message ``message_row`` (the desk's message number) for ``to`` with the agent's ``body``.

        Refused: an unknown message, an internal note, the ticket's customer or one of
        ``own_addresses`` (the desk's own) as the recipient, more than one address.
        """
        address, name = forward_address(to)
        if mailbox_key(address) in {mailbox_key(a) for a in own_addresses}:
            raise InvalidInput(_("{address} is the help desk's own address: forward to a third party").format(
                address=address))
        with self.store.transaction() as conn:
            found = forwards.forwarded_message(conn, message_row)
        if found is None:
            raise NotFound(_("No message {id}").format(id=message_row))
        if found["kind"] not in FORWARDABLE:
            raise TransitionRefused(_("Message {id} is an internal note: only mail of the conversation is forwarded")
                                    .format(id=message_row))
        if address.lower() == found["customer_email"].lower():
            raise InvalidInput(_("{address} is the ticket's customer: answer with reply, forward is for third parties")
                               .format(address=address))
        ticket_id = found["ticket_id"]
        moment = to_text(self.clock())
        who = storable(actor or self.actor)
        subject: list[str] = []

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            subject.append(forward_subject(ticket["subject"], ticket["id"]))
            return Plan({"message_count": ticket["message_count"] + 1}, [(EventKind.FORWARDED, None, None, address)])

        def queue(conn: Connection, note_row: int | None) -> None:
            again = forwards.forwarded_message(conn, message_row)
            if note_row is None or again is None or again["ticket_id"] != ticket_id:
                # Split or merged away since it was read: the note would sit on the wrong ticket.
                raise ConflictError(_("Message {id} moved meanwhile; nothing was done, look again and retry")
                                    .format(id=message_row))
            forwards.queue_forward(conn, ticket_id, note_row, message_row, moment, address, storable(name), subject[0])

        return self.change(
            ticket_id,
            plan,
            actor=who,
            expected_version=None,
            message={
                "kind": MessageKind.NOTE.value,
                "author": who,
                "body": storable(body),
                "created_at": moment,
                "message_id": new_message_id(),
            },
            at=moment,
            also=queue,
        )


__all__ = ["FORWARDABLE", "Forwarding", "forward_address", "forward_subject"]
