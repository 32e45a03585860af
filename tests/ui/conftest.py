"""Fixtures for the UI suite: a small hand-made help desk on a temporary store, a fixed clock, UTC."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.i18n import current_language
from tui_desk.store import Store, open_store
from tui_desk.ui.app import TuiDeskApp

from .helpers import NOW, StepClock

ACTOR = "alice"


@dataclass
class Desk:
    """The store with its data set, the ids of the tickets by name, and a service to change it."""

    path: Path
    store: Store
    service: TicketService
    clock: StepClock
    ids: dict[str, int]


@pytest.fixture(autouse=True)
def _truecolour(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal of many colours, whatever TERM the tests run under: 16 colours restyle the app (ui/colours.py)."""
    monkeypatch.setenv("COLORTERM", "truecolor")


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Displayed times are local times: make the local zone UTC so they are stable."""
    with monkeypatch.context() as patch:
        patch.setenv("TZ", "UTC")
        time.tzset()
        yield
    time.tzset()


def build_desk(service: TicketService, clock: StepClock) -> dict[str, int]:
    """Nine tickets over every built-in status, two departments, two agents, tags and a note.

    Needs attention (inbox order): VPN (urgent), Site down (urgent, waiting less long),
    Invoice (high), Password (normal). Then Server room (Postponed), Refund (Resolved),
    Printer (Answered); Prize is Spam and Duplicate is Deleted.
    """
    ids: dict[str, int] = {}

    def create(key: str, email: str, name: str, subject: str, body: str, **kwargs: str) -> int:
        ids[key] = service.create_ticket(email=email, name=name, subject=subject, body=body, **kwargs)
        clock.advance()
        return ids[key]

    def step(result: object) -> None:
        clock.advance()

    vpn = create(
        "vpn", "dave@example.com", "Dave Lee", "VPN drops every hour",
        "Since Monday the VPN disconnects every hour on the hour.", priority="urgent", department="Technical",
    )
    invoice = create(
        "invoice", "maria@example.com", "Maria Popescu", "Invoice charged twice",
        "My card was charged twice for invoice 2211.", priority="high", department="Billing",
    )
    step(service.tag(invoice, add=["billing"]))
    step(service.add_note(invoice, "Checked the card processor: two charges. Refund the second one."))
    password = create(
        "password", "jaan@example.com", "Jaan Tamm", "Password reset link expired",
        "The reset link says it expired before I could click it.",
    )
    step(service.assign(password, "alice"))
    step(service.reply(password, "Here is a fresh link, valid for 24 hours."))
    step(service.add_customer_message(password, "That one expired too."))
    step(service.tag(password, add=["login", "old"]))
    site = create(
        "site", "ana@example.com", "Ana Horvat", "Site down for EU customers",
        "Nobody in Zagreb can load the shop.", priority="urgent", department="Technical",
    )
    step(service.reply(site, "Looking into it now."))
    step(service.add_customer_message(site, "Still down, we are losing orders."))
    printer = create(
        "printer", "juan@example.com", "Juan dela Cruz", "Printer on floor 3 is jammed",
        "It shows error E42 since this morning.", priority="low",
    )
    step(service.assign(printer, "bob"))
    step(service.reply(printer, "A technician will come by after lunch."))
    refund = create(
        "refund", "liga@example.com", "Līga Ozola", "Refund for order 1042",
        "The parcel never arrived; please refund.", department="Billing",
    )
    step(service.reply(refund, "Refunded; it will show in 3 days."))
    step(service.resolve(refund))
    server = create(
        "server", "ivan@example.com", "Ivan Novak", "Server room too warm",
        "The thermometer reads 31 degrees.", priority="high",
    )
    step(service.postpone(server, datetime(2026, 11, 30, 9, 0, tzinfo=UTC)))
    prize = create("prize", "winner@prize.example", "Prize Office", "You won a prize!!!", "Click here.", priority="low")
    step(service.mark_spam(prize))
    duplicate = create(
        "duplicate", "jaan@example.com", "Jaan Tamm", "Old duplicate request", "Same as the password one.",
    )
    step(service.delete(duplicate))
    assert vpn and site
    return ids


def make_app(store: Store, live_interval: float | None = None) -> TuiDeskApp:
    return TuiDeskApp(store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=live_interval)


@pytest.fixture(scope="session")
def _built_desks(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], tuple[Path, datetime, dict[str, int]]]:
    """built(language) -> (store file, its clock's time, ids) of build_desk's desk, built once."""
    made: dict[str, tuple[Path, datetime, dict[str, int]]] = {}

    def built(language: str) -> tuple[Path, datetime, dict[str, int]]:
        if language not in made:
            path = tmp_path_factory.mktemp("built-desk") / "ui-desk.db"
            store = open_store(path)
            clock = StepClock()
            ids = build_desk(TicketService(store, clock=clock, actor=ACTOR), clock)
            store.close()  # the last connection to close checkpoints the WAL into the file
            made[language] = (path, clock.now, ids)
        return made[language]

    return built


@pytest.fixture
def desk(tmp_path: Path, _built_desks: Callable[[str], tuple[Path, datetime, dict[str, int]]]) -> Iterator[Desk]:
    """build_desk's desk on a store of the test's own: a copy of the file it wrote once (a few
    ms, not a migration and 30 writes), with the clock where the building left it."""
    path = tmp_path / "ui-desk.db"
    built, now, ids = _built_desks(current_language())
    shutil.copyfile(built, path)
    os.chmod(path, 0o600)
    store = open_store(path)
    clock = StepClock(now)
    service = TicketService(store, clock=clock, actor=ACTOR)
    yield Desk(path, store, service, clock, dict(ids))
    store.close()


@pytest.fixture
def empty_store(tmp_path: Path, _sqlite_migrated_desks: Callable[[str], Path]) -> Iterator[Store]:
    path = tmp_path / "empty.db"
    shutil.copyfile(_sqlite_migrated_desks(current_language()), path)  # a new store's migration, copied
    os.chmod(path, 0o600)
    store = open_store(path)
    yield store
    store.close()
