"""The thread shows whom a customer's mail copied and where answers to it go (issue 15 item 3,
docs/issue15/recipients.md): the agent sees who reads a reply-all before writing one."""

from __future__ import annotations

from tui_desk.store import Store

from .conftest import make_app
from .helpers import SIZE, settle, thread_text
from .test_robustness import service_for


async def test_thread_names_the_cc_and_reply_to_of_a_customers_mail(empty_store: Store) -> None:
    service = service_for(empty_store)
    service.create_ticket(
        email="carol@example.com", subject="Leak", body="Still leaking.",
        cc=["bob@example.com", "dana@example.org"], reply_to="office@example.com",
    )
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = thread_text(app)
        assert "Cc: bob@example.com, dana@example.org" in shown
        assert "Reply-To: office@example.com" in shown


async def test_a_long_cc_list_stays_one_line(empty_store: Store) -> None:
    service = service_for(empty_store)
    service.create_ticket(
        email="carol@example.com", subject="Leak", body="Still leaking.",
        cc=[f"person{n}@example.com" for n in range(15)],
    )
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = thread_text(app)
        assert "person9@example.com (+5)" in shown and "person10@" not in shown
