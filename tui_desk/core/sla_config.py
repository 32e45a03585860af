"""The ``[sla]`` table of the config file: durations, settings, and writing it back.

Reading turns each table ([sla], [[sla.policy]]) into flat settings (hours keys unnested),
each value checked with a one-line error naming it; :func:`settings_to_config` writes
them back as :func:`parse_settings` reads them. :func:`config_text_with_sla` puts a changed
[sla] into the config file's text and keeps the rest of it, comments included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from ..domain.errors import InvalidInput
from ..i18n import _, ngettext, number
from .business_hours import (
    DAY_NAMES,
    HOURS_PARSERS,
    BusinessHours,
    bad_key,
    bad_value,
    format_time,
    zone_name,
)

TARGET_KEYS = ("first_response", "resolution")
HOURS_KEYS = ("days", "start", "end", "timezone", "holidays")
SETTING_KEYS = (*TARGET_KEYS, "near", *HOURS_KEYS)
_NONE_WORDS = ("none", "off", "no")


@dataclass(frozen=True)
class Duration:
    """A configured duration as written: minutes, business days and business weeks."""

    minutes: int = 0
    days: int = 0
    weeks: int = 0

    def seconds(self, hours: BusinessHours) -> int:
        return self.minutes * 60 + self.days * hours.day_seconds + self.weeks * hours.week_seconds

    def __str__(self) -> str:
        parts = []
        if self.weeks:
            parts.append(f"{self.weeks}w")
        if self.days:
            parts.append(f"{self.days}d")
        hours, minutes = divmod(self.minutes, 60)
        if hours:
            parts.append(f"{hours}h")
        if minutes:
            parts.append(f"{minutes}m")
        return " ".join(parts) or "0m"


_UNITS = {
    "m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
    "h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
    "d": "d", "day": "d", "days": "d",
    "w": "w", "wk": "w", "week": "w", "weeks": "w",
}  # fmt: skip
_DURATION_TEXT = re.compile(r"(?:\s*\d+\s*[a-z]+)+\s*")
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)")


def parse_duration(value: object, key: str = "duration", *, allow_zero: bool = False) -> Duration:
    """``"30m"``, ``"4h"``, ``"2d"``, ``"1w"``, ``"1d 4h"``, or an integer number of minutes."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_value(key, value, _("use a duration such as 30m, 4h, 2d, 1w or 1d 4h"))
    if isinstance(value, int):
        if value < 0:
            raise bad_value(key, value, _("a duration must not be negative"))
        duration = Duration(minutes=value)
    else:
        text = value.strip().lower()
        if text.startswith("-"):
            raise bad_value(key, value, _("a duration must not be negative"))
        if len(max(re.findall(r"\d+", text), key=len, default="")) > 15:
            raise too_long(key, value)  # and int() of a long enough digit string fails
        if text.isdigit():
            duration = Duration(minutes=int(text))
        elif _DURATION_TEXT.fullmatch(text):
            amounts = {"m": 0, "h": 0, "d": 0, "w": 0}
            for amount, unit in _DURATION_PART.findall(text):
                if unit not in _UNITS:
                    raise bad_value(
                        key, value, _("unknown unit {unit!r}: use m, h, d or w").format(unit=unit)
                    )
                amounts[_UNITS[unit]] += int(amount)
            duration = Duration(amounts["m"] + 60 * amounts["h"], amounts["d"], amounts["w"])
        else:
            raise bad_value(key, value, _("use a duration such as 30m, 4h, 2d, 1w or 1d 4h"))
    if not allow_zero and duration == Duration():
        raise bad_value(key, value, _('a target must be more than zero (use "none" for no target)'))
    if duration.seconds(BusinessHours.always()) > MAX_TARGET_YEARS * YEAR_SECONDS:
        raise too_long(key, value)
    return duration


# A target further than this cannot be meant, and counting business time towards it
# walks day by day: a due time centuries away would take long and then overflow.
MAX_TARGET_YEARS = 10
YEAR_SECONDS = 365 * 86400


