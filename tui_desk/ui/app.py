"""TuiDeskApp: the session (store, service, agent) and the screen that shows it.

The app is built from injected parts (store, clock, actor) so tests run it on a
temporary store with a fixed time. It starts the main screen (main_screen.py),
which holds the inbox, thread and timeline and every action on them, and it is
where every notification passes the sanitiser. It never runs SQL itself: reads
go through `store.queries`, changes through the core's requests, both in thread
workers so the screen never waits on the database.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from textual.app import App, SystemCommand
from textual.notifications import SeverityLevel
from textual.screen import Screen

from ..core.attachment_limit import DEFAULT_LIMIT
from ..core.config import key_table, load_config
from ..core.lifecycle import TicketService
from ..core.routing import Routing, attach
from ..core.rules import RulesConfig
from ..core.sla import SlaPolicies
from ..domain.clock import Clock, system_clock
from ..domain.errors import TuiDeskError
from ..domain.text import printable
from ..i18n import _
from ..mail.settings import MailSettings
from ..store import Store, open_store
from .action_table import check_keymap
from .background import LIVE_INTERVAL
from .colours import configured_theme, keep_theme, mark_colour_system
from .drafts import Drafts
from .failures import ReportsWorkerFailures, report_failure
from .localize import localize_bindings
from .main_screen import MainScreen
from .routing_notice import routing_problems_text

WORKER_THREADS = 6
"""Threads for the app's thread workers. Each keeps its own store connection, so this bounds
the connections one app holds on a team desk's server: asyncio's default pool grows with the
machine's cores (20 threads on a 16-core laptop, ten such agents past PostgreSQL's usual 100)."""


class TuiDeskApp(ReportsWorkerFailures, App[None]):
    TITLE = "tui-desk"
    CSS_PATH = [Path(__file__).parent / "app.tcss", Path(__file__).parent / "colour.tcss"]  # absolute, so subclasses elsewhere find them

    def __init__(
        self,
        store: Store,
        *,
        clock: Clock = system_clock,
        actor: str = "agent",
        live_interval: float | None = LIVE_INTERVAL,
        sla: SlaPolicies | None = None,
        rules: RulesConfig | None = None,
        notice: str | None = None,
        mail: MailSettings | None = None,
        config_file: Path | None = None,
        attachment_limit: int = DEFAULT_LIMIT,
        routing: Routing | None = None,
    ) -> None:
        localize_bindings()  # before super().__init__(): every node copies its class's bindings
        super().__init__()
        self.language_notice = notice  # e.g. "no translation for 'de'", shown once the screen is up
        self.store = store
        self.clock = clock
        self.actor = actor
        self.service = TicketService(store, clock=clock, actor=actor, sla=sla)
        self.service.attachment_limit = attachment_limit  # [mail] max_attachment_size, as the CLI's service has it
        # [[routing]] rules route the tickets this app's fetch creates; the rules that did not load are named.
        self.routing_problems = routing.problems if routing is not None else ()
        if routing is not None:
            attach(self.service, routing)
        self.live_interval = live_interval
        self.drafts = Drafts.next_to(store.path, actor)  # unsent replies and notes, until stored
        self.rules = rules  # None: time rules are left to cron (and to tests)
        self.mail = mail  # with [mail.smtp], replies are queued and sent in the background
        self.config_file = config_file  # where saved views are read and written; None: no saved views
        self._main: MainScreen | None = None
        self.keymap: dict[str, str] = {}  # action id -> key(s), from [keys] of the config file
        self.worker_pool: ThreadPoolExecutor | None = None  # the loop's, from on_load
        mark_colour_system(self)
        self.theme_notice = configured_theme(self, config_file)  # before the first frame: no flash of the default

    def on_mount(self) -> None:
        if self.theme_notice:
            self.notify(self.theme_notice, severity="warning", timeout=10)
        if self.routing_problems:  # plain text: a rule's name is the user's
            self.notify(routing_problems_text(self.routing_problems), title=_("Routing"), severity="warning",
                        timeout=15, markup=False)
        keep_theme(self, self.config_file)

    def on_load(self) -> None:
        # Before any worker runs: the loop's default pool is made at its first use.
        self.worker_pool = ThreadPoolExecutor(WORKER_THREADS, thread_name_prefix="tui-desk-worker")
        asyncio.get_running_loop().set_default_executor(self.worker_pool)

    def get_default_screen(self) -> Screen:
        self._main = MainScreen()
        return self._main

    @property
    def main(self) -> MainScreen:
        """The main screen (inbox, thread, timeline), whichever screen is on top."""
        assert self._main is not None, "the app is not running"
        return self._main

    def load_keys(self) -> None:
        """Rebind the actions named under ``[keys]`` in the config file; say what was wrong there."""
        if self.config_file is None:
            return
        try:
            config = load_config(self.config_file)
        except TuiDeskError:
            return  # a broken config file is said once, by the saved views that read it too
        wanted, problems = key_table(config)
        self.keymap, wrong = check_keymap(wanted)
        for problem in problems + wrong:
            self.notify(
                _("In {path}: {problem}").format(path=self.config_file, problem=problem),
                severity="warning",
                markup=False,
                timeout=10,
            )
        if self.keymap:
            self.set_keymap(self.keymap)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification, the screens' too, through the sanitiser: refusals quote names and mail.

        Never as markup, whatever the caller (Widget.notify passes markup=True): the messages
        quote file names, subjects and config keys like `[keys]`, and a `[/]` in an attachment's
        name made the toast's render raise."""
        del markup
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False)

    def action_help_quit(self) -> None:
        """Ctrl+C: Textual's hint is markup ("Press [b]ctrl+q[/b]"), and notifications here are plain text."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                self.notify(_("Press {key} to quit the app").format(key=key))
                return

    def report_failure(self, error: BaseException) -> None:
        report_failure(self, error)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self._main is not None:
            yield from self._main.palette_commands()


def run_app(
    path: Path | str,
    actor: str,
    sla: SlaPolicies | None = None,
    rules: RulesConfig | None = None,
    notice: str | None = None,
    mail: MailSettings | None = None,
    config_file: Path | None = None,
    attachment_limit: int = DEFAULT_LIMIT,
    routing: Routing | None = None,
) -> int:
    store = open_store(path)
    try:
        app = TuiDeskApp(
            store,
            actor=actor,
            sla=sla,
            rules=rules or RulesConfig(),
            notice=notice,
            mail=mail,
            config_file=config_file,
            attachment_limit=attachment_limit,
            routing=routing,
        )
        finished = run_without_waiting_on_the_store(app)
    finally:
        store.close()
    if not finished:
        # The agent asked to quit: a thread still waiting on a server that does not answer
        # must not keep the terminal for as long as the network takes to give up (hours).
        # What it was writing is the server's to roll back; a draft stays in its file.
        sys.stdout.flush()
        print(_("Quit without waiting for the store, which did not answer"), file=sys.stderr, flush=True)
        os._exit(0)
    return 0


QUIT_WAIT = 8.0  # seconds a quit waits for the workers still running: a write about to commit, a mail being handed over, finish


def run_without_waiting_on_the_store(app: TuiDeskApp, **options: Any) -> bool:  # noqa: ANN401 - App.run's options
    """Run the app until it quits; True when its worker threads ended too within QUIT_WAIT.

    asyncio.run would wait for every worker thread before returning, and the interpreter
    again at exit: a worker blocked on a frozen server or a cut network (libpq waits with no
    limit of its own) would hold the quit for ever. Here the wait is bounded; on False the
    caller ends the process without the interpreter's wait.
    """
    loop = asyncio.new_event_loop()
    try:
        app.run(loop=loop, **options)
    finally:
        if app.worker_pool is not None:
            app.worker_pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + QUIT_WAIT
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join(max(0.0, deadline - time.monotonic()))
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
    return not any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.current_thread())

