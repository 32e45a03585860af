"""The demo's customers, and the particulars (order numbers, amounts...) their tickets mention."""

from __future__ import annotations

import random
import time
import unicodedata
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from .common import DAY, digits
from .samples import (
    BROWSERS,
    COUNTRIES,
    DEVICES,
    ENDPOINTS,
    ERRORS,
    FEATURES,
    HELPERS,
    MONTHS,
    PLANS,
    PRODUCTS,
    SYSTEMS,
    Country,
)

_COUNTRY_WEIGHTS = list(accumulate(c.weight for c in COUNTRIES))

_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "ß": "ss", "ø": "o", "'": "", "&": "", " ": ""})


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-")).lower()


@dataclass(slots=True)  # a million-ticket demo keeps a third of a million of them
class Customer:
    email: str
    name: str
    first: str
    phone: str | None
    company: str | None
    country: Country
    vip: bool
    number: int = -1  # its place among the demo's customers (see generate.Plays)


def _company_domain(company: str, tld: str) -> str:
    words = company.split()
    if len(words) > 1 and words[-1].rstrip(".").lower() in (
        "oü", "as", "srl", "sia", "d.o.o", "corp", "inc", "co", "ltd", "llc", "gmbh", "group"
    ):
        words = words[:-1]
    return _ascii("".join(words)).replace(".", "") + "." + tld


def make_customers(rng: random.Random, count: int) -> list[Customer]:
    customers: list[Customer] = []
    taken: set[str] = set()
    for _ in range(count):
        country = COUNTRIES[bisect(_COUNTRY_WEIGHTS, rng.random() * _COUNTRY_WEIGHTS[-1])]
        woman = rng.random() < 0.5
        first = rng.choice(country.women if woman else country.men)
        surname = rng.choice(country.surnames)
        if "|" in surname:
            surname = surname.split("|")[1 if woman else 0]
        name = f"{first} {surname}"
        company = rng.choice(country.companies) if rng.random() < 0.35 else None
        if company and rng.random() < 0.7:
            domain = _company_domain(company, country.tld)
        else:
            domain = rng.choice(country.domains)
        f, s = _ascii(first), _ascii(surname)
        local = rng.choice((f"{f}.{s}", f"{f}.{s}", f"{f}{s}", f"{f[0]}.{s}", f"{f}_{s}", f"{s}.{f}"))
        email = f"{local}@{domain}"
        while email in taken:
            email = f"{local}{rng.randint(2, 9999)}@{domain}"
        taken.add(email)
        phone = country.phone(rng) if rng.random() < 0.6 else None
        customers.append(Customer(email, name, first, phone, company, country, rng.random() < 0.03))
    return customers


class Details(dict):
    """The particulars of one ticket (order number, amount...), invented on first use."""

    def __init__(self, rng: random.Random, now: int, customer: Customer, department: str) -> None:
        super().__init__(first=customer.first, country=customer.country.name, currency=customer.country.currency)
        self.rng = rng
        self.now = now
        self.customer = customer
        self.department = department
        self.plan: tuple[str, int] | None = None

    def __missing__(self, key: str) -> str:
        value = self._make(key)
        self[key] = value
        return value

    def _make(self, key: str) -> str:
        r = self.rng
        country = self.customer.country
        if key == "plan":
            return self._plan()[0]
        if key == "amount":
            base = self._plan()[1] * r.choice((1, 1, 1, 2, 3, 12))
            return f"{base * country.rate:,.2f} {country.currency}"
        if key == "invoice":
            return f"INV-{time.gmtime(self.now).tm_year}-{r.randint(1000, 99999):05d}"
        if key in ("ref", "ref2"):
            return f"{r.getrandbits(40):010X}"
        if key == "card":
            return digits(r, 4)
        if key == "date":
            moment = time.gmtime(self.now - r.randint(2, 40) * DAY)
            return f"{moment.tm_mday} {MONTHS[moment.tm_mon - 1]}"
        if key == "order":
            return f"#{r.randint(100000, 999999)}"
        if key == "tracking":
            return f"{r.choice('JDRCL')}{r.choice('XYZ')}{digits(r, 9)}{country.code.upper()}"
        if key == "carrier":
            return r.choice(country.carriers)
        if key == "city":
            return r.choice(country.cities)
        if key == "product":
            return r.choice(PRODUCTS)
        if key in ("browser", "browser2"):
            return r.choice(BROWSERS)
        if key == "os":
            return r.choice(SYSTEMS)
        if key == "device":
            return r.choice(DEVICES)
        if key == "error":
            return r.choice(ERRORS)
        if key == "version":
            return f"{r.randint(3, 5)}.{r.randint(0, 12)}.{r.randint(0, 9)}"
        if key == "version2":
            major, minor, patch = self["version"].split(".")
            return f"{major}.{minor}.{int(patch) + 1}"
        if key == "row":
            return str(r.randint(12, 4800))
        if key == "seats":
            return str(r.choice((3, 5, 8, 12, 15, 20, 25, 40, 60, 120)))
        if key == "pct":
            return str(r.randint(12, 97))
        if key == "days":
            return str(r.randint(2, 9))
        if key == "feature":
            return r.choice(FEATURES)
        if key == "endpoint":
            return r.choice(ENDPOINTS)
        if key == "vat":
            return f"{country.code.upper()}{digits(r, 9)}"
        if key == "company_or_name":
            return self.customer.company or self.customer.name
        if key == "helper":
            return r.choice(HELPERS[self.department])
        raise KeyError(key)

    def _plan(self) -> tuple[str, int]:
        if self.plan is None:
            self.plan = self.rng.choice(PLANS)
        return self.plan
