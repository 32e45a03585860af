"""The `rules` and `sla` subcommands of `tui-desk` (hooked into cli.py).

    tui-desk rules run [--json]                  the time rules, once (for cron)
    tui-desk rules show [--json]                 which time rules are on, and from where
    tui-desk sla show [--json]                   the effective SLA targets and hours
    tui-desk sla set KEY VALUE [--department D] [--priority P]
    tui-desk sla unset KEY [--department D] [--priority P]

`sla set` / `sla unset` rewrite the config file (TOML): every other table
and key is kept, the new file is checked before it replaces the old one, and
the replacement is atomic.
"""

from __future__ import annotations

import argparse
import tomllib
from collections.abc import Callable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from ..core.config import Config, config_path, read_config_text, write_config_text
from ..core.jobs import TIME_RULES, exclusive, skipped_line
from ..core.lifecycle import TicketService
from ..core.rules import RulesConfig, describe_period, format_period, run_rules
from ..core.sla import (
    SlaPolicies,
    SlaTargets,
    config_text_with_sla,
    format_time,
    to_config,
    zone_name,
)
from ..domain.errors import InvalidInput
from ..domain.models import PRIORITY_ORDER, priority_label
from ..domain.text import json_text, one_line
from ..i18n import _, day_abbreviation

_DAY_ABBREVIATIONS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


# -- parsers ---------------------------------------------------------------------------------
def add_parsers(
    command: Callable[[str, str], argparse.ArgumentParser],
    add_common: Callable[[argparse.ArgumentParser], None],
    parser_class: type[argparse.ArgumentParser],
) -> None:
    """Add `rules` and `sla` with their actions; `command` is build_parser's helper."""
    rules = command("rules", _("time rules: wake postponed, auto-resolve, purge deleted"))
    actions = rules.add_subparsers(dest="rules_action", metavar="ACTION", parser_class=parser_class, required=True)
    p = actions.add_parser("run", help=_("apply the time rules once (e.g. from cron)"), description=_(
        "Rebuild SLA clocks if the policies changed, wake postponed tickets whose time has passed,"
        " resolve tickets answered with no customer reply for N days, purge tickets deleted N days ago."
        " Safe to run as often as you like."
    ))
    add_common(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p = actions.add_parser("show", help=_("which time rules are on (purging deleted tickets is off unless set)"))
    add_common(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))

    sla = command("sla", _("show or change the SLA policies in the config file"))
    actions = sla.add_subparsers(dest="sla_action", metavar="ACTION", parser_class=parser_class, required=True)
    p = actions.add_parser("show", help=_("the effective targets, business hours and holidays"))
    add_common(p)
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    for name, help_text in (
        ("set", _("set one setting, e.g. `sla set first_response 2h --priority urgent`")),
        ("unset", _("remove one setting, so it is inherited again")),
    ):
        p = actions.add_parser(name, help=help_text, description=help_text + ". " + _(
            "Keys: first_response, resolution, near, hours.days, hours.start, hours.end,"
            " hours.timezone, hours.holidays."
        ))
        add_common(p)
        p.add_argument("key", help=_("e.g. first_response, resolution, near, hours.days, hours.timezone"))
        if name == "set":
            p.add_argument("value", help=_('e.g. 2h, 1d, "none", mon-fri, 09:00, Europe/Tallinn, 2026-12-24,2026-12-25'))
        p.add_argument("--department", help=_("only for this department"))
        p.add_argument("--priority", help="low|normal|high|urgent")


# -- the config ------------------------------------------------------------------------------
def sla_policies(config: Config, path: Path | None = None) -> SlaPolicies:
    """The SLA policies of the config; a bad [sla] is one clear line naming the file and the key."""
    try:
        return SlaPolicies.from_config(config.raw)
    except InvalidInput as error:
        raise InvalidInput(_("In {path}: {problem}").format(path=path or config_path(), problem=error)) from None


def rules_config(config: Config, path: Path | None = None) -> RulesConfig:
    """The [rules] of the config; a bad value is one clear line naming the file and the key."""
    try:
        return RulesConfig.from_config(config.raw)
    except InvalidInput as error:
        raise InvalidInput(_("In {path}: {problem}").format(path=path or config_path(), problem=error)) from None


# -- rules run -------------------------------------------------------------------------------
def rules_command(args: argparse.Namespace, service: TicketService, config: Config) -> int:
    rules = rules_config(config)
    with exclusive(service.store, TIME_RULES) as lease:
        if lease is None:  # another app or cron job is running them: theirs is as good as ours
            print(json_text({"skipped": skipped_line(TIME_RULES)}) if args.json else skipped_line(TIME_RULES))
            return 0
        report = run_rules(service, rules)
    if args.json:
        print(json_text(report.as_dict()))
    else:
        for line in report.lines():
            print(line)
    return 0


