"""A report as rich renderables: the `report` command prints them, the reports screen shows them.

Every string from the store (tag, agent and department names, custom status
names) goes in as a plain ``Text`` (control characters made visible), never
as markup, so a tag named ``[bold]`` prints as those seven characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from math import ceil

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..domain.clock import humanize_age
from ..domain.models import priority_label, status_label
from ..domain.text import one_line
from ..i18n import _, format_date, ngettext, number, percent
from .reports import Compliance, Durations, GroupFigures, Report, duration_text, percent_text

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float | None], width: int | None = None) -> str:
    """Unicode bars from zero to the largest value; a blank where there is no value.

    With more values than `width`, neighbouring values share a mark (the largest shows).
    """
    points = list(values)
    if width is not None and width > 0 and len(points) > width:
        size = ceil(len(points) / width)
        points = [_largest(points[i : i + size]) for i in range(0, len(points), size)]
    top = max((v for v in points if v is not None), default=0)
    marks = []
    for value in points:
        if value is None:
            marks.append(" ")
        elif value <= 0 or top <= 0:
            marks.append(BARS[0])
        else:
            marks.append(BARS[max(1, min(7, ceil(value / top * 7)))])
    return "".join(marks)


def _largest(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def group_label(by: str | None, key: str | None) -> str:
    """How a group is called: its name, or what having none means."""
    if key is None:
        return {
            "agent": _("(unassigned)"),
            "department": _("(no department)"),
            "tag": _("(no tag)"),
        }.get(by or "", _("(none)"))
    if by == "priority":
        return priority_label(key)
    return one_line(key, 30)


def by_title(by: str) -> str:
    return {
        "agent": _("Agent"),
        "department": _("Department"),
        "tag": _("Tag"),
        "priority": _("Priority"),
    }.get(by, by)


def period_text(report: Report) -> str:
    days = len(report.days)
    return ngettext("{since} – {until} · {n} day · {zone}", "{since} – {until} · {n} days · {zone}", days).format(
        since=format_date(report.since), until=format_date(report.until), n=number(days), zone=report.timezone
    )


def tickets_text(count: int) -> str:
    return ngettext("{n} ticket", "{n} tickets", count).format(n=number(count))


def durations_text(durations: Durations) -> str:
    if not durations.count:
        return _("no tickets")
    return _("median {median} · 90% within {p90} ({tickets})").format(
        median=duration_text(durations.median),
        p90=duration_text(durations.p90),
        tickets=tickets_text(durations.count),
    )


def compliance_text(compliance: Compliance) -> str:
    if not compliance.tickets:
        return _("no tickets with a target")
    # One plural-aware part per count: "breached" and "pending" agree with their own number.
    pending = ngettext("{n} pending", "{n} pending", compliance.pending).format(n=number(compliance.pending))
    parts = [pending]
    if compliance.percent_met is not None:
        parts = [
            _("{percent} met").format(percent=percent_text(compliance.percent_met)),
            ngettext("{n} breached", "{n} breached", compliance.breached).format(n=number(compliance.breached)),
            pending,
        ]
    return " · ".join(parts) + f" ({tickets_text(compliance.tickets)})"


def backlog_text(report: Report) -> Text:
    parts = [f"{status_label(s.key, one_line(s.name))} {number(s.count)}" for s in report.backlog]
    return Text(" · ".join(parts))


def tags_text(report: Report) -> Text:
    if not report.top_tags:
        return Text(_("no tags"), style="dim")
    text = Text()
    for index, tag in enumerate(report.top_tags):
        if index:
            text.append(" · ")
        text.append(one_line(tag.tag, 30))  # customer data: plain text, never markup
        text.append(" " + number(tag.count), style="bold")
    return text


def figures_table(report: Report) -> Table:
    """The key figures of the whole period, one per line."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    table.add_row(
        Text(_("Backlog now")),
        Text.assemble((number(report.backlog_total), "bold"), "  ", backlog_text(report)),
    )
    table.add_row(Text(_("New tickets")), Text(number(report.new_tickets)))
    table.add_row(Text(_("Resolved")), Text(number(report.resolved_tickets)))
    table.add_row(Text(_("First response")), Text(durations_text(report.first_response)))
    table.add_row(Text(_("Resolution")), Text(durations_text(report.resolution)))
    table.add_row(Text(_("SLA first response")), Text(compliance_text(report.sla_first_response)))
    table.add_row(Text(_("SLA resolution")), Text(compliance_text(report.sla_resolution)))
    table.add_row(Text(_("Top tags")), tags_text(report))
    return table


