"""SLA policies: which targets and business hours apply to a ticket, by department and priority.

Resolution, key by key (each key of ``hours`` too): the most specific place that sets it
wins, department+priority > department > priority > ``[sla]`` > built-in default (see
:mod:`tui_desk.core.sla` for the config format).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, tzinfo

from ..domain.models import Priority
from ..i18n import _, ngettext
from ..i18n import number as format_number
from .business_hours import (
    BusinessHours,
    bad_key,
    bad_value,
    end_before_start,
    format_time,
    machine_timezone,
    seconds_of_day,
)
from .sla_clock import DEFAULT_NEAR_FRACTION, SlaClock, SlaState, due_at, sla_state
from .sla_config import (
    HOURS_KEYS,
    MAX_TARGET_YEARS,
    SETTING_KEYS,
    TARGET_KEYS,
    YEAR_SECONDS,
    Duration,
    calendar_seconds,
    parse_settings,
    settings_to_config,
    too_long,
    unknown_setting,
)


@dataclass(frozen=True)
class SlaTargets:
    """The targets that apply to one ticket, in business seconds of ``hours``."""

    first_response: int | None
    resolution: int | None
    hours: BusinessHours
    near_fraction: float = DEFAULT_NEAR_FRACTION
    near: int | None = None  # seconds; when set it wins over near_fraction

    def state(self, clock: SlaClock, target_seconds: int | None, now: datetime) -> SlaState:
        return sla_state(clock, target_seconds, self.hours, now, self.near_fraction, self.near)

    def due_at(self, clock: SlaClock, target_seconds: int | None) -> datetime | None:
        return due_at(clock, target_seconds, self.hours)


@dataclass(frozen=True)
class SlaRule:
    """One [[sla.policy]] (or, with neither department nor priority, the [sla] defaults).

    ``settings`` holds only what the config sets, parsed, with the hours keys
    flattened: first_response / resolution (Duration or None for "none"),
    near (Duration or a fraction), days, start, end, timezone, holidays.
    """

    department: str | None = None
    priority: str | None = None
    settings: Mapping[str, object] = field(default_factory=dict, hash=False)


def _department_key(department: str | None) -> str | None:
    if department is None:
        return None
    return department.strip().casefold() or None


def _builtin_settings(zone: tzinfo) -> dict[str, object]:
    return {
        "first_response": Duration(minutes=8 * 60),
        "resolution": Duration(days=5),
        "near": DEFAULT_NEAR_FRACTION,
        "days": frozenset(range(5)),
        "start": time(9),
        "end": time(17),
        "timezone": zone,
        "holidays": frozenset(),
    }


# Built-in targets by priority, under anything configured: a team that sets
# [sla] first_response sets it for every priority.
_BUILTIN_BY_PRIORITY: dict[str, dict[str, object]] = {
    "urgent": {"first_response": Duration(minutes=60), "resolution": Duration(days=1)},
    "high": {"first_response": Duration(minutes=4 * 60), "resolution": Duration(days=2)},
    "normal": {"first_response": Duration(minutes=8 * 60), "resolution": Duration(days=5)},
    "low": {"first_response": Duration(days=2), "resolution": Duration(days=10)},
}


@dataclass(frozen=True)
class SlaPolicies:
    """The [sla] defaults and the per department / priority policies, as configured."""

    default: SlaRule = field(default_factory=SlaRule)
    rules: tuple[SlaRule, ...] = ()
    local_timezone: tzinfo = field(default_factory=machine_timezone)
    _resolved: dict[tuple[str | None, str | None], SlaTargets] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "rules", tuple(self.rules))
        seen: dict[tuple[str | None, str | None], str] = {}
        for label, rule in self._labelled_rules():
            for key in rule.settings:
                if key not in SETTING_KEYS:
                    raise unknown_setting(f"{label}.{key}", SETTING_KEYS)
            if rule.department is not None and _department_key(rule.department) is None:
                raise bad_value(f"{label}.department", rule.department, _("must not be empty"))
            if rule.priority is not None and rule.priority not in set(Priority):
                raise bad_value(f"{label}.priority", rule.priority, _priority_problem())
            if rule.department is None and rule.priority is None:
                raise bad_key(
                    label,
                    _(
                        "a policy needs a department or a priority (put defaults directly under [sla])"
                    ),
                )
            match = (_department_key(rule.department), rule.priority)
            if match in seen:
                raise bad_key(
                    label,
                    _("the same department and priority as {other}").format(other=seen[match]),
                )
            seen[match] = label
        for key in self.default.settings:
            if key not in SETTING_KEYS:
                raise unknown_setting(f"sla.{key}", SETTING_KEYS)
        # Resolve every combination now: a bad combination fails at load time, lookups are cheap.
        departments = {_department_key(r.department) for r in self.rules} | {None}
        priorities = {r.priority for r in self.rules} | {None} | set(_BUILTIN_BY_PRIORITY)
        interned: dict[BusinessHours, BusinessHours] = {}
        for department in departments:
            for priority in priorities:
                targets = self._resolve(department, priority)
                hours = interned.setdefault(targets.hours, targets.hours)
                if hours is not targets.hours:
                    targets = SlaTargets(
                        targets.first_response,
                        targets.resolution,
                        hours,
                        targets.near_fraction,
                        targets.near,
                    )
                self._resolved[(department, priority)] = targets

    def _labelled_rules(self) -> Iterable[tuple[str, SlaRule]]:
        for number, rule in enumerate(self.rules, 1):
            yield f"sla.policy[{number}]", rule

    def _resolve(self, department: str | None, priority: str | None) -> SlaTargets:
        chain: list[tuple[float, str, Mapping[str, object]]] = [
            (-2, "", _builtin_settings(self.local_timezone)),
            (-1.5, "", _BUILTIN_BY_PRIORITY.get(priority or "", {})),
            (-1, "sla", self.default.settings),
        ]
        for label, rule in self._labelled_rules():
            if rule.department is not None and _department_key(rule.department) != department:
                continue
            if rule.priority is not None and rule.priority != priority:
                continue
            rank = (2 if rule.department is not None else 0) + (
                1 if rule.priority is not None else 0
            )
            chain.append((rank, label, rule.settings))
        chain.sort(key=lambda link: link[0])
        merged: dict[str, object] = {}
        source: dict[str, str] = {}
        for _rank, label, settings in chain:
            for key, value in settings.items():
                merged[key] = value
                source[key] = label
        start, end = merged["start"], merged["end"]
        assert isinstance(start, time) and isinstance(end, time)
        if seconds_of_day(end, end=True) <= seconds_of_day(start):
            if source["end"]:
                raise bad_value(
                    f"{source['end']}.hours.end",
                    format_time(end, end=True),
                    end_before_start(start),
                )
            problem = _("the start must be before the end {end}").format(
                end=format_time(end, end=True)
            )
            raise bad_value(f"{source['start']}.hours.start", format_time(start), problem)
        hours = BusinessHours(
            merged["days"],  # type: ignore[arg-type]
            start,
            end,
            merged["timezone"],  # type: ignore[arg-type]
            merged["holidays"],  # type: ignore[arg-type]
        )
        first, resolution, near = merged["first_response"], merged["resolution"], merged["near"]
        for key in TARGET_KEYS:
            duration = merged[key]
            if isinstance(duration, Duration) and (
                calendar_seconds(duration.seconds(hours), hours) > MAX_TARGET_YEARS * YEAR_SECONDS
            ):
                if source[key]:
                    raise too_long(f"{source[key]}.{key}", str(duration))
                # A built-in target: the business hours are what makes it take so long.
                raise bad_value(
                    f"{source['end'] or source['start']}.hours.end",
                    format_time(end, end=True),
                    ngettext(
                        "too short: a target would take more than {n} year with these business hours",
                        "too short: a target would take more than {n} years with these business hours",
                        MAX_TARGET_YEARS,
                    ).format(n=format_number(MAX_TARGET_YEARS)),
                )
        return SlaTargets(
            first_response=first.seconds(hours) if isinstance(first, Duration) else None,
            resolution=resolution.seconds(hours) if isinstance(resolution, Duration) else None,
            hours=hours,
            near_fraction=near if isinstance(near, float) else DEFAULT_NEAR_FRACTION,
            near=near.seconds(hours) if isinstance(near, Duration) else None,
        )

    def for_ticket(self, department: str | None, priority: str | None) -> SlaTargets:
        """The targets for a ticket: the most specific policy wins, key by key."""
        department_key = _department_key(department)
        priority_key = priority.strip().lower() if priority else None
        resolved = self._resolved
        if (department_key, priority_key) in resolved:
            return resolved[(department_key, priority_key)]
        if (department_key, None) not in resolved:
            department_key = None
        if (department_key, priority_key) not in resolved:
            priority_key = None
        return resolved[(department_key, priority_key)]

    @property
    def default_targets(self) -> SlaTargets:
        return self._resolved[(None, None)]

    @classmethod
    def from_config(
        cls, raw: Mapping[str, object] | None, *, local_timezone: tzinfo | None = None
    ) -> SlaPolicies:
        """Policies from the whole parsed config (``Config.raw``); no [sla] gives the built-in default."""
        zone = local_timezone if local_timezone is not None else machine_timezone()
        sla = (raw or {}).get("sla", {})
        if not isinstance(sla, Mapping):
            raise bad_key("sla", _("must be a table ([sla])"))
        default = SlaRule(settings=parse_settings(sla, "sla", ("policy",)))
        policies = sla.get("policy", [])
        if isinstance(policies, Mapping):  # [sla.policy] written for [[sla.policy]]: one policy
            policies = [policies]
        if not isinstance(policies, list):
            raise bad_key("sla.policy", _("must be a list of tables ([[sla.policy]])"))
        rules = []
        for number, table in enumerate(policies, 1):
            label = f"sla.policy[{number}]"
            if not isinstance(table, Mapping):
                raise bad_key(label, _("must be a table ([[sla.policy]])"))
            department = table.get("department")
            if department is not None and (
                not isinstance(department, str) or not department.strip()
            ):
                raise bad_value(f"{label}.department", department, _("must be a department name"))
            priority = table.get("priority")
            if priority is not None:
                if not isinstance(priority, str) or priority.strip().lower() not in set(Priority):
                    raise bad_value(f"{label}.priority", priority, _priority_problem())
                priority = priority.strip().lower()
            settings = parse_settings(table, label, ("department", "priority"))
            rules.append(
                SlaRule(
                    department.strip() if isinstance(department, str) else None, priority, settings
                )
            )
        return cls(default, tuple(rules), zone)

    def to_config(self) -> dict[str, object]:
        return to_config(self)

    def with_setting(
        self,
        key: str,
        value: object,
        *,
        department: str | None = None,
        priority: str | None = None,
    ) -> SlaPolicies:
        """A copy with one setting changed (``None`` removes it, so it is inherited again).

        ``key``: first_response, resolution, near, or an hours key (days, start,
        end, timezone, holidays; "hours." prefix optional). ``value`` as in the
        config file, e.g. "4h", "none", "mon-fri", "2026-12-24, 2026-12-25".
        Without department and priority it changes the [sla] defaults.
        """
        name = key.strip().lower().replace("-", "_")
        name = name.removeprefix("sla.").removeprefix("hours.")
        if name not in SETTING_KEYS:
            raise unknown_setting(key, SETTING_KEYS)
        config = to_config(self)
        sla: dict[str, object] = config["sla"]  # type: ignore[assignment]
        table: dict[str, object] = sla
        policies: list[dict[str, object]] = sla.setdefault("policy", [])  # type: ignore[assignment]
        if department is not None or priority is not None:
            wanted = (_department_key(department), priority.strip().lower() if priority else None)
            for policy in policies:
                if (_department_key(policy.get("department")), policy.get("priority")) == wanted:  # type: ignore[arg-type]
                    table = policy
                    break
            else:
                table = {}
                if department is not None:
                    table["department"] = department
                if priority is not None:
                    table["priority"] = priority
                policies.append(table)
        target = table
        if name in HOURS_KEYS:
            target = table.setdefault("hours", {})  # type: ignore[assignment]
        if value is None:
            target.pop(name, None)
        else:
            target[name] = value
        if not table.get("hours", True):
            del table["hours"]
        sla["policy"] = [p for p in policies if set(p) - {"department", "priority"}]
        if not sla["policy"]:
            del sla["policy"]
        return SlaPolicies.from_config(config, local_timezone=self.local_timezone)


def _priority_problem() -> str:
    return _("unknown priority: use {names}").format(names=", ".join(p.value for p in Priority))


def to_config(policies: SlaPolicies) -> dict[str, object]:
    """``{"sla": {...}}`` as the config file holds it; ``from_config`` reads it back equal."""
    table = settings_to_config(policies.default.settings)
    rules = []
    for rule in policies.rules:
        item: dict[str, object] = {}
        if rule.department is not None:
            item["department"] = rule.department
        if rule.priority is not None:
            item["priority"] = rule.priority
        item.update(settings_to_config(rule.settings))
        rules.append(item)
    if rules:
        table["policy"] = rules
    return {"sla": table}