def rules_show(args: argparse.Namespace, config: Config) -> int:
    """Each time rule: on or off, and whether the config set it or it is the default."""
    path = config_path()
    rules = rules_config(config, path)
    configured = RulesConfig.set_in(config.raw)
    if args.json:
        data = {
            "config": str(path),
            "wake_postponed": "on",
            **{
                key: {"value": format_period(getattr(rules, key)), "set_in_config": key in configured}
                for key in ("auto_resolve_after", "purge_deleted_after")
            },
        }
        print(json_text(data))
        return 0
    rows = [
        (_("Wake postponed tickets when their time passes"), _("on"), None),
        (_("Auto-resolve tickets answered with no customer reply"), rules.auto_resolve_after, "auto_resolve_after"),
        (_("Purge deleted tickets for good"), rules.purge_deleted_after, "purge_deleted_after"),
    ]
    for name, value, key in rows:
        if key is None:
            setting = str(value)
        else:
            period = value if isinstance(value, timedelta) else None
            setting = _("after {period}").format(period=describe_period(period)) if period else _("off")
            setting += " (" + (_("set in the config") if key in configured else _("default")) + ")"
        print(f"{name}: {setting}")
    print(_('Change them in [rules] of {path}, e.g. purge_deleted_after = "30d" or auto_resolve_after = "off"').format(
        path=path
    ))
    return 0


# -- sla show / set / unset ------------------------------------------------------------------
def sla_command(args: argparse.Namespace, config: Config) -> int:
    path = config_path()
    policies = sla_policies(config, path)
    if args.sla_action == "show":
        data = sla_overview(policies)
        if args.json:
            print(json_text({"config": str(path), **data}))
        else:
            _print_overview(data, path)
        return 0
    value = args.value if args.sla_action == "set" else None
    if value is not None and not value.strip():
        raise InvalidInput(_("Give a value, e.g. 2h, 1d or none"))
    changed = policies.with_setting(args.key, value, department=args.department, priority=args.priority)
    scope = _scope(args.department, args.priority)
    key = args.key.strip()
    if to_config(changed) == to_config(policies):
        if value is None:
            print(_("{key} is not set for {scope}: nothing to unset").format(key=key, scope=scope))
        else:
            print(_("{key} is already {value} for {scope}").format(key=key, value=value, scope=scope))
        return 0
    _write_sla(config.raw or {}, policies, changed, path)
    if value is None:
        print(_("Unset {key} for {scope} in {path}").format(key=key, scope=scope, path=path))
    else:
        print(_("Set {key} = {value} for {scope} in {path}").format(key=key, value=value, scope=scope, path=path))
    print(_("SLA clocks are recomputed at the next `tui-desk rules run` (the app does it within a minute)"))
    return 0


def _scope(department: str | None, priority: str | None) -> str:
    if department and priority:
        return _("{department} tickets of priority {priority}").format(
            department=one_line(department), priority=priority_label(priority.strip().lower())
        )
    if department:
        return _("{department} tickets").format(department=one_line(department))
    if priority:
        return _("{priority} tickets").format(priority=priority_label(priority.strip().lower()))
    return _("all tickets")


def _write_sla(raw: Mapping[str, Any], before: SlaPolicies, policies: SlaPolicies, path: Path) -> None:
    """Write the config with the new [sla], everything else (comments too) kept; checked before it replaces the file."""
    import tomlkit.exceptions

    old_text = read_config_text(path)
    rest = {k: v for k, v in raw.items() if k != "sla"}
    # In place first (comments kept); a layout that edit cannot follow gets a fresh [sla].
    for in_place in (True, False):
        try:
            text = config_text_with_sla(
                old_text, to_config(before)["sla"], to_config(policies)["sla"], in_place=in_place  # type: ignore[arg-type]
            )
            reread = tomllib.loads(text)
        except (TypeError, ValueError, tomllib.TOMLDecodeError, tomlkit.exceptions.TOMLKitError) as error:
            if in_place:
                continue
            raise InvalidInput(
                _("Cannot write the config file {path} safely ({reason}); it was left unchanged").format(
                    path=path, reason=error
                )
            ) from None
        if {k: v for k, v in reread.items() if k != "sla"} == rest and to_config(
            SlaPolicies.from_config(reread)
        ) == to_config(policies):
            write_config_text(text, path)
            return
    raise InvalidInput(
        _("Cannot write the config file {path} safely (it would not read back the same); it was left unchanged").format(
            path=path
        )
    )