def charts_table(report: Report, width: int = 50) -> Table:
    """The per-day series as unicode sparklines, with their largest value."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(style="dim", no_wrap=True)
    days = len(report.days)
    share = ceil(days / width) if days > width else 1
    first = report.first_response_per_day
    rows = [
        (_("New tickets per day"), report.new_per_day, number(max(report.new_per_day, default=0))),
        (_("Resolved per day"), report.resolved_per_day, number(max(report.resolved_per_day, default=0))),
        (_("Backlog (end of day)"), report.backlog_per_day, number(max(report.backlog_per_day, default=0))),
        (
            _("First response (median)"),
            first,
            duration_text(max((v for v in first if v is not None), default=None)),
        ),
    ]
    for label, values, top in rows:
        table.add_row(Text(label), Text(sparkline(values, width)), Text(_("max {top}").format(top=top)))
    note = _("{first} … {last}").format(first=format_date(report.since), last=format_date(report.until))
    if share > 1:
        note += " · " + ngettext("one mark per {n} day", "one mark per {n} days", share).format(n=number(share))
    table.add_row(Text(""), Text(note, style="dim"), Text(""))
    return table


def GROUPS_LEGEND() -> str:  # noqa: N802 - a constant, translated when used
    return _("Times: median / 90th percentile. SLA: % met (breached).")


def groups_table(report: Report) -> Table | None:
    """The key figures per agent, department, tag or priority."""
    if report.by is None:
        return None
    table = Table(box=None, padding=(0, 1), pad_edge=False, header_style="bold", show_edge=False)
    table.add_column(Text(by_title(report.by)), no_wrap=True, overflow="ellipsis", max_width=18)
    for header in (_("New"), _("Backlog"), _("1st response"), _("Resolution"), _("SLA 1st"), _("SLA res.")):
        table.add_column(Text(header), justify="right", no_wrap=True, min_width=len(header))
    for group in report.groups:
        table.add_row(*group_row(report.by, group))
    if not report.groups:
        table.add_row(Text(_("no tickets"), style="dim"), *[Text("") for _ in range(6)])
    return table


def short_duration(seconds: float | None) -> str:
    """One unit, for narrow columns: 45s, 12min, 3h, 2d, 5w."""
    return "–" if seconds is None else humanize_age(seconds)


def group_row(by: str, group: GroupFigures) -> list[Text]:
    def pair(durations: Durations) -> Text:
        if not durations.count:
            return Text("–", style="dim")
        return Text(f"{short_duration(durations.median)} / {short_duration(durations.p90)}")

    def sla(compliance: Compliance) -> Text:
        if compliance.percent_met is None:
            return Text("–", style="dim")
        text = Text(percent(compliance.percent_met))  # floored: 99.6% must not read 100%
        text.append(f" ({number(compliance.breached)})", style="red" if compliance.breached else "dim")
        return text

    label = Text(group_label(by, group.key), style="italic" if group.key is None else "")
    return [
        label,
        Text(number(group.new)),
        Text(number(group.backlog)),
        pair(group.first_response),
        pair(group.resolution),
        sla(group.sla_first_response),
        sla(group.sla_resolution),
    ]


def report_renderable(report: Report, width: int = 80) -> RenderableType:
    """The whole report for a terminal `width` columns wide."""
    parts: list[RenderableType] = [
        Text.assemble((_("Report") + " ", "bold"), period_text(report)),
        Text(
            ngettext(
                "Spam and deleted tickets are left out ({n} created in this period).",
                "Spam and deleted tickets are left out ({n} created in this period).",
                report.excluded,
            ).format(n=number(report.excluded)),
            style="dim",
        ),
        Text(""),
        figures_table(report),
        Text(""),
        charts_table(report, width=max(10, width - 40)),
    ]
    groups = groups_table(report)
    if groups is not None:
        parts += [
            Text(""),
            Text(_("By {what}").format(what=by_title(report.by or "").lower()), style="bold"),
            groups,
            Text(GROUPS_LEGEND(), style="dim"),
        ]
    return Group(*parts)


def print_report(report: Report) -> None:
    """Print the report on standard output (plain text when it is not a terminal)."""
    from rich.console import Console

    console = Console(highlight=False, emoji=False)
    console.print(report_renderable(report, width=console.width), soft_wrap=False)
