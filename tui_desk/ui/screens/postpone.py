"""Postpone dialog: quick choices (1 hour, tomorrow morning, next week) or a typed time."""

from __future__ import annotations

from datetime import datetime, timedelta

from ...domain.clock import parse_when
from ...domain.errors import InvalidInput
from ...i18n import _, format_weekday_time
from .dialogs import ChoiceDialog


def quick_choices(now: datetime) -> list[tuple[str, str]]:
    local = now.astimezone()
    tomorrow = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    days_to_monday = (7 - local.weekday()) % 7 or 7
    next_week = (local + timedelta(days=days_to_monday)).replace(hour=9, minute=0, second=0, microsecond=0)
    in_hour = local + timedelta(hours=1)
    return [
        (in_hour.isoformat(), _("In 1 hour ({time})").format(time=in_hour.strftime("%H:%M"))),
        (tomorrow.isoformat(), _("Tomorrow morning ({time})").format(time=format_weekday_time(tomorrow))),
        (next_week.isoformat(), _("Next week ({time})").format(time=format_weekday_time(next_week, with_date=True))),
    ]


class PostponeDialog(ChoiceDialog):
    def __init__(self, which: int | str, now: datetime) -> None:
        """`which`: a ticket id, or words for several ("12 marked tickets")."""
        super().__init__(
            _("Postpone #{id} until…").format(id=which) if isinstance(which, int) else _("Postpone {which} until…").format(which=which),
            quick_choices(now),
            allow_typed=True,
            placeholder=_("or type: 2h, 3d, 1w, tomorrow, 2026-12-01 09:00"),
            hint=_("Enter picks; Esc cancels"),
        )
        self.now = now

    def accept_typed(self, value: str) -> str | None:
        try:
            moment = parse_when(value, self.now)
        except InvalidInput as error:
            self.notify(str(error), severity="error", markup=False)
            return None
        if moment <= self.now:
            self.notify(_("Pick a time in the future"), severity="error")
            return None
        return moment.isoformat()