def format_business(seconds: int | None, targets: SlaTargets) -> str:
    """Business seconds as the config writes them: "4h", "1h 30m", "5d" (daily openings), "none".

    Up to one daily opening it is hours and minutes (with 09:00-17:00, "1d" shows as 8h).
    """
    if seconds is None:
        return "none"
    day = targets.hours.day_seconds
    parts = []
    if day and seconds > day and seconds % day == 0:
        return f"{seconds // day}d"
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours:
        parts.append(f"{hours}h")
    if minutes or not parts:
        parts.append(f"{minutes}m")
    return " ".join(parts)


def _days_text(days: frozenset[int], name: Callable[[int], str] = _DAY_ABBREVIATIONS.__getitem__) -> str:
    ordered = sorted(days)
    runs: list[list[int]] = []
    for day in ordered:
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    words = []
    for run in runs:
        if len(run) >= 3:
            words.append(f"{name(run[0])}-{name(run[-1])}")
        else:
            words.extend(name(d) for d in run)
    return ", ".join(words)


def _hours_data(targets: SlaTargets) -> dict[str, Any]:
    hours = targets.hours
    return {
        "days": [_DAY_ABBREVIATIONS[d] for d in sorted(hours.days)],
        "days_text": _days_text(hours.days),
        "start": format_time(hours.start),
        "end": format_time(hours.end, end=True),
        "timezone": zone_name(hours.timezone),
        "holidays": [d.isoformat() for d in sorted(hours.holidays)],
    }


def _near_text(targets: SlaTargets) -> str:
    if targets.near is not None:
        return format_business(targets.near, targets)
    return f"{targets.near_fraction * 100:g}%"


def sla_overview(policies: SlaPolicies) -> dict[str, Any]:
    """What `sla show` prints: the configured settings and the effective targets per department and priority."""
    departments: dict[str, str] = {}
    for rule in policies.rules:
        if rule.department is not None:
            departments.setdefault(rule.department.casefold(), rule.department)
    rows = []
    for department in (None, *departments.values()):
        for priority in PRIORITY_ORDER:
            targets = policies.for_ticket(department, priority.value)
            rows.append(
                {
                    "department": department,
                    "priority": priority.value,
                    "first_response": format_business(targets.first_response, targets),
                    "first_response_seconds": targets.first_response,
                    "resolution": format_business(targets.resolution, targets),
                    "resolution_seconds": targets.resolution,
                    "near": _near_text(targets),
                    "hours": _hours_data(targets),
                }
            )
    return {
        "configured": to_config(policies)["sla"],
        "hours": _hours_data(policies.default_targets),
        "targets": rows,
    }


def _print_overview(data: dict[str, Any], path: Path) -> None:
    print(_("SLA policies (config: {path})").format(path=path))
    if not data["configured"]:
        print(_("Nothing configured: the built-in defaults apply"))
    header = [_("Department"), _("Priority"), _("First response"), _("Resolution"), _("Near"), _("Business hours")]
    table = [header]
    for row in data["targets"]:
        hours = row["hours"]
        table.append(
            [
                one_line(row["department"]) if row["department"] else _("(any)"),
                priority_label(row["priority"]),
                row["first_response"],
                row["resolution"],
                row["near"],
                f"{_days_text(frozenset(_DAY_ABBREVIATIONS.index(d) for d in hours['days']), day_abbreviation)} "
                f"{hours['start']}-{hours['end']} {hours['timezone']}",
            ]
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    days = {(row["hours"]["start"], row["hours"]["end"]) for row in data["targets"]}
    if any(start != "00:00" or end != "24:00" for start, end in days):
        print(_("(d = business days: one daily opening of the business hours, e.g. 09:00-17:00 is 8h)"))
    holidays: dict[tuple[str, ...], list[str]] = {}
    for row in data["targets"]:
        label = f"{row['department'] or _('(any)')} {priority_label(row['priority'])}"
        holidays.setdefault(tuple(row["hours"]["holidays"]), []).append(label)
    if len(holidays) == 1:
        (dates,) = holidays
        print(_("Holidays: {days}").format(days=", ".join(dates) if dates else _("none")))
    else:
        for dates, labels in holidays.items():
            print(
                _("Holidays ({where}): {days}").format(
                    where=one_line(", ".join(labels)), days=", ".join(dates) if dates else _("none")
                )
            )
