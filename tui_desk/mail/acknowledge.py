"""What a ticket that arrives by a fetched mailbox gets: its mailbox, and maybe an acknowledgement.

Only fetched (live) mail comes here (mail/imap.py hands ``Arrival`` to the
Importer); `tui-desk import` of an archive never does. A new ticket from an
account with ``from`` remembers that identity (tickets.mailbox): its replies go
out from it. With ``acknowledge = true`` its sender gets one automatic reply
(RFC 3834, docs/issue15/acknowledgement.md), written in the same transaction
as the ticket and sent by the outbox; never to a machine, a list or the desk
itself (mail/autoreply.py), and at most one per sender per hour.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

from ..core.conversation import normalize_email
from ..core.lifecycle import TicketService
from ..core.recipients import mailbox_key
from ..core.templates import context_for_ticket, get_template, render
from ..domain.clock import to_text
from ..domain.errors import InvalidInput, TuiDeskError
from ..i18n import _
from ..store import mailboxes
from .addresses import UNKNOWN_SENDER
from .autoreply import refuses
from .outbox import new_message_id
from .parse import ParsedMail
from .settings import ImapSettings, MailSettings

AUTHOR = "tui-desk"  # who the acknowledgement is by, in the thread and the timeline
ONCE_PER = timedelta(hours=1)  # per sender


def default_text() -> str:
    return _(
        "Thank you for your message. We have received it as request #{ticket.id} and will answer as soon as we can.\n"
        "\n"
        "When you write to us about it again, please keep [#{ticket.id}] in the subject.\n"
        "\n"
        "This is an automatic reply."
    )


def check(service: TicketService, settings: MailSettings, account: ImapSettings) -> None:
    """Refuse, with one line, an account that asks for an acknowledgement the desk cannot send."""
    if not account.acknowledge:
        return
    if settings.smtp is None:
        raise InvalidInput(_("[mail.imap] acknowledge = true needs a [mail.smtp] table to send it"))
    if account.acknowledge_with:
        try:
            get_template(service.store, account.acknowledge_with)
        except TuiDeskError as error:
            raise InvalidInput(_("[mail.imap] acknowledge_with: {reason}").format(reason=error)) from None


class Arrival:
    """Called by the Importer, inside its transaction, for each ticket it creates."""

    def __init__(self, service: TicketService, settings: MailSettings, account: ImapSettings) -> None:
        self.service, self.settings, self.account = service, settings, account

    def __call__(self, ticket_id: int, mail: ParsedMail) -> None:
        store = self.service.store
        if self.account.identity:
            mailboxes.set_mailbox(store.conn, ticket_id, self.account.identity)
        if not self.account.acknowledge or mail.sender == UNKNOWN_SENDER:
            return
        if refuses(mail.sender, mail.automatic, self.settings.our_addresses):
            return
        now = self.service.clock()
        if mailboxes.acknowledged_since(store.conn, mailbox_key(normalize_email(mail.sender)), to_text(now - ONCE_PER)):
            return
        body = None
        if self.account.acknowledge_with:
            try:
                body = get_template(store, self.account.acknowledge_with).body
            except TuiDeskError:  # removed since `check`: a customer's mail must still be stored
                body = None
        signer = parseaddr(self.account.identity or "")[0] or AUTHOR
        text = render(body or default_text(), context_for_ticket(store, ticket_id, signer)).text
        mailboxes.queue_acknowledgement(
            store.conn, ticket_id, body=text, author=AUTHOR, at=to_text(now), message_id=new_message_id(self.settings)
        )
