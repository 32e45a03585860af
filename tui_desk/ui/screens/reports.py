"""The reports screen: backlog, volumes, response and resolution times, SLAs, tags, charts.

The report is worked out in a thread worker (core/reports.build_report) and
shown when it is ready; the keys change the period (7, 30 or 90 days) and the
grouping (none, agent, department, tag, priority). Names from the store are
shown as plain text (rich Text objects), never as markup.

It fills the whole terminal but is a ModalScreen: the inbox's keys (e to
resolve, d to delete, ...) must not act on the ticket hidden behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Resize
from textual.screen import ModalScreen
from textual.widgets import Footer, Sparkline, Static

from ...core.report_text import by_title, figures_table, groups_table, period_text
from ...core.reports import GROUPINGS, Report, build_report, duration_text
from ...core.sla import SlaPolicies
from ...domain.clock import Clock
from ...i18n import N_, _, format_date, ngettext, number
from ...store import Store
from ..failures import ReportsWorkerFailures, describe_failure
from .screen_help import HELP_BINDING, ScreenHelp

PERIODS = (7, 30, 90)
WIDE = 120  # from this many columns, figures and charts sit side by side


@dataclass(frozen=True)
class Chart:
    key: str
    title: str


def _charts() -> list[Chart]:
    return [
        Chart("new", _("New tickets per day")),
        Chart("backlog", _("Backlog at the end of each day")),
        Chart("first", _("First response time (median per day)")),
    ]


class ReportsScreen(ScreenHelp, ReportsWorkerFailures, ModalScreen[None]):
    CSS_PATH = Path(__file__).parent.parent / "reports.tcss"  # ui/*.tcss ship with the package
    HELP_TITLE = N_("Reports")

    BINDINGS = [
        Binding("escape,q", "close", N_("Close")),
        Binding("p", "next_period", N_("Period")),
        Binding("b", "next_grouping", N_("Group by")),
        HELP_BINDING,
        Binding("7", "period(7)", N_("7 days"), show=False),
        Binding("3", "period(30)", N_("30 days"), show=False),
        Binding("9", "period(90)", N_("90 days"), show=False),
        Binding("j,down", "scroll(1)", N_("Down"), show=False),
        Binding("k,up", "scroll(-1)", N_("Up"), show=False),
        Binding("pagedown", "scroll(10)", N_("Page down"), show=False),
        Binding("pageup", "scroll(-10)", N_("Page up"), show=False),
    ]

    def __init__(self, store: Store, policies: SlaPolicies, clock: Clock, days: int = 30) -> None:
        super().__init__(id="reports")
        self.store = store
        self.policies = policies
        self.clock = clock
        self.days = days
        self.by: str | None = None
        self.report: Report | None = None
        self._request = 0

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("", id="reports-title")
        with VerticalScroll(id="reports-body"):
            with Horizontal(id="reports-top"):
                with Vertical(id="reports-figures", classes="report-box"):
                    yield Static(Text(_("Working out the report…"), style="dim"), id="figures")
                with Vertical(id="reports-charts", classes="report-box"):
                    for chart in _charts():
                        yield Static(Text(chart.title), id=f"chart-{chart.key}-title", classes="chart-title")
                        yield Sparkline([], id=f"chart-{chart.key}", classes="chart")
                    yield Static("", id="chart-days", classes="chart-days")
            with Vertical(id="reports-groups", classes="report-box"):
                yield Static("", id="groups")
            yield Static("", id="reports-note")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#reports-figures").border_title = _("Figures")
        self.query_one("#reports-charts").border_title = _("Per day")
        self.query_one("#reports-groups").display = False
        self.query_one("#reports-body").focus()
        self._layout(self.app.size.width)
        self.refresh_report()

    def on_resize(self, event: Resize) -> None:
        self._layout(event.size.width)

    def _layout(self, width: int) -> None:
        self.query_one("#reports-top").set_class(width >= WIDE, "wide")

    # -- computing ------------------------------------------------------------------------
    def refresh_report(self) -> None:
        self._request += 1
        self._show_title(working=True)
        self._compute(self._request, self.days, self.by)

    @work(thread=True, exclusive=True, group="report", exit_on_error=False)
    def _compute(self, request: int, days: int, by: str | None) -> None:
        try:
            report = build_report(self.store, self.policies, since=f"{days}d", by=by, now=self.clock())
        except Exception as error:  # a damaged store as much as a refused period
            self.app.call_from_thread(self._failed, request, describe_failure(error, self.store.path))
            return
        self.app.call_from_thread(self._show, request, report)

    def _failed(self, request: int, message: str) -> None:
        if request == self._request and self.is_attached:
            self._show_title(working=False)
            self.notify(message, severity="error", markup=False, timeout=8)

    def _show(self, request: int, report: Report) -> None:
        if request != self._request or not self.is_attached:
            return  # the user has asked for another period or grouping, or closed the screen
        self.report = report
        self._show_title(working=False)
        self.query_one("#figures", Static).update(figures_table(report))
        self._show_charts(report)
        groups = groups_table(report)
        box = self.query_one("#reports-groups")
        box.display = groups is not None
        if groups is not None:
            box.border_title = _("By {what}").format(what=by_title(report.by or "").lower())
            self.query_one("#groups", Static).update(groups)
        note = ngettext(
            "Spam and deleted tickets are left out ({n} created in this period). "
            "Times are wall-clock; SLA figures use the business-time clocks. "
            "Keys: 7, 3, 9 or p for the period, b to group, Esc to close.",
            "Spam and deleted tickets are left out ({n} created in this period). "
            "Times are wall-clock; SLA figures use the business-time clocks. "
            "Keys: 7, 3, 9 or p for the period, b to group, Esc to close.",
            report.excluded,
        ).format(n=number(report.excluded))
        self.query_one("#reports-note", Static).update(Text(note, style="dim"))

    def _show_charts(self, report: Report) -> None:
        first = report.first_response_per_day
        series = {
            "new": (report.new_per_day, number(max(report.new_per_day, default=0))),
            "backlog": (report.backlog_per_day, number(max(report.backlog_per_day, default=0))),
            "first": (
                tuple(v or 0 for v in first),
                duration_text(max((v for v in first if v is not None), default=None)),
            ),
        }
        for chart in _charts():
            values, top = series[chart.key]
            self.query_one(f"#chart-{chart.key}", Sparkline).data = [float(v) for v in values]
            title = Text(chart.title)
            title.append("  " + _("max {top}").format(top=top), style="dim")
            self.query_one(f"#chart-{chart.key}-title", Static).update(title)
        days = Text(format_date(report.since), style="dim")
        days.append(" … ", style="dim")
        days.append(format_date(report.until), style="dim")
        self.query_one("#chart-days", Static).update(days)

    def _show_title(self, working: bool) -> None:
        title = Text()
        title.append(_("Reports"), style="bold")
        title.append("  ")
        if self.report is not None and not working:
            title.append(period_text(self.report))
        else:
            title.append(ngettext("last {n} day", "last {n} days", self.days).format(n=number(self.days)))
        title.append("  ·  ")
        title.append(
            _("grouped by {what}").format(what=by_title(self.by).lower()) if self.by else _("not grouped")
        )
        if working:
            title.append("  " + _("working…"), style="dim italic")
        self.query_one("#reports-title", Static).update(title)

    # -- actions ----------------------------------------------------------------------------
    def action_close(self) -> None:
        self._request += 1  # a report still being worked out is not shown any more
        self.dismiss(None)

    def action_period(self, days: int) -> None:
        if days != self.days:
            self.days = days
            self.refresh_report()

    def action_next_period(self) -> None:
        index = PERIODS.index(self.days) if self.days in PERIODS else -1
        self.action_period(PERIODS[(index + 1) % len(PERIODS)])

    def action_next_grouping(self) -> None:
        order: list[str | None] = [None, *GROUPINGS]
        self.by = order[(order.index(self.by) + 1) % len(order)]
        self.refresh_report()

    def action_scroll(self, delta: int) -> None:
        self.query_one("#reports-body", VerticalScroll).scroll_relative(y=delta, animate=False)
