"""What the agent does to tickets: reply, note, change status and fields, mark, undo, merge, split.

A base of MainScreen (main_screen.py). Each change is a request of the core
(`core.requests`), run in a worker over the marked tickets or the selected one,
recorded for undo and said with `core.change_text.change_summary`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from textual import work
from textual.notifications import SeverityLevel

from ..core import requests, signatures
from ..core.actions import Outcome, action_name, undo_last, undo_summary
from ..core.change_text import change_summary
from ..core.names import parse_tag_text
from ..core.presence import arrived_since, describe, replying
from ..core.ticket_ids import parse_ticket_id
from ..domain.errors import TuiDeskError
from ..domain.models import PRIORITY_ORDER, Meaning, Message, priority_label
from ..domain.text import one_line
from ..i18n import _, ngettext, number
from ..mail.outbox import reply_options
from ..store import queries
from ..store.queries import InboxFilter
from .failures import describe_failure
from .format import local_time
from .panes import PanesBase, given
from .screens.dialogs import ChoiceDialog, ConfirmDialog, TextPrompt
from .screens.postpone import PostponeDialog, when_label
from .screens.reply import Draft, ReplyScreen
from .widgets.thread import kind_label

CONFIRM_FROM = 50  # a bulk action over this many tickets asks first
MARK_ALL_LIMIT = 50_000


class TicketActions(PanesBase):
    """The keys that change tickets: each acts on the marked tickets, else on the selected one."""

    # -- running changes ------------------------------------------------------------------
    def _targets(self) -> list[int] | None:
        """What an action applies to: the marked tickets, else the selected one."""
        if self.inbox.marked:
            return sorted(self.inbox.marked)
        row = self._require_ticket()
        return [row.id] if row is not None else None

    @staticmethod
    def _which(ids: list[int]) -> str:
        return f"#{ids[0]}" if len(ids) == 1 else ngettext("{n} marked ticket", "{n} marked tickets", len(ids)).format(n=number(len(ids)))

    def perform_action(
        self,
        request: requests.ChangeRequest,
        ids: list[int],
        on_refused: Callable[[str], None] | None = None,
    ) -> None:
        """Run a request (recorded for undo) in a worker; notify its outcome; refresh the panes."""
        self._run_action(request, ids, on_refused, bool(self.inbox.marked))

    @work(thread=True, group="change", exit_on_error=False)
    def _run_action(
        self,
        request: requests.ChangeRequest,
        ids: list[int],
        on_refused: Callable[[str], None] | None,
        bulk: bool,
        on_done: Callable[[], None] | None = None,
        until: str | None = None,  # a postponement's time, for the notice: "Mon 8 Dec 09:00"
    ) -> None:
        try:
            outcome = requests.run(self.service, request, ids)
        except Exception as error:  # a full disk or a damaged store as much as a refusal
            self.app.call_from_thread(self._action_failed, error, on_refused)
            return
        self.app.call_from_thread(self._acted, outcome, bulk, on_refused, on_done, until)

    def _action_failed(self, error: Exception, on_refused: Callable[[str], None] | None) -> None:
        self.report_failure(error)
        if on_refused is not None:
            on_refused(describe_failure(error, self.store.path))

    def _acted(
        self,
        outcome: Outcome,
        bulk: bool,
        on_refused: Callable[[str], None] | None,
        on_done: Callable[[], None] | None = None,
        until: str | None = None,
    ) -> None:
        if bulk:
            self.inbox.set_marks(set())
            severity: SeverityLevel = "warning" if outcome.refused else "information"
            text = outcome.summary(until and _("until {time}").format(time=until))
            if outcome.changes:
                text += " · " + _("u undoes")
            self.notify(text, severity=severity, markup=False, timeout=8 if outcome.refused else 5)
        elif outcome.refused:
            self._error(outcome.refused[0][1])
            if on_refused is not None:
                on_refused(outcome.refused[0][1])
        else:
            said = until and _("#{id}: {action}").format(id=outcome.changes[0].ticket_id, action=_("postponed until {time}").format(time=until))
            self.notify(said or change_summary(outcome.changes, self.status_label), markup=False, timeout=4)
            if on_done is not None:
                on_done()
        if outcome.changes:
            self.refresh_inbox()
            if self.selected_id is not None:
                self.load_ticket(self.selected_id)

    # -- actions: writing ---------------------------------------------------------------------
    def _open_editor(self, kind: str) -> None:
        row = self._require_ticket()
        if row is None:
            return
        if self.ticket is not None and self.ticket.id == row.id and self.ticket.merged_into is not None:
            # Before the agent writes a word the store would refuse; a draft kept for it goes along.
            target = self.ticket.merged_into
            self._error(_("Ticket #{id} was merged into #{target}; work on #{target}").format(id=row.id, target=target))
            if self.drafts.load(kind, row.id) is not None:
                try:
                    self.drafts.move(kind, row.id, target)
                except OSError as error:
                    self.report_failure(error)
                    return
                self.notify(
                    _("#{id} was merged into #{target}: your unsent text for it is now on #{target}").format(
                        id=row.id, target=target
                    ),
                    severity="warning",
                    markup=False,
                )
            return
        kept = self.drafts.load(kind, row.id)
        quote = self._latest_customer_text if self.ticket is not None and self.ticket.id == row.id else None
        editor = ReplyScreen(
            kind,
            row.id,
            row.subject,
            kept or "",
            quote,
            store=self.store,
            actor=self.actor,
            drafts=self.drafts,
            on_send=lambda draft: self._store_draft(editor, draft),
            signature=lambda: signatures.from_file(self.store, getattr(self.app, "config_file", None), row.id, self.actor),
            files=tuple(self.drafts.load_files(kind, row.id)) if kept else (),
        )
        if kind == "reply":
            if self.ticket is not None and self.ticket.id == row.id:
                editor.seen_up_to = max((m.id for m in self._messages), default=0)
            else:  # its thread is still loading: ctrl+s asks about what comes after what is there now
                self._note_newest(editor, row.id)
            self.now_replying(row.id)
            self.app.push_screen(editor, lambda _result: self.now_replying(None))
        else:
            self.app.push_screen(editor)
        if kept:
            self.notify(
                _("Your unsent text for #{id} is back in the editor").format(id=row.id), markup=False, timeout=6
            )

    def _store_draft(self, editor: ReplyScreen, draft: Draft) -> None:
        """Store the reply or note; the editor closes when it is stored and stays open if not."""
        request: requests.ChangeRequest
        if draft.kind == "reply":
            options = reply_options(self.mail) if self.mail is not None else {}
            if draft.attachments:
                options = {**options, "attachments": draft.attachments}
            if draft.cc is not None:  # the agent changed the Cc: it replaces the remembered one
                options = {**options, "cc": draft.cc}
            request = requests.Reply(draft.body, options)
        else:
            request = requests.Note(draft.body, draft.attachments)

        def refused(_message: str) -> None:
            editor.send_failed()
            if editor.draft_kept:
                self.notify(_("Your text is kept in the editor and in your drafts"), severity="warning", markup=False)
            else:  # the drafts folder failed too (a full disk): only the editor holds it now
                self.notify(
                    _("Your text is kept in the editor only: it could not be written to your drafts"),
                    severity="error",
                    markup=False,
                )

        def send() -> None:
            self._run_action(
                request,
                [draft.ticket_id],
                refused,
                False,  # one ticket, whatever is marked
                editor.stored,
            )

        if draft.kind == "reply" and editor.seen_up_to is not None:
            self._check_arrivals(editor, draft.ticket_id, editor.seen_up_to, send)
        else:
            send()

    @work(thread=True, group="seen", exit_on_error=False)
    def _note_newest(self, editor: ReplyScreen, ticket_id: int) -> None:
        try:
            newest = max((m.id for m in queries.ticket_messages(self.store, ticket_id, limit=1)), default=0)
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)
            return
        if editor.seen_up_to is None:
            editor.seen_up_to = newest

    @work(thread=True, group="change", exit_on_error=False)
    def _check_arrivals(self, editor: ReplyScreen, ticket_id: int, after: int, send: Callable[[], None]) -> None:
        """Before a reply goes: did the customer write, or another agent answer, since the editor opened?"""
        try:
            arrived = arrived_since(self.store, ticket_id, after, self.actor)
        except Exception:  # the store fails: sending says so, and keeps the text
            arrived = []
        self.app.call_from_thread(self._ask_about_arrivals, editor, arrived, send)

    def _ask_about_arrivals(self, editor: ReplyScreen, arrived: list[Message], send: Callable[[], None]) -> None:
        if not arrived:
            send()
            return
        editor.seen_up_to = max(m.id for m in arrived)  # asked once about these
        lines = [
            f"• {kind_label(m.kind)} · {one_line(m.author, 30)} · {local_time(m.created_at)}: {one_line(m.body, 60)}"
            for m in arrived[-5:]
        ]
        if len(arrived) > 5:
            lines.insert(0, "…")
        question = "\n".join(
            [_("Since you opened the editor, #{id} got:").format(id=editor.ticket_id), *lines, _("Send your reply anyway?")]
        )

        def answered(yes: bool | None) -> None:
            if yes:
                send()
            else:
                editor.send_failed()  # back to the text, to read the thread and write on

        self.app.push_screen(ConfirmDialog(question), answered)

    def action_reply(self) -> None:
        row = self.inbox.current
        busy = replying(self.others_on(row.id)) if row is not None else []
        if row is None or not busy:
            self._open_editor("reply")
            return
        # Two answers crossing in the customer's mailbox help nobody: ask first.
        self.app.push_screen(
            ConfirmDialog(
                _("{who} on #{id}. Write a reply too?").format(who=describe(busy), id=row.id)
            ),
            given(lambda _yes: self._open_editor("reply")),
        )

    def action_note(self) -> None:
        self._open_editor("note")

    def _simple(self, request: requests.ChangeRequest) -> None:
        ids = self._targets()
        if ids is not None:
            self._confirm_many(request, ids)

    def _confirm_many(self, request: requests.ChangeRequest, ids: list[int]) -> None:
        """Ask first when many tickets would change."""
        if len(ids) < CONFIRM_FROM:
            self.perform_action(request, ids)
            return
        action = action_name(requests.action_kind(request)).capitalize()
        self.app.push_screen(
            ConfirmDialog(_("{action}: {which}?").format(action=action, which=self._which(ids))),
            given(lambda _yes: self.perform_action(request, ids)),
        )

    def action_resolve(self) -> None:
        self._simple(requests.Resolve())

    def action_reopen(self) -> None:
        self._simple(requests.Reopen())

    def action_spam(self) -> None:
        self._simple(requests.MarkSpam())

    def action_restore(self) -> None:
        self._simple(requests.Restore())

    def action_delete(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        if len(ids) == 1 and self.inbox.current is not None and self.inbox.current.id == ids[0]:
            question = _("Delete #{id} “{subject}”? It can be restored from the Deleted view.").format(
                id=ids[0], subject=one_line(self.inbox.current.subject, 50)
            )
        else:
            question = _("Delete {which}? They can be restored from the Deleted view.").format(which=self._which(ids))
        self.app.push_screen(
            ConfirmDialog(question),
            given(lambda _yes: self.perform_action(requests.Delete(), ids)),
        )

    def action_postpone(self) -> None:
        ids = self._targets()
        if ids is None:
            return

        def chosen(value: str | None) -> None:
            if value:
                until = datetime.fromisoformat(value)
                self._run_action(requests.Postpone(until), ids, None, bool(self.inbox.marked), None, when_label(until))

        self.app.push_screen(PostponeDialog(self._which(ids), self.clock(), self.service.sla), chosen)

    def action_assign(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        self._with_names(
            queries.agent_names,
            lambda agents: self.app.push_screen(
                ChoiceDialog(
                    _("Assign {which} to…").format(which=self._which(ids)),
                    [(self.actor, _("Me ({name})").format(name=one_line(self.actor)))]
                    + [(a, one_line(a)) for a in agents if a != self.actor]
                    + [("-", _("Nobody (unassign)"))],
                    allow_typed=True,
                    placeholder=_("type a name, or pick below"),
                ),
                given(lambda agent: self.perform_action(requests.Assign(agent), ids)),
            ),
        )

    def action_department(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        self._with_names(
            queries.department_names,
            lambda names: self.app.push_screen(
                ChoiceDialog(
                    _("Department of {which}").format(which=self._which(ids)),
                    [(n, n) for n in names] + [("-", _("No department"))],
                    allow_typed=True,
                    placeholder=_("type a department, or pick below"),
                ),
                given(lambda name: self.perform_action(requests.SetDepartment(name), ids)),
            ),
        )

    def action_priority(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        current = self.inbox.current
        self.app.push_screen(
            ChoiceDialog(
                _("Priority of {which}").format(which=self._which(ids)),
                [(p.value, priority_label(p.value)) for p in PRIORITY_ORDER],
                selected=current.priority if current is not None and len(ids) == 1 else None,
            ),
            given(lambda value: self.perform_action(requests.SetPriority(value), ids)),
        )

    def action_tags(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        single = len(ids) == 1 and self.ticket is not None and self.ticket.id == ids[0]
        current = one_line(", ".join(self.ticket.tags)) if single and self.ticket is not None else ""

        def typed(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                edit = parse_tag_text(value)  # the CLI's rules: +a adds, -b removes, a bare word adds
            except TuiDeskError as error:
                self._error(str(error))
                return
            self.perform_action(requests.Tag(edit), ids)

        self.app.push_screen(
            TextPrompt(
                _("Tags of {which}").format(which=self._which(ids)),
                placeholder=_("+tag adds, -tag removes; a bare word adds"),
                hint=_("Now: {tags}").format(tags=current or "–") if single else "",
            ),
            typed,
        )

    def action_custom_status(self) -> None:
        ids = self._targets()
        if ids is None:
            return
        custom = [d for d in self.status_defs.values() if not d.builtin and d.meaning is not Meaning.MERGED]
        if not custom:
            self.notify(
                _("No custom statuses yet: add one with  tui-desk statuses --add NAME --meaning hold"),
                severity="warning",
                markup=False,
            )
            return
        self.app.push_screen(
            ChoiceDialog(
                _("Status of {which}").format(which=self._which(ids)),
                [(d.key, d.label) for d in custom],
            ),
            given(lambda key: self.perform_action(requests.SetCustomStatus(key), ids)),
        )

    # -- marks, undo, merge, split ------------------------------------------------------------
    def action_mark_all(self) -> None:
        """Mark every ticket of the view or search (again: unmark them)."""
        flt, total = self.inbox_filter, self.inbox.total
        if total and len(self.inbox.marked) >= min(total, MARK_ALL_LIMIT):
            self.inbox.set_marks(set())
            return

        def work() -> None:
            try:
                ids = queries.inbox_ids(self.store, flt, MARK_ALL_LIMIT)
            except Exception as error:
                self.app.call_from_thread(self.report_failure, error)
                return
            self.app.call_from_thread(self._marked_all, flt, ids, total)

        self.run_worker(work, thread=True, group="marks", exit_on_error=False)

    def _marked_all(self, flt: InboxFilter, ids: list[int], total: int) -> None:
        if flt != self.inbox_filter:
            return  # the agent moved to another view meanwhile: these tickets are out of sight
        self.inbox.set_marks(set(ids))
        if (more := self.inbox.grows and len(ids) >= MARK_ALL_LIMIT) or total > len(ids):  # grows: a capped count
            self.notify(
                ngettext("Marked the first {n} of {total} ticket", "Marked the first {n} of {total} tickets", total)
                .format(n=number(len(ids)), total=_("{number}+").format(number=number(len(ids))) if more else number(total)),
                severity="warning",
            )

    def action_undo(self) -> None:
        self._undo()

    @work(thread=True, group="change", exit_on_error=False)
    def _undo(self) -> None:
        try:
            outcome = undo_last(self.service)
        except TuiDeskError as error:
            self.app.call_from_thread(self.notify, str(error), severity="warning", markup=False, timeout=8)
            return
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)
            return
        self.app.call_from_thread(self._undone, outcome)

    def _undone(self, outcome: Outcome) -> None:
        self.notify(undo_summary(outcome), severity="warning" if outcome.refused else "information", markup=False)
        self.refresh_inbox()
        if self.selected_id is not None:
            self.load_ticket(self.selected_id)

    def action_merge(self) -> None:
        """Merge the marked tickets into the selected one; with none marked, the selected one into another."""
        row = self._require_ticket()
        if row is None:
            return
        target = row.id
        sources = sorted(self.inbox.marked - {target})
        if sources:
            self.app.push_screen(
                ConfirmDialog(
                    _("Merge {which} into #{id} “{subject}”?").format(
                        which=self._which(sources), id=target, subject=one_line(row.subject, 40)
                    )
                ),
                given(lambda _yes: self.perform_action(requests.Merge(target), sources)),
            )
            return

        def typed(value: str | None) -> None:
            if not value or not value.strip():
                return
            try:
                into = parse_ticket_id(value)
            except TuiDeskError as error:
                self._error(str(error))
                return
            self.perform_action(requests.Merge(into), [target])

        self.app.push_screen(
            TextPrompt(
                _("Merge #{id} into ticket…").format(id=target),
                placeholder=_("ticket number"),
                hint=_("Its thread, timeline and tags move there; #{id} stays as a pointer. Or mark tickets (space) and press M on the one to keep.").format(id=target),
            ),
            typed,
        )

    def action_split(self) -> None:
        """Split one of the customer's messages off into a new ticket."""
        row = self._require_ticket()
        if row is None:
            return
        if not self._thread_shown(row.id):
            return
        messages = [m for m in self._messages if m.kind == "customer"]
        if self.ticket is None or self.ticket.message_count < 2 or not messages:
            self.notify(_("#{id} has no other message: there is nothing to split off").format(id=row.id), severity="warning")
            return
        self.app.push_screen(
            ChoiceDialog(
                _("Split which message of #{id} into a new ticket?").format(id=row.id),
                [(str(m.id), f"{local_time(m.created_at)} · {one_line(m.body[:200], 60)}") for m in reversed(messages)],
            ),
            given(lambda chosen: self.perform_action(requests.Split(int(chosen)), [row.id])),
        )
