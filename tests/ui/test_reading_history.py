"""H: the customer's other tickets under the thread, read off the event loop, following the
ticket shown; Enter on one goes to it (issue 15 item 8)."""

from __future__ import annotations

from tui_desk.ui.widgets.history import CustomerHistoryList

from .conftest import Desk, make_app
from .helpers import SIZE, current_subject, press, settle


def history_rows(app) -> list[str]:  # noqa: ANN001
    history = app.main.query_one(CustomerHistoryList)
    return [str(history.get_option_at_index(i).prompt) for i in range(history.option_count)]


async def test_h_lists_the_customers_other_tickets_and_enter_goes_to_one(desk: Desk) -> None:
    desk.service.create_ticket(
        email="jaan@example.com", name="Jaan Tamm", subject="\x1b[2JPrinter \x1b]8;;http://x\x07again", body="Hi"
    )
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        history = app.main.query_one(CustomerHistoryList)
        assert not history.display, "hidden until asked for"
        await press(pilot, "j", "j", "j")
        assert current_subject(app) == "Password reset link expired"
        await press(pilot, "H")
        assert history.display and app.focused is history
        rows = history_rows(app)
        assert len(rows) == 2, rows  # Jaan's other two; not the ticket on screen
        assert "Printer" in rows[0], "newest first"
        assert "\x1b" not in rows[0] and "␛[2JPrinter" in rows[0], "a subject from mail is shown, not obeyed"
        assert f"#{desk.ids['duplicate']}" in rows[1] and "Deleted" in rows[1] and "Old duplicate request" in rows[1]
        assert "Jaan Tamm: 2" in str(history.border_title)

        await press(pilot, "down", "enter")
        assert current_subject(app) == "Old duplicate request"
        assert app.main.view_key == "deleted"
        rows = history_rows(app)  # the list follows the ticket shown
        assert any("Password reset link expired" in row for row in rows), rows
        assert not any("Old duplicate request" in row for row in rows)

        await press(pilot, "H")
        assert not history.display and app.focused is not history
        await press(pilot, "H")  # shown again: for the ticket on screen
        assert history_rows(app) == rows


async def test_a_customer_without_other_tickets_says_so(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_subject(app) == "VPN drops every hour"
        await press(pilot, "H")
        rows = history_rows(app)
        assert rows == ["No other tickets"]
        history = app.main.query_one(CustomerHistoryList)
        assert "Dave Lee: 0" in str(history.border_title)
