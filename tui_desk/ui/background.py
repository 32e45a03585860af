"""What the main screen does on its own: live refresh, SLA ticks, time rules, mail, kept drafts.

A base of MainScreen (main_screen.py). Started once the first inbox rows are on
screen (`first_rows_shown`), so a slow first run never delays the inbox.

Live refresh: on SQLite the change marker is checked every `LIVE_INTERVAL`. On PostgreSQL
the store announces each change at its commit (core/live.py): a thread of the screen waits
for those announcements and posts them to the screen, which runs the same check at once;
the periodic check stays, every `PUSH_FALLBACK` seconds, for what a lost connection missed.
That thread is a plain daemon thread, not a Textual worker: it runs for as long as the
screen, and a worker that never ends would hold a thread of the app's executor and keep
every "wait for the workers" waiting. It posts messages (never blocks on the event loop),
so stopping it on unmount cannot deadlock, and it ends within `LISTEN_WAIT`.
"""

from __future__ import annotations

import contextlib
import threading
import time

from textual import on, work
from textual.message import Message

from ..core import live
from ..core.jobs import FETCH_MAIL, SEND_OUTBOX, TIME_RULES, exclusive
from ..core.rules import run_rules
from ..domain.clock import to_epoch
from ..domain.errors import NotFound, TuiDeskError
from ..domain.text import one_line
from ..i18n import _, ngettext, number
from ..store import queries
from .failures import describe_failure
from .panes import PanesBase
from .widgets.thread import DEFAULT_MESSAGE_LIMIT

LIVE_INTERVAL = 1.0
SLA_TICK = 30.0
RULES_INTERVAL = 60.0
MAIL_INTERVAL = 60.0
PUSH_FALLBACK = 30.0  # seconds between checks when the store announces its changes
LISTEN_WAIT = 0.3  # seconds the listening thread waits at a time: how soon it sees it must stop
PUSH_GAP = 0.25  # seconds at least between two checks for announced changes: a burst is a few reloads


class ChangesPushed(Message):
    """What the store announced (core/live.py), or why the announcements stopped coming."""

    def __init__(self, changes: live.Changes | None, error: BaseException | None = None) -> None:
        super().__init__()
        self.changes = changes
        self.error = error


