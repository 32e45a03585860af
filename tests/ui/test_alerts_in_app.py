"""Alerts in the app (issue 18 item 3, docs/issue18/alerts.md): the bell and notify-send, once per ticket and state.

The bell is captured (App.bell replaced); notify-send is a real program on PATH, a script that
records the arguments it was given.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.app import App

from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk
from .helpers import NOW, SIZE, notifications, settle

CONFIG = """
[alerts]
bell = true
desktop = true

[departments.Technical]
agents = ["bob", "alice"]
"""


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def bells(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    rung: list[int] = []
    monkeypatch.setattr(App, "bell", lambda self: rung.append(1))
    return rung


def fake_notify_send(folder: Path, monkeypatch: pytest.MonkeyPatch, status: int = 0) -> Path:
    """A notify-send first on PATH that appends its arguments, as JSON, to a file; the file."""
    folder.mkdir()
    log = folder / "calls.jsonl"
    script = folder / "notify-send"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"with open({str(log)!r}, 'a') as f: f.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        f"sys.exit({status})\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def config(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return path


def new_ticket(desk: Desk, subject: str, at: datetime, assignee: str | None = None, **kwargs: str) -> int:
    desk.clock.now = at
    ticket_id = desk.service.create_ticket(email="eve@example.com", subject=subject, body="Help", **kwargs)
    if assignee:
        desk.service.assign(ticket_id, assignee)
    return ticket_id


async def look(app: TuiDeskApp, pilot, *, tick: bool = False) -> None:  # noqa: ANN001 - Pilot
    """What the live refresh does when the store changed (a reload), or time passed (an SLA tick)."""
    if tick:
        app.main.sla_tick()
    else:
        app.main.refresh_inbox()
    await settle(pilot)


async def test_an_urgent_arrival_then_near_then_breached_alert_once_each(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bells: list[int]
) -> None:
    log = fake_notify_send(tmp_path / "bin", monkeypatch)
    clock = MovableClock(NOW + timedelta(minutes=1))
    app = TuiDeskApp(desk.store, clock=clock, actor=ACTOR, live_interval=None, config_file=config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # VPN and Site down (urgent, unassigned in Technical, VPN already late) were there at start.
        assert bells == [] and calls(log) == []

        hostile = "\x1b[2J<b>Mail</b> server down & \u202eexe.gnp"
        mine = new_ticket(desk, hostile, NOW, assignee="alice", priority="urgent")
        new_ticket(desk, "Billing outage", NOW, priority="urgent", department="Billing")  # not alice's department
        new_ticket(desk, "Bob's outage", NOW, assignee="bob", priority="urgent", department="Technical")  # bob's
        await look(app, pilot)
        assert len(bells) == 1
        assert calls(log) == [
            ["--app-name=tui-desk", "--urgency=normal", "--", "tui-desk", f"#{mine} is urgent: ␛[2JMail server down ＆ exe.gnp"]
        ]
        assert any(f"#{mine} is urgent" in n for n in notifications(app, "warning"))

        await look(app, pilot)
        await look(app, pilot, tick=True)
        assert len(bells) == 1 and len(calls(log)) == 1  # still urgent: said already

        clock.at = NOW + timedelta(minutes=50)  # 10 of its 60 minutes left: near
        await look(app, pilot, tick=True)
        await look(app, pilot, tick=True)
        assert len(bells) == 2
        assert calls(log)[1][-1].startswith(f"#{mine} is near its SLA")

        clock.at = NOW + timedelta(minutes=65)
        await look(app, pilot, tick=True)
        await look(app, pilot)
        assert len(bells) == 3 and len(calls(log)) == 3
        assert calls(log)[2][1:3] == ["--urgency=critical", "--"]
        assert calls(log)[2][-1].startswith(f"#{mine} breached its SLA")

        unassigned = new_ticket(desk, "Printer fire", clock.at, priority="urgent", department="technical")
        await look(app, pilot)
        assert len(bells) == 4 and calls(log)[3][-1] == f"#{unassigned} is urgent: Printer fire"


async def test_alerts_are_off_unless_the_config_turns_them_on(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bells: list[int]
) -> None:
    log = fake_notify_send(tmp_path / "bin", monkeypatch)
    app = TuiDeskApp(desk.store, clock=MovableClock(NOW), actor=ACTOR, live_interval=None, config_file=config(tmp_path, ""))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        new_ticket(desk, "Mail server down", NOW, assignee="alice", priority="urgent")
        await look(app, pilot)
        assert bells == [] and calls(log) == []


async def test_the_bell_alone_runs_no_program(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bells: list[int]
) -> None:
    log = fake_notify_send(tmp_path / "bin", monkeypatch)
    app = TuiDeskApp(
        desk.store, clock=MovableClock(NOW), actor=ACTOR, live_interval=None,
        config_file=config(tmp_path, "[alerts]\nbell = true\n"),
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        new_ticket(desk, "Mail server down", NOW, assignee="alice", priority="urgent")
        await look(app, pilot)
        assert len(bells) == 1 and calls(log) == []


async def test_a_failing_notify_send_is_said_once_and_the_bell_still_rings(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bells: list[int]
) -> None:
    log = fake_notify_send(tmp_path / "bin", monkeypatch, status=3)
    app = TuiDeskApp(desk.store, clock=MovableClock(NOW), actor=ACTOR, live_interval=None, config_file=config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        new_ticket(desk, "Mail server down", NOW, assignee="alice", priority="urgent")
        await look(app, pilot)
        new_ticket(desk, "Disk full", NOW, assignee="alice", priority="urgent")
        await look(app, pilot)
        assert len(bells) == 2 and len(calls(log)) == 2  # tried each time
        failures = [n for n in notifications(app, "warning") if "notify-send" in n]
        assert failures == ["Desktop alerts: notify-send failed (exit status 3)"]


async def test_no_notify_send_on_path_is_said_once_at_start(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bells: list[int]
) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    app = TuiDeskApp(desk.store, clock=MovableClock(NOW), actor=ACTOR, live_interval=None, config_file=config(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        new_ticket(desk, "Mail server down", NOW, assignee="alice", priority="urgent")
        await look(app, pilot)
        assert len(bells) == 1
        said = [n for n in notifications(app, "warning") if "notify-send" in n]
        assert said == ["Desktop alerts are on, but notify-send was not found: no desktop notifications"]


async def test_a_bad_alerts_setting_is_said_and_alerts_nothing(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bells: list[int]
) -> None:
    path = config(tmp_path, '[alerts]\nbell = "yes"\n')
    app = TuiDeskApp(desk.store, clock=MovableClock(NOW), actor=ACTOR, live_interval=None, config_file=path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert f"In {path}: [alerts] bell must be true or false" in notifications(app, "warning")
        new_ticket(desk, "Mail server down", NOW, assignee="alice", priority="urgent")
        await look(app, pilot)
        assert bells == []
