"""Two processes sending one outbox at once (no lease between them): each reply reaches the server once.

The lease (core/jobs.py) keeps senders apart, but a sender that stalls past its lease must
still never send what another took: each row is claimed (queued -> sending) under the write lock.
"""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime

import pytest
from support import AGENT

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.mail.outbox import reply_options, send_due, unsent_count
from tui_desk.mail.settings import mail_settings
from tui_desk.store import open_store

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
from test_mail_smtp import Collect, free_port, settings_for  # noqa: E402

pytestmark = pytest.mark.both_backends

SPAWN = multiprocessing.get_context("spawn")
TIMEOUT = 120
REPLIES = 30


def _sender(path: str, port: int, barrier, results) -> None:
    store = open_store(path)
    settings = mail_settings({"mail": {"smtp": {"host": "127.0.0.1", "port": port, "security": "none",
                                                "from": "help@desk.example"}}})
    later = fixed_clock(datetime(2026, 3, 3, tzinfo=UTC))
    barrier.wait(TIMEOUT)
    sent = failed = 0
    for _round in range(REPLIES):  # a few rows per round, so the two senders' claims interleave
        result = send_due(store, settings, clock=later, limit=2)
        sent, failed = sent + result.sent, failed + result.failed
    results.put((sent, failed))


def test_two_processes_sending_one_outbox_send_each_reply_once(service: TicketService, db_path) -> None:
    port = free_port()
    handler = Collect()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        options = reply_options(settings_for(port))
        for n in range(REPLIES):
            ticket = service.create_ticket(email=f"c{n}@example.com", subject=f"Question {n}", body="help")
            service.reply(ticket, f"Answer {n}", **options)
        assert service.actor == AGENT and unsent_count(service.store) == REPLIES
        barrier = SPAWN.Barrier(2)
        results = SPAWN.Queue()
        processes = [SPAWN.Process(target=_sender, args=(str(db_path), port, barrier, results)) for _ in range(2)]
        for p in processes:
            p.start()
        outcomes = [results.get(timeout=TIMEOUT) for _ in processes]
        for p in processes:
            p.join(TIMEOUT)
            assert p.exitcode == 0
    finally:
        controller.stop()
    assert sum(sent for sent, _failed in outcomes) == REPLIES
    assert all(failed == 0 for _sent, failed in outcomes)
    ids = [m["Message-ID"] for m in handler.received]
    assert len(ids) == REPLIES and len(set(ids)) == REPLIES  # every reply arrived, none twice
    assert sorted(m.get_content().strip() for m in handler.received) == sorted(f"Answer {n}" for n in range(REPLIES))
    assert unsent_count(service.store) == 0