def too_long(key: str, value: object) -> InvalidInput:
    return bad_value(key, value, ngettext(
        "too long: more than {n} year with these business hours", "too long: more than {n} years with these business hours",
        MAX_TARGET_YEARS).format(n=number(MAX_TARGET_YEARS)))


def calendar_seconds(business_seconds: int, hours: BusinessHours) -> float:
    """About how long in plain time a count of business seconds takes (holidays aside)."""
    return business_seconds / hours.week_seconds * 7 * 86400


def _parse_target(value: object, key: str) -> Duration | None:
    if value is False or (isinstance(value, str) and value.strip().lower() in _NONE_WORDS):
        return None
    return parse_duration(value, key)


def _parse_near(value: object, key: str) -> Duration | float:
    if isinstance(value, float):
        if not 0 <= value < 1:
            raise bad_value(key, value, _("a fraction must be from 0 up to (not including) 1"))
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*0?\.\d+\s*", value):  # "0.25" typed on the CLI
        return _parse_near(float(value), key)
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            percent = float(value.strip()[:-1])
        except ValueError:
            percent = -1.0
        if not 0 <= percent < 100:
            raise bad_value(key, value, _("use a percentage from 0% to 99%, or a duration such as 1h"))
        return percent / 100
    return parse_duration(value, key, allow_zero=True)


def parse_settings(
    table: Mapping[str, object], label: str, skip: tuple[str, ...]
) -> dict[str, object]:
    """The flat settings of one [sla] or [[sla.policy]] table (hours keys unnested)."""
    settings: dict[str, object] = {}
    for key, value in table.items():
        if key in skip:
            continue
        if key in TARGET_KEYS:
            settings[key] = _parse_target(value, f"{label}.{key}")
        elif key == "near":
            settings[key] = _parse_near(value, f"{label}.{key}")
        elif key == "hours":
            if not isinstance(value, Mapping):
                raise bad_key(
                    f"{label}.hours", _("must be a table ([{label}.hours])").format(label=label)
                )
            for hours_key, hours_value in value.items():
                if hours_key not in HOURS_PARSERS:
                    raise unknown_setting(f"{label}.hours.{hours_key}", HOURS_KEYS)
                settings[hours_key] = HOURS_PARSERS[hours_key](
                    hours_value, f"{label}.hours.{hours_key}"
                )
        else:
            known = (*TARGET_KEYS, "near", "hours", *skip)
            raise unknown_setting(f"{label}.{key}", known)
    return settings


def unknown_setting(key: str, known: Iterable[str]) -> InvalidInput:
    return bad_key(key, _("unknown setting (known: {known})").format(known=", ".join(known)))


def settings_to_config(settings: Mapping[str, object]) -> dict[str, object]:
    table: dict[str, object] = {}
    for key in TARGET_KEYS:
        if key in settings:
            value = settings[key]
            table[key] = "none" if value is None else str(value)
    if "near" in settings:
        near = settings["near"]
        table["near"] = near if isinstance(near, float) else str(near)
    hours: dict[str, object] = {}
    if "days" in settings:
        hours["days"] = [DAY_NAMES[d][:3] for d in sorted(cast("frozenset[int]", settings["days"]))]
    if "start" in settings:
        hours["start"] = format_time(settings["start"])  # type: ignore[arg-type]
    if "end" in settings:
        hours["end"] = format_time(settings["end"], end=True)  # type: ignore[arg-type]
    if "timezone" in settings:
        hours["timezone"] = zone_name(settings["timezone"])  # type: ignore[arg-type]
    if "holidays" in settings:
        hours["holidays"] = [d.isoformat() for d in sorted(cast("frozenset[date]", settings["holidays"]))]
    if hours:
        table["hours"] = hours
    return table


