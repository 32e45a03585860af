"""Forwarding a message of the shown ticket to a third party (issue 15 item 7, docs/issue15/forward.md).

The forward is mail/outgoing.forward_message, the command line's: the same address rules
and refusals, recorded as an internal note and a 'forwarded' event, queued in the outbox
that the background mail job sends. It runs in a thread worker, so a slow store never
stops the screen; the dialog closes only once the forward is stored.
"""

from __future__ import annotations

from ..core.forwarding import FORWARDABLE
from ..domain.models import Message
from ..domain.text import one_line
from ..i18n import _, ngettext
from ..mail.outgoing import forward_message
from .failures import describe_failure
from .format import local_time
from .panes import PanesBase
from .screens.forward import ForwardRequest, ForwardScreen


def message_label(message: Message) -> str:
    """ "author · date · first words": the sender's text is a stranger's, cut to one line."""
    label = f"{one_line(message.author, 30)} · {local_time(message.created_at)} · {one_line(message.body[:200], 40)}"
    if message.attachments:
        count = len(message.attachments)
        label += " · " + ngettext("{n} attachment", "{n} attachments", count).format(n=count)
    return label


class ForwardActions(PanesBase):
    def action_forward(self) -> None:
        """Open the forward dialog on the shown ticket's mail, newest first; without SMTP, say so at once."""
        row = self._require_ticket()
        if row is None or not self._thread_shown(row.id):
            return
        if self.mail is None or self.mail.smtp is None:
            # The dialog could not send: say it before anything is typed.
            self._error(_("No SMTP server in the config file: add a [mail.smtp] table to forward mail"))
            return
        messages = [m for m in reversed(self._messages) if m.kind in FORWARDABLE]
        if not messages:
            self.notify(_("#{id} has no mail to forward: notes stay inside the desk").format(id=row.id),
                        severity="warning", markup=False)
            return
        subject = self.ticket.subject if self.ticket is not None else ""
        title = _("Forward a message of #{id}: {subject}").format(id=row.id, subject=one_line(subject, 50))
        ticket_id = row.id
        choices = [(m.id, message_label(m)) for m in messages]
        self.app.push_screen(ForwardScreen(title, choices, lambda screen, request: self._forward(screen, ticket_id, request)))

    def _forward(self, screen: ForwardScreen, ticket_id: int, request: ForwardRequest) -> None:
        mail = self.mail

        def work() -> None:
            try:
                assert mail is not None
                forward_message(self.service, mail, request.message_row, request.to, request.body)
            except Exception as error:  # a refusal as much as a full disk: said, the dialog kept
                self.app.call_from_thread(self._forward_refused, screen, error)
                return
            self.app.call_from_thread(self._forwarded, screen, ticket_id, request.to)

        self.run_worker(work, thread=True, group="forward", exit_on_error=False)

    def _forward_refused(self, screen: ForwardScreen, error: Exception) -> None:
        screen.send_failed()
        self._error(describe_failure(error, self.store.path))

    def _forwarded(self, screen: ForwardScreen, ticket_id: int, to: str) -> None:
        if screen.is_attached:
            screen.dismiss(None)
        self.notify(_("Forwarded to {address}").format(address=one_line(to, 80)), markup=False)
        self.refresh_inbox()
        if self.selected_id == ticket_id:
            self.load_ticket(ticket_id)
