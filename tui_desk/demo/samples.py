"""The demo's people and texts, read from ``samples.json``: data to edit there, not code.

Every text is drawn by the generator with the seeded random source, in the order the file
gives: changing the file changes the demo data of every seed (screenshots, benchmarks).
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from .common import digits

_DATA: dict[str, Any] = json.loads(files(__package__).joinpath("samples.json").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Agent:
    name: str
    full_name: str
    department: str
    active: bool = True

    @property
    def email(self) -> str:
        return f"{self.name}@support.example.com"


# In a phone pattern: {d3} three random digits, {c:125} one of the characters, {r10} randrange(10).
_PHONE_PART = re.compile(r"\{(d\d+|c:[^}]+|r\d+)\}")


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    men: tuple[str, ...]
    women: tuple[str, ...]
    surnames: tuple[str, ...]  # "male|female" when the surname has two forms
    domains: tuple[str, ...]
    companies: tuple[str, ...]
    tld: str
    phone_pattern: str
    cities: tuple[str, ...]
    carriers: tuple[str, ...]
    greetings: tuple[str, ...]
    signoffs: tuple[str, ...]
    currency: str
    rate: float
    weight: int

    def phone(self, rng: random.Random) -> str:
        def part(match: re.Match[str]) -> str:
            spec = match.group(1)
            if spec[0] == "d":
                return digits(rng, int(spec[1:]))
            if spec[0] == "c":
                return str(rng.choice(spec[2:]))
            return str(rng.randrange(int(spec[1:])))

        return _PHONE_PART.sub(part, self.phone_pattern)


@dataclass(frozen=True)
class Topic:
    department: str
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    followups: tuple[str, ...]
    replies: tuple[str, ...]
    solutions: tuple[str, ...]
    notes: tuple[str, ...]
    tags: tuple[str, ...]


def _strings(key: str) -> tuple[str, ...]:
    return tuple(_DATA[key])


def _country(entry: dict[str, Any]) -> Country:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items() if k != "phone"}
    return Country(phone_pattern=entry["phone"], **fields)


AGENTS = [Agent(**entry) for entry in _DATA["agents"]]
DEPARTMENTS = [entry["name"] for entry in _DATA["departments"]]
DEPARTMENT_WEIGHTS = tuple((entry["name"], entry["weight"]) for entry in _DATA["departments"])
HELPERS: dict[str, list[str]] = {entry["name"]: entry["helpers"] for entry in _DATA["departments"]}
COUNTRIES = [_country(entry) for entry in _DATA["countries"]]


def _topic(entry: dict[str, Any]) -> Topic:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()}
    return Topic(**fields)


TOPICS = [_topic(entry) for entry in _DATA["topics"]]
# The customer's own language for the first message (the reply is in English).
NATIVE_TOPICS: dict[str, list[tuple[str, str, str]]] = {
    code: [(department, subject, body) for department, subject, body in entries]
    for code, entries in _DATA["native_topics"].items()
}
SPAM = [(subject, body) for subject, body in _DATA["spam"]]
SPAM_SENDERS: list[str] = _DATA["spam_senders"]
CHASERS = _strings("chasers")
THANKS = _strings("thanks")
COMEBACKS = _strings("comebacks")
WELCOMES = _strings("welcomes")
GENERIC_NOTES = _strings("generic_notes")
DUPLICATE_NOTES = _strings("duplicate_notes")
POSTPONE_NOTES = _strings("postpone_notes")
DELETE_BODIES = tuple((subject, body) for subject, body in _DATA["delete_bodies"])
PLANS = tuple((entry["name"], entry["price"]) for entry in _DATA["plans"])
PRODUCTS = _strings("products")
BROWSERS = _strings("browsers")
SYSTEMS = _strings("systems")
DEVICES = _strings("devices")
FEATURES = _strings("features")
ENDPOINTS = _strings("endpoints")
ERRORS = _strings("errors")
MONTHS = _strings("months")
# Tickets that test the UI: markup, escape sequences, very long text, scripts and emoji.
AWKWARD_TICKETS: list[dict[str, Any]] = _DATA["awkward_tickets"]
