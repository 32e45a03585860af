"""Saving a ticket's attachments from the thread (issue 15 item 1, docs/issue15/attachments-out.md).

The save is core.attachments.save_into, the command line's: the sender's name cleaned,
inside the downloads folder, never over an existing file. Reads and writes run in a
thread worker, so a large attachment or a slow server never stops the screen.
"""

from __future__ import annotations

from ..core import attachments
from ..domain.models import Attachment
from ..domain.text import one_line
from ..i18n import _
from .panes import PanesBase, given
from .screens.dialogs import ChoiceDialog

ALL = "all"


class AttachmentActions(PanesBase):
    def action_save_attachments(self) -> None:
        """Save the ticket's attachment to the downloads folder; with several, ask which (or all)."""
        row = self._require_ticket()
        if row is None or not self._thread_shown(row.id):
            return
        ticket_id = row.id

        def work() -> None:
            try:
                found = attachments.ticket_attachments(self.store, ticket_id)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._choose_attachments, ticket_id, found)

        self.run_worker(work, thread=True, group="attachments", exit_on_error=False)

    def _choose_attachments(self, ticket_id: int, found: list[Attachment]) -> None:
        if not found:
            self.notify(_("#{id} has no attachments").format(id=ticket_id), severity="warning")
            return
        if len(found) == 1:
            self._save_attachments([found[0].id])
            return
        every = [a.id for a in found]
        choices = [(ALL, _("All {n} attachments").format(n=len(found)))] + [
            (str(a.id), f"{one_line(a.filename, 50)} · {one_line(a.content_type, 30)} · {a.size} B") for a in found
        ]
        self.app.push_screen(
            ChoiceDialog(_("Save which attachment of #{id} to your downloads folder?").format(id=ticket_id), choices),
            given(lambda chosen: self._save_attachments(every if chosen == ALL else [int(chosen)])),
        )

    def _save_attachments(self, ids: list[int]) -> None:
        def work() -> None:
            try:
                folder = attachments.downloads_dir()
                folder.mkdir(parents=True, exist_ok=True)
                names = []
                for attachment_id in ids:
                    item = attachments.get_attachment(self.store, attachment_id)
                    names.append(attachments.save_into(folder, item.attachment.filename, item.data).name)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            text = _("Saved in {folder}: {names}").format(folder=one_line(str(folder)), names=one_line(", ".join(names)))
            self.app.call_from_thread(self.notify, text)

        self.run_worker(work, thread=True, group="attachments", exit_on_error=False)