class BackgroundJobs(PanesBase):
    """Timers and workers that keep the panes current while the agent reads."""

    live_every: float | None = None  # seconds between the periodic checks; None: no live refresh
    _listening: tuple[threading.Thread, threading.Event, live.ChangeFeed] | None = None
    _pushed_at = -PUSH_GAP  # when the last check for announced changes started (time.monotonic)
    _push_waiting = False  # announcements came since it: one more check is due at the gap's end

    def start_live_refresh(self, interval: float) -> None:
        feed = live.feed(self.store)
        if feed is not None:
            self._start_listening(feed)
            interval = max(interval, PUSH_FALLBACK)
        self.live_every = interval
        self.set_interval(interval, self.check_for_changes)
        self.set_interval(SLA_TICK, self.sla_tick)

    # -- announcements of the store (PostgreSQL) -----------------------------------------
    def _start_listening(self, feed: live.ChangeFeed) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=self._listen, args=(feed, stop), name="live-changes", daemon=True)
        self._listening = thread, stop, feed
        thread.start()

    def _listen(self, feed: live.ChangeFeed, stop: threading.Event) -> None:
        """Wait for announcements and post them; a lost connection is said once per outage."""
        failing = False
        try:
            while not stop.is_set():
                try:
                    changes = feed.wait(LISTEN_WAIT)
                except TuiDeskError as error:  # the feed retries by itself, later and later
                    if not failing:
                        failing = True
                        self.post_message(ChangesPushed(None, error))
                    continue
                except Exception as error:  # not the store's: the periodic check goes on alone
                    self.post_message(ChangesPushed(None, error))
                    return
                if changes is not None:
                    failing = False
                    if not stop.is_set():
                        self.post_message(ChangesPushed(changes))
        finally:
            with contextlib.suppress(Exception):  # quitting: nothing is left to tell
                feed.close()

    @on(ChangesPushed)
    def _changes_pushed(self, message: ChangesPushed) -> None:
        if message.error is not None:
            self.report_failure(message.error)
        elif message.changes is not None:
            self.changes_pushed(message.changes)

    def changes_pushed(self, changes: live.Changes) -> None:
        """Another app changed something: the same check as the periodic one, now.

        Another agent's import commits hundreds of times a second, each announced: one check
        (and inbox reload) per announcement would keep every open app and the server busy with
        reloads nobody can read. At most one per PUSH_GAP, and always one after the last.
        """
        if not changes.tickets_changed or self._push_waiting:
            return
        wait = self._pushed_at + PUSH_GAP - time.monotonic()
        if wait > 0:
            self._push_waiting = True
            self.set_timer(wait, self._pushed_check)
        else:
            self._pushed_check()

    def _pushed_check(self) -> None:
        self._push_waiting = False
        self._pushed_at = time.monotonic()
        self.check_for_changes()

    def on_unmount(self) -> None:
        if self._listening is not None:
            thread, stop, feed = self._listening
            self._listening = None
            stop.set()
            feed.stop()
            thread.join(LISTEN_WAIT + 1.0)  # it closes its connection as it ends

    def first_rows_shown(self) -> None:
        # After the first rows are on screen: a first run may replay SLA clocks for seconds.
        if self.rules is not None:
            self.run_time_rules()
            self.set_interval(RULES_INTERVAL, self.run_time_rules)
        if self.mail is not None and (self.mail.smtp is not None or self.mail.imap):
            self.run_mail()
            self.set_interval(MAIL_INTERVAL, self.run_mail)
        self._find_drafts()

    def sla_tick(self) -> None:
        """Time passes: redraw SLA columns and warn when the open ticket turns near or breached."""
        self.inbox.refresh()
        if self.selected_id is not None:
            self.load_ticket(self.selected_id)  # its header and the near/breached warning

    @work(thread=True, group="drafts", exit_on_error=False)
    def _find_drafts(self) -> None:
        """Say at start which unsent texts a quit or crash left, wherever their tickets went.

        A draft waits on its ticket for r or n; nobody would find it without being told.
        A ticket merged since hands its draft on to the ticket it lives on in; one purged
        since leaves the file, and the notice says where it is.
        """
        waiting: list[int] = []
        lines: list[str] = []
        for kind, ticket_id in self.drafts.kept():
            try:
                ticket = queries.get_ticket(self.store, ticket_id)
                for _hop in range(100):  # merged into a ticket merged in turn…
                    if ticket.merged_into is None:
                        break
                    ticket = queries.get_ticket(self.store, ticket.merged_into)
                text = self.drafts.load(kind, ticket_id)
                written = self.drafts.written_at(kind, ticket_id)
                if text is not None and written is not None and any(
                    m.kind == kind and m.author == self.actor and m.body == text and to_epoch(m.created_at) >= written - 60
                    for m in queries.ticket_messages(self.store, ticket.id, limit=DEFAULT_MESSAGE_LIMIT)
                ):
                    # Stored after it was last written, but the app ended before it could delete
                    # it (a kill -9 or a quit while sending): offered again, it would go twice.
                    # The same words sent before the draft was written are another message.
                    with contextlib.suppress(OSError):  # then it is offered once more, no worse
                        self.drafts.delete(kind, ticket_id)
                    continue
            except NotFound:
                path = self.drafts.path(kind, ticket_id)
                lines.append(
                    _("#{id} no longer exists; your unsent text for it is in {path}").format(id=ticket_id, path=path)
                )
                continue
            if ticket.id != ticket_id:
                try:
                    self.drafts.move(kind, ticket_id, ticket.id)
                except OSError as error:  # one draft that cannot move never hides the others
                    lines.append(describe_failure(error, self.store.path))
                    continue
                lines.append(
                    _("#{id} was merged into #{target}: your unsent text for it is now on #{target}").format(
                        id=ticket_id, target=ticket.id
                    )
                )
            waiting.append(ticket.id)
        if waiting:
            shown = list(dict.fromkeys(waiting))
            tickets = ", ".join(f"#{i}" for i in shown[:10]) + (", …" if len(shown) > 10 else "")
            lines.insert(0, _("Unsent text kept for {tickets}: r or n on the ticket brings it back").format(tickets=tickets))
        if lines:
            text = "\n".join(lines[:6]) + ("\n…" if len(lines) > 6 else "")  # a notice, not a report
            self.app.call_from_thread(self.notify, text, severity="warning", markup=False, timeout=15)

    def run_time_rules(self) -> None:
        self._run_time_rules()

    @work(thread=True, group="rules", exclusive=True, exit_on_error=False)
    def _run_time_rules(self) -> None:
        """Wake postponed tickets, auto-resolve and purge, keep SLA clocks current (actor: system).

        Only one open app (or `rules run`) at a time runs them: while another holds the job,
        this one skips quietly (core/jobs.py).
        """
        try:
            with exclusive(self.store, TIME_RULES) as lease:
                if lease is None:
                    return
                report = run_rules(self.service, self.rules)
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)
            return
        if report.woken or report.auto_resolved or report.purged:
            # One plural-aware part per count, as the importer's summary.
            counts = ", ".join((
                ngettext("{n} woken", "{n} woken", report.woken).format(n=number(report.woken)),
                ngettext("{n} resolved automatically", "{n} resolved automatically", report.auto_resolved).format(
                    n=number(report.auto_resolved)),
                ngettext("{n} purged", "{n} purged", report.purged).format(n=number(report.purged)),
            ))
            message = _("Time rules: {counts}").format(counts=counts)
            self.app.call_from_thread(self.notify, message, markup=False, timeout=6)
        if report.changed or report.sla_rebuilt:
            self.app.call_from_thread(self.refresh_inbox)

    def run_mail(self) -> None:
        self._run_mail()

    @work(thread=True, group="mail", exclusive=True, exit_on_error=False)
    def _run_mail(self) -> None:
        """Send due replies and fetch new mail; the live refresh shows what arrives.

        Each only while this app holds its job (core/jobs.py): another app or a cron
        command doing it meanwhile makes this one skip it quietly.
        """
        from ..mail.imap import fetch_all
        from ..mail.outbox import send_due, unsent_count

        assert self.mail is not None
        problems: list[str] = []
        if self.mail.smtp is not None:
            try:
                with exclusive(self.store, SEND_OUTBOX) as lease:
                    if lease is not None:
                        result = send_due(self.store, self.mail, clock=self.clock)
                        problems.extend(error for _id, error in result.errors or [])
            except Exception as error:
                problems.append(describe_failure(error, self.store.path))
        if self.mail.imap:
            try:
                with exclusive(self.store, FETCH_MAIL) as lease:
                    for _account, summary in fetch_all(self.service, self.mail) if lease is not None else ():
                        left = _("not stored, left unseen on the server: {where}: {why}")
                        problems.extend(
                            left.format(where=one_line(where), why=one_line(why)) for where, why in summary.skipped
                        )
            except Exception as error:
                problems.append(describe_failure(error, self.store.path))
        try:
            unsent = unsent_count(self.store)
        except Exception as error:
            unsent = self.unsent
            problems.append(describe_failure(error, self.store.path))
        self.app.call_from_thread(self._mail_done, unsent, problems)

    def _mail_done(self, unsent: int, problems: list[str]) -> None:
        self.unsent = unsent
        self._update_status_bar()
        if problems:
            self.notify(
                _("Mail: {problem}").format(problem=problems[0]), severity="warning", markup=False, timeout=8
            )

    def check_for_changes(self) -> None:
        self._check_marker()

    @work(thread=True, group="live", exclusive=True, exit_on_error=False)
    def _check_marker(self) -> None:
        try:
            marker = queries.change_marker(self.store)
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)  # said once, not every second
            return
        if marker != self._marker:
            self.app.call_from_thread(self.refresh_inbox)
