"""SLA policies, business hours and the SLA clock. Pure Python: no store, no UI.

One module per job, named here: :mod:`.business_hours` (opening hours,
business time), :mod:`.sla_clock` (the clock), :mod:`.sla_config` (the [sla] table of the
config file, read and written) and :mod:`.sla_policy` (which targets apply to a ticket).

What it models (see docs/lifecycle.md, "SLA clock rules"): targets for the first response and
for resolution, per department and priority, counted in business time only.
The clock runs while a ticket waits for an agent (meaning "attention": New,
Open and custom statuses of that meaning) and pauses otherwise (waiting on
the customer, postponed, done, spam, deleted).

Config format
-------------
Everything is optional; this is the ``[sla]`` part of the TOML config file::

    [sla]
    first_response = "8h"      # or "none" for no target
    resolution = "5d"
    near = "1h"                # warn when less than this remains; or "25%" / 0.25
    [sla.hours]
    days = ["mon", "tue", "wed", "thu", "fri"]   # or "mon-fri"
    start = "09:00"
    end = "17:00"              # "24:00" (or "00:00") is midnight at the end of the day
    timezone = "Europe/Tallinn"
    holidays = ["2026-12-24", "2026-12-25"]

    [[sla.policy]]
    department = "Billing"     # optional (matched ignoring case)
    priority = "urgent"        # optional: low, normal, high, urgent
    first_response = "1h"
    resolution = "1d"
    [sla.policy.hours]         # optional; only the keys it names are changed
    end = "20:00"

Resolution of a ticket's targets, key by key (each key of ``hours`` too): the
most specific place that sets it wins, in the order department+priority >
department > priority > ``[sla]`` > built-in default. So a "Billing" policy
that sets only ``hours`` and an "urgent" policy that sets only
``first_response`` combine for an urgent Billing ticket.

Built-in default (no ``[sla]`` at all): first response within 1 business
hour for urgent tickets, 4 for high, 8 for normal and 2 business days for
low; resolution within 1, 2, 5 and 10 business days; near when less than 25%
of the target is left,
Monday-Friday 09:00-17:00 in the machine's time zone (``$TZ``, then
``/etc/localtime``, see :func:`machine_timezone`; UTC when it cannot be told), no holidays.

Durations: ``"30m"``, ``"4h"``, ``"2d"``, ``"1w"``, ``"1d 4h"``, or an integer
(minutes). ``m`` and ``h`` are plain minutes and hours of business time. ``d``
and ``w`` are *business* days and weeks of the policy's own hours: ``1d`` is
one daily opening (8h for 09:00-17:00) and ``1w`` is one opening per business
day of the week (5d for Monday-Friday). With 24/7 hours this is plain time
(1d = 24h, 1w = 7d), and "resolve within 2 days" means two working days,
whatever the opening hours.

Business time is real elapsed time inside the opening hours, which are wall
clock times in the policy's time zone (so DST shifts them in UTC, and a 24/7
day with a DST change lasts 23 or 25 hours).

The clock
---------
An :class:`SlaClock` is ``elapsed`` business seconds accrued in earlier runs
plus, while running, the moment the current run began. :func:`replay`
rebuilds it from a ticket's status history; :func:`due_at`,
:func:`remaining_seconds` and :func:`sla_state` read it.
"""

from __future__ import annotations

from .business_hours import BusinessHours, format_time, machine_timezone, zone_name
from .sla_clock import (
    DEFAULT_NEAR_FRACTION,
    SlaClock,
    SlaState,
    due_at,
    remaining_seconds,
    replay,
    sla_state,
)
from .sla_config import MAX_TARGET_YEARS, Duration, config_text_with_sla, parse_duration
from .sla_policy import SlaPolicies, SlaRule, SlaTargets, to_config

__all__ = [
    "DEFAULT_NEAR_FRACTION",
    "MAX_TARGET_YEARS",
    "BusinessHours",
    "Duration",
    "SlaClock",
    "SlaPolicies",
    "SlaRule",
    "SlaState",
    "SlaTargets",
    "config_text_with_sla",
    "due_at",
    "format_time",
    "machine_timezone",
    "parse_duration",
    "remaining_seconds",
    "replay",
    "sla_state",
    "to_config",
    "zone_name",
]
