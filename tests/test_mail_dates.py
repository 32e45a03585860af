"""Issue 12 item 14: a sender's Date header does not decide waiting time or the SLA start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import to_text
from tui_desk.mail.dates import SKEW, MessageDates, internaldate, message_time
from tui_desk.mail.importer import Importer

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _raw(subject: str, date: datetime) -> bytes:
    return (f"From: c@example.com\nSubject: {subject}\nDate: {format_datetime(date)}\n"
            f"Message-ID: <{subject}@example.com>\n\nbody\n").encode()


def test_item14_archive_import_keeps_the_header_date_but_never_a_future_one(service: TicketService, clock) -> None:
    now = clock()
    items = [(s, _raw(s, d), None) for s, d in (("future", datetime(2099, 1, 1, tzinfo=UTC)),
                                               ("old", datetime(2001, 5, 6, 7, 8, 9, tzinfo=UTC)))]
    summary = Importer(service, dates=MessageDates.ARCHIVE).run(items)
    assert summary.messages_added == 2
    created = {r["subject"]: r["created_at"] for r in service.store.query("SELECT subject, created_at FROM tickets")}
    assert created == {"future": to_text(now), "old": "2001-05-06T07:08:09Z"}
    due = service.store.scalar("SELECT waiting_since FROM tickets WHERE subject = 'future'")
    assert due == to_text(now)  # waiting starts now, not in 2099


def test_item14_live_mail_counts_from_its_arrival(service: TicketService, clock) -> None:
    now = clock()
    arrived = {"forged": now - timedelta(minutes=40), "honest": now - timedelta(minutes=40)}
    items = [("forged", _raw("forged", datetime(2001, 1, 1, tzinfo=UTC)), None),
             ("honest", _raw("honest", now - timedelta(minutes=45)), None),
             ("no-arrival", _raw("no-arrival", datetime(2099, 1, 1, tzinfo=UTC)), None)]
    Importer(service, dates=MessageDates.LIVE, arrival=arrived.get).run(items)
    created = {r["subject"]: r["created_at"] for r in service.store.query("SELECT subject, created_at FROM tickets")}
    assert created == {"forged": to_text(now - timedelta(minutes=40)), "honest": to_text(now - timedelta(minutes=45)),
                       "no-arrival": to_text(now)}


def test_item14_message_time_rules() -> None:
    past = NOW - timedelta(days=3)
    assert message_time(MessageDates.ARCHIVE, past, None, NOW) == past
    assert message_time(MessageDates.ARCHIVE, NOW + timedelta(days=1), None, NOW) == NOW
    assert message_time(MessageDates.ARCHIVE, None, None, NOW) == NOW
    arrival = NOW - timedelta(hours=1)
    assert message_time(MessageDates.LIVE, arrival - SKEW, arrival, NOW) == arrival - SKEW  # within the skew
    assert message_time(MessageDates.LIVE, arrival - SKEW - timedelta(seconds=1), arrival, NOW) == arrival
    assert message_time(MessageDates.LIVE, arrival + SKEW, arrival, NOW) == arrival + SKEW
    assert message_time(MessageDates.LIVE, NOW + timedelta(minutes=5), None, NOW) == NOW  # never in the future
    assert message_time(MessageDates.LIVE, None, NOW + timedelta(days=2), NOW) == NOW
    assert message_time(MessageDates.LIVE, None, None, NOW) == NOW


def test_item14_internaldate_parsed_without_the_locale() -> None:
    line = b'3 (UID 7 INTERNALDATE " 4-Dec-2026 17:05:09 +0130" BODY[] {12}'
    assert internaldate(line) == datetime(2026, 12, 4, 15, 35, 9, tzinfo=UTC)
    assert internaldate(b'1 (UID 1 INTERNALDATE "31-Foo-2026 00:00:00 +0000")') is None
    assert internaldate(b"1 (UID 1 BODY[] {3}") is None
