"""Ten apps open on one desk: a job another process holds (core/jobs.py) is skipped quietly."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tui_desk.core import jobs
from tui_desk.core.rules import RulesConfig
from tui_desk.domain.clock import fixed_clock
from tui_desk.mail.outbox import unsent_count
from tui_desk.store import job_leases, queries
from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk
from .helpers import SIZE, notifications, press, settle, type_text
from .test_mail_in_app import smtp_port  # noqa: F401 - the fixture

OTHER = "other-host:4242:x"


async def test_the_app_skips_the_time_rules_while_another_runs_them(desk: Desk) -> None:
    server = desk.ids["server"]  # postponed until 2026-11-30 09:00
    assert job_leases.try_acquire(desk.store, jobs.TIME_RULES, OTHER, 600.0, time.time())
    later = fixed_clock(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    app = TuiDeskApp(desk.store, clock=later, actor=ACTOR, live_interval=None, rules=RulesConfig())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert queries.get_ticket(desk.store, server).status == "postponed"
        assert notifications(app) == []  # no error: someone else is doing it
        job_leases.release(desk.store, jobs.TIME_RULES, OTHER)
        app.main.run_time_rules()  # the next minute's run
        await settle(pilot)
        assert queries.get_ticket(desk.store, server).status == "new"


async def test_the_app_leaves_the_outbox_to_the_process_sending_it(desk: Desk, smtp_port) -> None:  # noqa: F811
    from tui_desk.mail.settings import mail_settings

    port, handler = smtp_port
    mail = mail_settings({"mail": {"smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                                            "from": "Help <help@desk.example>"}}})
    app = TuiDeskApp(desk.store, clock=fixed_clock(datetime(2026, 11, 30, 9, tzinfo=UTC)), actor=ACTOR,
                     live_interval=None, mail=mail)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await type_text(pilot, "We restarted the gateway.")
        assert job_leases.try_acquire(desk.store, jobs.SEND_OUTBOX, OTHER, 600.0, time.time())
        await press(pilot, "ctrl+s")
        app.main.run_mail()
        await settle(pilot)
        assert unsent_count(desk.store) == 1 and handler.received == []
        assert not any("Mail:" in n for n in notifications(app))
        job_leases.release(desk.store, jobs.SEND_OUTBOX, OTHER)
        app.main.run_mail()
        await settle(pilot)
        assert unsent_count(desk.store) == 0 and len(handler.received) == 1
