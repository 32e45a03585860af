"""C in the app: the customer's other tickets, and a jump to the one picked (issue 15, item 8)."""

from __future__ import annotations

from textual.widgets import OptionList

from tui_desk.ui.screens.dialogs import ChoiceDialog

from .conftest import Desk, make_app
from .helpers import SIZE, current_subject, notifications, press, settle


async def test_c_lists_the_customers_other_tickets_and_enter_goes_to_one(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "j")
        assert current_subject(app) == "Password reset link expired"  # Jaan's; his other one is deleted
        await press(pilot, "C")
        assert isinstance(app.screen, ChoiceDialog)
        options = app.screen.query_one("#choices", OptionList)
        assert options.option_count == 1  # the ticket on screen is not among them
        label = str(options.get_option_at_index(0).prompt)
        assert f"#{desk.ids['duplicate']}" in label and "Deleted" in label and "Old duplicate request" in label
        await press(pilot, "enter")
        assert current_subject(app) == "Old duplicate request"
        assert app.main.view_key == "deleted"  # the view that holds it


async def test_c_says_when_the_customer_has_no_other_ticket(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_subject(app) == "VPN drops every hour"
        await press(pilot, "C")
        assert not isinstance(app.screen, ChoiceDialog)
        assert "dave@example.com has no other tickets" in notifications(app)