def config_text_with_sla(
    text: str, before: Mapping[str, object], after: Mapping[str, object], *, in_place: bool = True
) -> str:
    """The config file's ``text`` with its [sla] changed from ``before`` to ``after``.

    Both tables are as :func:`settings_to_config` writes them. Only what changed is written:
    a setting the user spelled another way (``days = "mon-fri"``) keeps its spelling while it
    means the same, and comments stay where they are. With ``in_place`` false the old [sla]
    goes and a fresh one is written at the end (for layouts the in-place edit cannot follow,
    such as dotted ``sla.x = ...`` keys; the caller checks). Raises tomlkit's errors on bad TOML.
    """
    import tomlkit  # only to write: reading the config (every command) starts without it

    document = tomlkit.parse(text)
    current = document.get("sla")
    if not in_place and current is not None:
        del document["sla"]
        current = None
    if not after:
        if current is not None:
            del document["sla"]
    elif isinstance(current, dict):  # a tomlkit table is a dict
        _sync(current, before, after)
    else:
        if document.body:
            document.add(tomlkit.nl())
        document["sla"] = dict(after)
    return tomlkit.dumps(document)


def _sync(table: MutableMapping[str, Any], before: Mapping[str, object], after: Mapping[str, object]) -> None:
    """Make ``table`` say ``after`` where ``after`` differs from ``before``; leave the rest as written."""
    for key in [key for key in table if key not in after]:
        del table[key]
    for key, value in after.items():
        old = before.get(key)
        present = table.get(key)
        if present is not None and old == value:
            continue
        if isinstance(value, Mapping) and isinstance(old, Mapping) and isinstance(present, dict):
            _sync(present, old, value)
            continue
        if (
            isinstance(value, list)
            and isinstance(old, list)
            and isinstance(present, list)
            and len(value) == len(old) == len(present)
            and all(isinstance(item, Mapping) for item in (*value, *old))
            and all(isinstance(item, dict) for item in present)
        ):  # [[sla.policy]] tables, one for one: each keeps its comments
            for item, was, now in zip(present, old, value, strict=True):
                _sync(item, was, now)
            continue
        if _sync_policies(present, old, value):
            continue
        if present is None and isinstance(value, list) and all(isinstance(item, Mapping) for item in value):
            import tomlkit

            tables = tomlkit.aot()  # a first [[sla.policy]]
            for item in value:
                tables.append(_new_table(item))
            value = tables
        table[key] = value


def _new_table(settings: Mapping[str, object]) -> Any:
    """A table set apart from the next one by a blank line, as hand-written ones are."""
    import tomlkit

    added = tomlkit.table()
    added.update(settings)
    added.add(tomlkit.nl())
    return added


def _policy_key(item: Mapping[str, object]) -> tuple[object, object]:
    return item.get("department"), item.get("priority")


def _sync_policies(present: object, old: object, value: object) -> bool:
    """[[sla.policy]] tables after `sla set` added one at the end or `sla unset` emptied some.

    The tables that stay are changed in place and keep their comments; a new one is
    appended, set apart from the next table by a blank line. False when the change is
    not of that kind (the caller then writes the whole list).
    """
    if not (
        isinstance(present, list)
        and isinstance(old, list)
        and isinstance(value, list)
        and len(present) == len(old)
        and all(isinstance(item, Mapping) for item in (*old, *value))
        and all(isinstance(item, dict) for item in present)
    ):
        return False
    old_keys = [_policy_key(item) for item in old]
    new_keys = [_policy_key(item) for item in value]
    kept = [key for key in old_keys if key in new_keys]
    if len(set(old_keys)) != len(old_keys) or len(set(new_keys)) != len(new_keys) or new_keys[: len(kept)] != kept:
        return False
    for index in reversed(range(len(old))):
        if old_keys[index] not in new_keys:
            del present[index]
    staying = [item for item in old if _policy_key(item) in new_keys]
    for item, was, now in zip(present, staying, value, strict=False):
        _sync(item, was, now)
    for now in value[len(kept) :]:
        present.append(_new_table(now))
    return True
