"""The reports screen: opened with x, worked out in a worker, period and grouping keys, Esc/q close.

The desk of conftest.build_desk, all written on Monday 2026-11-23 between 09:00 and 11:00 UTC;
the app's clock stands at 12:00, default SLA policies (Mon-Fri 09:00-17:00, UTC here):
- backlog now: New 2 (VPN, Invoice), Open 2 (Password, Site), Answered 1 (Printer),
  Postponed 1 (Server room); Prize (spam) and Duplicate (deleted) are left out;
- first replies: Password 10m, Site 5m, Printer 10m, Refund 5m: median 7m 30s, 90% 10m;
- first-response SLA: VPN (urgent, 1h) has waited 3h: breached; Invoice (high, 4h) and
  Server room (postponed after 35m) are pending; the four answered ones met: 80%.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from tui_desk.ui.screens.reports import ReportsScreen

from .conftest import Desk, make_app
from .helpers import SIZE, press, settle, status_of, widget_text


def figures(app) -> str:  # noqa: ANN001
    """The figures as one line of words (the table's column gaps vary with the width)."""
    return " ".join(widget_text(app.screen.query_one("#figures")).split())


def title(app) -> str:  # noqa: ANN001
    return widget_text(app.screen.query_one("#reports-title"))


def groups(app) -> str:  # noqa: ANN001
    return widget_text(app.screen.query_one("#groups"))


async def open_reports(pilot: Pilot) -> ReportsScreen:
    await settle(pilot)
    await press(pilot, "x")
    screen = pilot.app.screen
    assert isinstance(screen, ReportsScreen)
    assert screen.report is not None, "the report worker did not finish"
    return screen


async def test_x_opens_the_report_with_the_figures_of_the_desk(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        shown = figures(app)
        assert "Backlog now" in shown
        assert "Backlog now 6 New 2 · Open 2 · Answered 1 · Postponed 1" in shown
        assert "New tickets 7 Resolved 1" in shown
        assert "median 7min · 90% within 10min (4 tickets)" in shown
        assert "median 10min · 90% within 10min (1 ticket)" in shown  # Refund
        assert "80% met · 1 breached · 2 pending (7 tickets)" in shown
        assert "billing 1 · login 1 · old 1" in shown
        assert "2026-10-25 – 2026-11-23 · 30 days · UTC" in title(app)
        assert screen.report is not None and screen.report.new_per_day[-1] == 7
        assert not app.screen.query_one("#reports-groups").display


async def test_period_keys_and_grouping_key(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_reports(pilot)
        await press(pilot, "7")
        assert screen.report is not None and len(screen.report.days) == 7
        assert "2026-11-17 – 2026-11-23 · 7 days" in title(app)
        await press(pilot, "9")
        assert len(screen.report.days) == 90
        await press(pilot, "p")  # 90 -> 7
        assert len(screen.report.days) == 7
        await press(pilot, "3")
        assert len(screen.report.days) == 30

        await press(pilot, "b")
        assert screen.report.by == "agent"
        assert "grouped by agent" in title(app)
        table = groups(app)
        lines = [line.split() for line in table.splitlines()]
        assert lines[0][:3] == ["Agent", "New", "Backlog"]
        assert [line[0] for line in lines[1:]] == ["alice", "bob", "(unassigned)"]
        assert lines[3][1:3] == ["5", "4"]  # VPN, Invoice, Site, Refund, Server; all but Refund open
        await press(pilot, "b", "b")
        assert screen.report.by == "tag"
        assert "billing" in groups(app) and "(no tag)" in groups(app)
        await press(pilot, "b", "b")
        assert screen.report.by is None
        assert not app.screen.query_one("#reports-groups").display


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_escape_and_q_close_the_screen_not_the_app(desk: Desk, key: str) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        await press(pilot, key)
        assert not isinstance(app.screen, ReportsScreen)
        assert app.is_running
        assert app.main.inbox.total == 4  # back on the inbox, as it was


async def test_closing_before_the_report_is_ready_and_keys_while_it_works(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x", "b", "7", "escape")  # no waiting: workers may still run
        await settle(pilot)
        assert not isinstance(app.screen, ReportsScreen)
        assert app.is_running
        await press(pilot, "x")
        assert isinstance(app.screen, ReportsScreen) and app.screen.report is not None


async def test_inbox_keys_do_nothing_behind_the_report(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        await press(pilot, "e", "d", "exclamation_mark")  # resolve, delete, spam on the inbox
        assert isinstance(app.screen, ReportsScreen)
        assert status_of(desk.store, desk.ids["vpn"]) == "new"


async def test_names_from_the_store_are_shown_literally(desk: Desk) -> None:
    desk.service.tag(desk.ids["vpn"], add=["[b]vip[/b]"])
    desk.service.assign(desk.ids["vpn"], "[red]eve[/red]")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await open_reports(pilot)
        assert "[b]vip[/b] 1" in figures(app)
        await press(pilot, "b")
        assert "[red]eve[/red]" in groups(app)


@pytest.mark.parametrize("size", [(80, 24), (160, 48)])
async def test_small_and_large_terminals(desk: Desk, size: tuple[int, int]) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=size) as pilot:
        await open_reports(pilot)
        await press(pilot, "b")
        screen = app.screen
        assert screen.query_one("#reports-top").has_class("wide") == (size[0] >= 120)
        assert "Backlog now" in figures(app)
        for chart in ("new", "backlog", "first"):
            sparkline = screen.query_one(f"#chart-{chart}")
            assert sparkline.size.width > 10 and sparkline.size.height == 2
        assert screen.query_one("#figures").region.right <= size[0]
        await press(pilot, "j", "j", "pagedown", "k")  # scrolls, nothing breaks
        assert "(unassigned)" in groups(app)


def after(*pressed: str) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        await settle(pilot)
        await press(pilot, *pressed)
        await settle(pilot)

    return run_before


def test_snapshot_reports_grouped_by_agent(desk: Desk, snap_compare) -> None:  # noqa: ANN001
    assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=after("x", "b"))
