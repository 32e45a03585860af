"""The ticket's attachments from the thread (issue 15 item 1, docs/issue15/attachments-out.md and
docs/issue15/reading.md): pick one, then save it to the downloads folder or open it.

The save is core.attachments', the command line's: the sender's name cleaned, inside the
downloads folder. A name already taken there is never overwritten without asking: keep both
(the next free `name (n)`), replace, or cancel. Opening goes through core.attachment_opener
(a private copy, a detached program). Reads and writes run in thread workers, so a large
attachment or a slow server never stops the screen.
"""

from __future__ import annotations

from pathlib import Path

from ..core import attachment_opener, attachments
from ..domain.file_names import safe_file_name
from ..domain.models import Attachment
from ..domain.text import one_line
from ..i18n import _, ngettext, number
from .panes import PanesBase, given
from .screens.dialogs import ChoiceDialog

ALL = "all"


def _label(attachment: Attachment) -> str:
    return f"{one_line(attachment.filename, 50)} · {one_line(attachment.content_type, 30)} · {attachment.size:,} B"


class AttachmentActions(PanesBase):
    def action_save_attachments(self) -> None:
        """The ticket's attachments: one to save or open; with several, all of them to save."""
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
            self._attachment_menu(found[0])
            return
        by_id = {str(a.id): a for a in found}
        choices = [(ALL, ngettext("Save all {n} attachment", "Save all {n} attachments", len(found)).format(n=number(len(found))))] + [(key, _label(a)) for key, a in by_id.items()]

        def chosen(value: str) -> None:
            if value == ALL:
                self._save_attachments([a.id for a in found])
            else:
                self._attachment_menu(by_id[value])

        self.app.push_screen(ChoiceDialog(_("Attachments of #{id}").format(id=ticket_id), choices), given(chosen))

    def _attachment_menu(self, attachment: Attachment) -> None:
        choices = [
            ("save", _("Save to your downloads folder")),
            ("open", _("Open with the system's program")),
        ]

        def chosen(value: str) -> None:
            if value == "open":
                self._open_attachment(attachment.id)
            else:
                self._save_one(attachment.id)

        self.app.push_screen(ChoiceDialog(_label(attachment), choices), given(chosen))

    def _save_one(self, attachment_id: int) -> None:
        """Save one attachment; when its name is taken, ask before anything is written."""

        def work() -> None:
            try:
                folder = attachments.downloads_dir()
                folder.mkdir(parents=True, exist_ok=True)
                item = attachments.get_attachment(self.store, attachment_id)
                clean = safe_file_name(item.attachment.filename)
                free = attachments.free_name(folder, item.attachment.filename)
                if free.name != clean:
                    self.app.call_from_thread(self._ask_overwrite, attachment_id, folder, clean, free.name)
                    return
                saved = attachments.save_into(folder, item.attachment.filename, item.data)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._saved, folder, [saved.name])

        self.run_worker(work, thread=True, group="attachments", exit_on_error=False)

    def _ask_overwrite(self, attachment_id: int, folder: Path, name: str, free: str) -> None:
        def answered(value: str) -> None:
            if value == "cancel":
                self.notify(_("Not saved"))
            else:
                self._write_chosen(attachment_id, folder, replace=value == "replace")

        self.app.push_screen(
            ChoiceDialog(
                _("{name} is already in {folder}").format(name=one_line(name), folder=one_line(str(folder))),
                [
                    ("both", _("Keep both: save this one as {name}").format(name=one_line(free))),
                    ("replace", _("Replace {name}").format(name=one_line(name))),
                    ("cancel", _("Cancel")),
                ],
            ),
            given(answered),
        )

    def _write_chosen(self, attachment_id: int, folder: Path, *, replace: bool) -> None:
        def work() -> None:
            try:
                item = attachments.get_attachment(self.store, attachment_id)
                if replace:
                    path = folder / safe_file_name(item.attachment.filename)
                    saved = attachments.replace_file(path, item.data)
                else:
                    saved = attachments.save_into(folder, item.attachment.filename, item.data)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._saved, folder, [saved.name])

        self.run_worker(work, thread=True, group="attachments", exit_on_error=False)

    def _saved(self, folder: Path, names: list[str]) -> None:
        self.notify(_("Saved in {folder}: {names}").format(folder=one_line(str(folder)), names=one_line(", ".join(names))))

    def _save_attachments(self, ids: list[int]) -> None:
        """Save every one (the "all" choice): a taken name gets the next free `name (n)`, as the CLI's."""

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
            self.app.call_from_thread(self._saved, folder, names)

        self.run_worker(work, thread=True, group="attachments", exit_on_error=False)

    def _open_attachment(self, attachment_id: int) -> None:
        def work() -> None:
            try:
                item = attachments.get_attachment(self.store, attachment_id)
                path = attachment_opener.open_copy(item.attachment.filename, item.data)
            except attachment_opener.NoOpener as error:
                self.app.call_from_thread(self._error, str(error))
                return
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self.notify, _("Opened {name}").format(name=one_line(path.name)))

        self.run_worker(work, thread=True, group="attachments", exit_on_error=False)
