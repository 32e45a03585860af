"""Alerts in the app (issue 18 item 3, docs/issue18/alerts.md): the bell and the desktop.

A base of MainScreen, on top of the background jobs. Each inbox reload after the store changed
(what the live refresh does) and each SLA tick looks at the agent's watched tickets in a
worker (core/alerts.py decides); what alerts rings the bell, shows one notification in the
app and, with `desktop = true`, one on the desktop through notify-send (core/desktop_notify.py),
run from the same worker. A problem with the settings or with notify-send is said once.
"""

from __future__ import annotations

import contextlib

from textual import work

from ..core import alerts as core_alerts
from ..core import desktop_notify
from ..core.alerts import Alert, Alerted, AlertSettings, AlertState
from ..core.config import load_config
from ..domain.errors import TuiDeskError
from ..domain.text import one_line
from ..i18n import _, ngettext
from ..store import queries
from .background import BackgroundJobs

SHOWN = 5  # alert lines in one notification; the rest are counted


class AlertJobs(BackgroundJobs):
    """Watches the agent's tickets for alerts, when the agent's config asks for them."""

    def __init__(self) -> None:
        super().__init__()
        self._alerts_loaded = False
        self._alert_settings = AlertSettings()
        self._alert_departments: list[str] = []
        self._alerted: Alerted = frozenset()
        self._alerts_started = False  # the first look only remembers
        self._desktop_said = False  # a notify-send problem is said once
        self._alerts_busy = False  # a look is under way (event loop's view)
        self._alerts_again = False  # asked for meanwhile: one more look when it ends
        self._alerts_again_tick = False  # ... and a tick was among what asked
        # The store's change marker at the last look: a reload for a new filter or view (every
        # number key, search, `f`) changes nothing an alert is about, and then costs one query.
        self._alerts_marker: tuple[int, int, int] | None = None
        self._notify_program: str | None = None  # found once, when the settings are read

    def refresh_inbox(self, select_id: int | None = None, keep_index: bool = True) -> None:
        super().refresh_inbox(select_id, keep_index)
        self.check_alerts()

    def sla_tick(self) -> None:
        super().sla_tick()
        self.check_alerts(tick=True)

    def check_alerts(self, tick: bool = False) -> None:
        """Look now, or once more after the look under way: one look at a time (two would alert
        the same change twice), and a burst of reloads is two looks, not a worker each.
        `tick`: time passed, so SLA states may have changed even if the store did not."""
        if self.desk.config_file is None or (self._alerts_loaded and not self._alert_settings.on):
            return
        if self._alerts_busy:
            self._alerts_again = True
            self._alerts_again_tick |= tick
            return
        self._alerts_busy = True
        self._check_alerts(tick)

    def _alerts_done(self) -> None:
        self._alerts_busy = False
        if self._alerts_again:
            tick, self._alerts_again, self._alerts_again_tick = self._alerts_again_tick, False, False
            self.check_alerts(tick)

    def _load_alert_settings(self) -> str | None:
        """Read [alerts] and the agent's departments once; the problem with them, if any."""
        self._alerts_loaded = True
        try:
            raw = load_config(self.desk.config_file).raw
            self._alert_settings = core_alerts.alert_settings(raw)
        except TuiDeskError as error:
            return _("In {path}: {problem}").format(path=self.desk.config_file, problem=error)
        self._alert_departments = core_alerts.agent_departments(raw, self.actor)
        self._notify_program = desktop_notify.program() if self._alert_settings.desktop else None
        if self._alert_settings.desktop and self._notify_program is None:
            self._desktop_said = True
            return _("Desktop alerts are on, but {program} was not found: no desktop notifications").format(
                program=desktop_notify.PROGRAM
            )
        return None

    @work(thread=True, group="alerts", exit_on_error=False)
    def _check_alerts(self, tick: bool) -> None:
        try:
            self._look(tick)
        finally:
            with contextlib.suppress(RuntimeError):  # the app is closing: nothing more to look for
                self.app.call_from_thread(self._alerts_done)

    def _look(self, tick: bool) -> None:
        if not self._alerts_loaded:
            problem = self._load_alert_settings()
            if problem is not None:
                self.app.call_from_thread(self.notify, problem, severity="warning", markup=False, timeout=10)
        settings = self._alert_settings
        if not settings.on:
            return
        try:
            marker = queries.change_marker(self.store)
            if not tick and marker == self._alerts_marker:
                return
            rows = core_alerts.watched_rows(self.store, self.actor, self._alert_departments)
            seen = core_alerts.watched(rows, self.service.sla, self.clock())
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)
            return
        self._alerts_marker = marker
        alerts, self._alerted = core_alerts.decide(seen, self._alerted, first=not self._alerts_started)
        self._alerts_started = True
        if not alerts:
            return
        self.app.call_from_thread(self._alert_in_app, alerts, settings)
        if self._notify_program is not None:
            failure = desktop_notify.send(
                self._notify_program, alert_text(alerts, 80), critical=any(a.state is AlertState.BREACHED for a in alerts)
            )
            if failure is not None and not self._desktop_said:
                self._desktop_said = True
                self.app.call_from_thread(
                    self.notify, _("Desktop alerts: {problem}").format(problem=failure), severity="warning", markup=False
                )

    def _alert_in_app(self, alerts: list[Alert], settings: AlertSettings) -> None:
        if settings.bell:
            self.app.bell()
        breached = any(a.state is AlertState.BREACHED for a in alerts)
        self.notify(alert_text(alerts, 60), severity="error" if breached else "warning", markup=False, timeout=15)


def alert_text(alerts: list[Alert], width: int) -> str:
    """The alerts, one line each with the subject cut to `width`, the ones past SHOWN counted."""
    lines = [Alert(a.ticket_id, one_line(a.subject, width), a.state).text() for a in alerts[:SHOWN]]
    more = len(alerts) - SHOWN
    if more > 0:
        lines.append(ngettext("… and {n} more alert", "… and {n} more alerts", more).format(n=more))
    return "\n".join(lines)
