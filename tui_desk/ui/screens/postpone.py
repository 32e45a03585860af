"""Postpone dialog: quick choices (1 hour, tomorrow morning, next week) or a typed time.

The typed time is read as you type: the line under the field says the moment it means
("Mon 8 Dec 09:00") or why it is refused, before Enter. The quick choices land on the
desk's business days and hours (core/postpone_presets.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from textual import on
from textual.content import Content
from textual.widgets import Input, Label

from ...core.business_hours import BusinessHours
from ...core.postpone_presets import next_week, tomorrow_morning
from ...core.sla import SlaPolicies
from ...domain.errors import InvalidInput
from ...domain.when import parse_when
from ...i18n import _, day_abbreviation, format_weekday_time
from .dialogs import ChoiceDialog


def when_label(moment: datetime) -> str:
    """``Mon 8 Dec 09:00`` in the agent's local time: what the dialog and the notice say."""
    return format_weekday_time(moment.astimezone(), with_date=True)


def quick_choices(now: datetime, hours: BusinessHours) -> list[tuple[str, str]]:
    in_hour = (now + timedelta(hours=1)).astimezone()
    tomorrow = tomorrow_morning(now, hours)
    week = next_week(now, hours)
    return [
        (in_hour.isoformat(), _("In 1 hour ({time})").format(time=in_hour.strftime("%H:%M"))),
        (tomorrow.isoformat(), _("Tomorrow morning ({time})").format(time=when_label(tomorrow))),
        (week.isoformat(), _("Next week ({time})").format(time=when_label(week))),
    ]


def resolve(value: str, now: datetime) -> tuple[datetime | None, str]:
    """The moment typed text means and its words, or None and the reason it is refused."""
    try:
        moment = parse_when(value, now)
    except InvalidInput as error:
        return None, str(error)
    if moment <= now:
        return None, _("Pick a time in the future")
    return moment, "→ " + when_label(moment)


class PostponeDialog(ChoiceDialog):
    def __init__(self, which: int | str, now: datetime, sla: SlaPolicies | None = None) -> None:
        """`which`: a ticket id, or words for several ("12 marked tickets"); `sla`: the desk's hours."""
        example = (now + timedelta(days=7)).astimezone().strftime("%Y-%m-%d 09:00")  # never in the past
        super().__init__(
            _("Postpone #{id} until…").format(id=which) if isinstance(which, int) else _("Postpone {which} until…").format(which=which),
            quick_choices(now, sla.default_targets.hours if sla else BusinessHours.always()),
            allow_typed=True,
            placeholder=_("or type: 1h30min, 1mo, {day} 14:00, {date}").format(day=day_abbreviation(4), date=example),
            hint=_("Enter picks; Esc cancels"),
        )
        self.now = now

    def on_mount(self) -> None:
        # Hidden while the field is empty: on a short terminal its blank row is a choice's row.
        when = Label("", id="postpone-when", classes="dialog-hint")
        when.display = False
        self.query_one("#typed", Input).parent.mount(when, after="#typed")  # type: ignore[union-attr]

    @on(Input.Changed, "#typed")
    def show_resolved(self, event: Input.Changed) -> None:
        text = "" if not event.value.strip() else resolve(event.value, self.now)[1]
        for label in self.query("#postpone-when").results(Label):
            label.update(Content(text))
            label.display = bool(text)

    def accept_typed(self, value: str) -> str | None:
        moment, reason = resolve(value, self.now)
        if moment is None:
            self.notify(reason, severity="error", markup=False)
            return None
        return moment.isoformat()
