"""Realistic, deterministic sample data: `tui-desk demo` and the benchmarks.

Each demo ticket is the result of a plausible sequence of help desk actions
(a customer writes, an agent triages, answers, resolves, postpones...). The
sequence is played on an in-memory copy of the ticket that follows
TicketService's rules exactly (same allowed transitions, same columns, same
events, one version per call; tests/test_demo.py replays every demo ticket
through the real service to prove it), and the results are then written in
bulk: one transaction, one batched ``executemany`` per table. So the store
looks as if the service had produced it, at a fraction of the cost (100,000
tickets in about half a minute on a small machine, instead of hours of
one-row transactions).

Everything comes from ``random.Random(seed)`` and times are relative to
``now``: the same seed and ``now`` give the same data.
"""

from __future__ import annotations

import random
import time
import unicodedata
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate, chain
from math import log
from typing import Any, NamedTuple

from .core.lifecycle import (
    CUSTOMER_REOPENS,
    POSTPONE_FROM,
    REOPEN_FROM,
    REPLY_FROM,
    RESOLVE_FROM,
    RESTORE_FROM,
    TicketService,
)
from .domain.clock import system_clock
from .domain.models import BUILTIN_MEANINGS, Meaning, Priority
from .store import Store
from .store.writes import bucket_for, sort_key_for

MINUTE = 60
HOUR = 3600
DAY = 86400
SPAN = 42 * DAY  # tickets are spread over the six weeks before `now`

_MEANINGS: dict[str, Meaning] = {str(k): v for k, v in BUILTIN_MEANINGS.items()}
_RANKS = {p.value: p.rank for p in Priority}


_DAYS: dict[int, str] = {}
_DAY_OF: dict[str, int] = {}
_CLOCK_TIMES: list[str] = []  # "HH:MM:SSZ" for every second of a day, made on first use


def _text(epoch: int) -> str:
    """The stored time format (clock.to_text), without building datetimes (it is called a lot)."""
    day, second = divmod(epoch, DAY)
    prefix = _DAYS.get(day)
    if prefix is None:
        prefix = _DAYS[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * DAY))
        _DAY_OF[prefix] = day
        if not _CLOCK_TIMES:
            _CLOCK_TIMES.extend(f"{s // HOUR:02d}:{s // MINUTE % 60:02d}:{s % 60:02d}Z" for s in range(DAY))
    return prefix + _CLOCK_TIMES[second]


class _Random(random.Random):
    """random.Random with a quicker choice and randint (called hundreds of thousands of times)."""

    def choice(self, seq):  # type: ignore[no-untyped-def, override]
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


# ---------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Agent:
    name: str
    full_name: str
    department: str
    active: bool = True

    @property
    def email(self) -> str:
        return f"{self.name}@support.example.com"


AGENTS = [
    _Agent("alice", "Alice Kovač", "Technical"),
    _Agent("kristjan", "Kristjan Tamm", "Technical"),
    _Agent("bogdan", "Bogdan Ionescu", "Billing"),
    _Agent("tom", "Tom Whitaker", "Billing"),
    _Agent("ieva", "Ieva Ozoliņa", "Sales"),
    _Agent("maricel", "Maricel Dizon", "Shipping"),
    # Left the team three weeks ago: older tickets still carry her name.
    _Agent("petra", "Petra Jurić", "Shipping", active=False),
]
_FORMER_UNTIL = 21 * DAY  # petra took tickets created more than this long ago

DEPARTMENTS = ["Billing", "Technical", "Sales", "Shipping"]
_DEPARTMENT_WEIGHTS = (("Billing", 30), ("Technical", 35), ("Sales", 12), ("Shipping", 23))
_HELPERS = {"Billing": ["tom"], "Technical": ["alice"], "Sales": ["tom"], "Shipping": ["ieva"]}


@dataclass(frozen=True)
class _Country:
    code: str
    name: str
    men: tuple[str, ...]
    women: tuple[str, ...]
    surnames: tuple[str, ...]  # "male|female" when the surname has two forms
    domains: tuple[str, ...]
    companies: tuple[str, ...]
    tld: str
    phone: Callable[[random.Random], str]
    cities: tuple[str, ...]
    carriers: tuple[str, ...]
    greetings: tuple[str, ...]
    signoffs: tuple[str, ...]
    currency: str
    rate: float
    weight: int


def _digits(rng: random.Random, n: int) -> str:
    return str(int(rng.random() * 10**n)).zfill(n)


COUNTRIES: list[_Country] = [
    _Country(
        "ee", "Estonia",
        ("Kristjan", "Märt", "Tõnu", "Jüri", "Rasmus", "Andres", "Siim", "Peeter", "Priit", "Kaarel", "Ott", "Mihkel"),
        ("Mari", "Liis", "Kärt", "Triin", "Katrin", "Kadri", "Helen", "Piret", "Maarja", "Ülle", "Getter", "Eliise"),
        ("Tamm", "Saar", "Mägi", "Kask", "Õunapuu", "Sepp", "Kuusk", "Pärn", "Kõiv", "Lepik", "Rebane", "Ilves",
         "Oja", "Raudsepp", "Kukk", "Järv", "Rätsep", "Männik"),
        ("gmail.com", "mail.ee", "hot.ee", "online.ee"),
        ("Põhjala Puit OÜ", "Tartu Tarkvara OÜ", "Saaremaa Kalatööstus AS", "Emajõe Ehitus OÜ", "Läänemere Logistika AS"),
        "ee", lambda r: f"+372 5{_digits(r, 3)} {_digits(r, 4)}",
        ("Tallinn", "Tartu", "Pärnu", "Narva", "Viljandi", "Kuressaare"),
        ("Omniva", "DPD", "Smartpost"),
        ("Tere!", "Tere,", "Hello,"), ("Parimate soovidega,", "Aitäh,", "Tervitades,"),
        "EUR", 1.0, 13,
    ),
    _Country(
        "ro", "Romania",
        ("Andrei", "Mihai", "Ștefan", "Cătălin", "Răzvan", "Ion", "Alexandru", "Bogdan", "Florin", "Vlad", "Tudor", "Radu"),
        ("Ioana", "Alexandra", "Raluca", "Bianca", "Elena", "Diana", "Andreea", "Cristina", "Mădălina", "Irina", "Oana", "Simona"),
        ("Popescu", "Ionescu", "Dumitrescu", "Stănescu", "Constantinescu", "Munteanu", "Rădulescu", "Gheorghiu",
         "Țăranu", "Mureșan", "Pîrvu", "Lupașcu", "Georgescu", "Stoica", "Văduva", "Nistor"),
        ("gmail.com", "yahoo.ro", "yahoo.com", "outlook.com"),
        ("Carpați Logistic SRL", "Brașov Design SRL", "Dunărea Agro SRL", "Cluj Soft Solutions SRL", "Timiș Mobila SRL"),
        "ro", lambda r: f"+40 7{_digits(r, 2)} {_digits(r, 3)} {_digits(r, 3)}",
        ("București", "Cluj-Napoca", "Iași", "Timișoara", "Brașov", "Constanța"),
        ("Fan Courier", "Sameday", "Cargus", "DPD"),
        ("Bună ziua,", "Hello,", "Salut,"), ("Mulțumesc,", "Cu stimă,", "Thanks,"),
        "RON", 4.97, 15,
    ),
    _Country(
        "lv", "Latvia",
        ("Jānis", "Pēteris", "Mārtiņš", "Kārlis", "Edgars", "Andris", "Raimonds", "Gatis", "Ģirts", "Uldis"),
        ("Anna", "Līga", "Ilze", "Dace", "Inese", "Zane", "Kristīne", "Laura", "Agnese", "Sanita"),
        ("Bērziņš|Bērziņa", "Kalniņš|Kalniņa", "Ozoliņš|Ozoliņa", "Liepiņš|Liepiņa", "Krūmiņš|Krūmiņa",
         "Zariņš|Zariņa", "Vītols|Vītola", "Jansons|Jansone", "Eglītis|Eglīte", "Šmits|Šmite", "Ķēniņš|Ķēniņa",
         "Pētersons|Pētersone", "Ābols|Ābola"),
        ("gmail.com", "inbox.lv", "apollo.lv", "outlook.com"),
        ("Daugava Print SIA", "Rīgas Mēbeles SIA", "Gaujas Koks SIA", "Kurzemes Piens SIA", "Baltic Lāzeri SIA"),
        "lv", lambda r: f"+371 2{_digits(r, 3)} {_digits(r, 4)}",
        ("Rīga", "Daugavpils", "Liepāja", "Jelgava", "Ventspils", "Cēsis"),
        ("Omniva", "DPD", "Latvijas Pasts"),
        ("Labdien!", "Labdien,", "Hello,"), ("Ar cieņu,", "Paldies,", "Best regards,"),
        "EUR", 1.0, 11,
    ),
    _Country(
        "hr", "Croatia",
        ("Ivan", "Marko", "Luka", "Tomislav", "Josip", "Dario", "Željko", "Matej", "Krešimir", "Ante", "Nikola", "Zvonimir"),
        ("Ana", "Petra", "Maja", "Ivana", "Katarina", "Mateja", "Đurđica", "Lucija", "Marija", "Nikolina", "Snježana", "Tena"),
        ("Horvat", "Kovačević", "Babić", "Marić", "Jurić", "Novak", "Knežević", "Vuković", "Marković", "Petrović",
         "Perić", "Šarić", "Tomić", "Grgić", "Božić", "Pavlović", "Šimić", "Đurić"),
        ("gmail.com", "t-com.hr", "net.hr", "yahoo.com"),
        ("Jadran Tours d.o.o.", "Zagrebačka Pekara d.o.o.", "Slavonija Drvo d.o.o.", "Istra Vina d.o.o.", "Dalmacija Solar d.o.o."),
        "hr", lambda r: f"+385 9{r.choice('12589')} {_digits(r, 3)} {_digits(r, 4)}",
        ("Zagreb", "Split", "Rijeka", "Osijek", "Zadar", "Pula"),
        ("Hrvatska pošta", "GLS", "Overseas Express", "DPD"),
        ("Poštovani,", "Pozdrav,", "Hello,"), ("Lijep pozdrav,", "Hvala,", "Srdačan pozdrav,"),
        "EUR", 1.0, 13,
    ),
    _Country(
        "ph", "the Philippines",
        ("Jose", "Juan", "Rafael", "Mark", "Niño", "Paolo", "Jericho", "Carlo", "Renato", "Emmanuel", "Miguel", "Ramon"),
        ("Maria", "Cristina", "Angelica", "Jocelyn", "Maricel", "Rowena", "Kristine", "Liza", "Rosario", "Jasmine", "Precious", "Ligaya"),
        ("Santos", "Reyes", "dela Cruz", "Bautista", "Ocampo", "Mendoza", "Garcia", "Villanueva", "Aquino", "Peña",
         "Nuñez", "Muñoz", "Dimaculangan", "Macaraeg", "Magbanua", "Pangilinan", "Lacson", "Dizon"),
        ("gmail.com", "yahoo.com.ph", "yahoo.com", "outlook.ph"),
        ("Mabuhay Trading Corp.", "Cebu Digital Inc.", "Davao Fresh Produce Inc.", "Makati BPO Services Inc.", "Ilocos Crafts Co."),
        "ph", lambda r: f"+63 9{_digits(r, 2)} {_digits(r, 3)} {_digits(r, 4)}",
        ("Manila", "Quezon City", "Cebu City", "Davao City", "Makati", "Iloilo City"),
        ("LBC Express", "J&T Express", "2GO", "PHLPost"),
        ("Hi po,", "Good day!", "Hello po,", "Magandang araw po,"), ("Thank you po,", "Salamat,", "Regards,"),
        "PHP", 63.0, 15,
    ),
    _Country(
        "gb", "the United Kingdom",
        ("Oliver", "George", "Harry", "Jack", "Charlie", "Thomas", "James", "William"),
        ("Olivia", "Amelia", "Isla", "Emily", "Sophie", "Grace", "Charlotte", "Hannah"),
        ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "O'Brien", "Hughes", "Patel", "Wright"),
        ("gmail.com", "outlook.com", "btinternet.com", "yahoo.co.uk"),
        ("Thames Valley Prints Ltd", "Northern Lights Bakery Ltd", "Kestrel Analytics Ltd", "Harbour & Finch Ltd"),
        "co.uk", lambda r: f"+44 7{_digits(r, 3)} {_digits(r, 6)}",
        ("London", "Manchester", "Leeds", "Bristol", "Edinburgh", "Cardiff"),
        ("Royal Mail", "DPD", "Evri", "UPS"),
        ("Hello,", "Hi,", "Hi there,", "Dear support,"), ("Thanks,", "Kind regards,", "Best,", "Cheers,"),
        "GBP", 0.85, 10,
    ),
    _Country(
        "us", "the United States",
        ("Michael", "David", "Chris", "Daniel", "Matthew", "Ryan", "Kevin", "Brian"),
        ("Jessica", "Ashley", "Emily", "Sarah", "Megan", "Lauren", "Rachel", "Nicole"),
        ("Johnson", "Miller", "Davis", "Rodriguez", "Martinez", "Anderson", "Jackson", "Thompson", "Nguyen", "Kim", "Lee", "Clark"),
        ("gmail.com", "yahoo.com", "outlook.com", "icloud.com"),
        ("Redwood Analytics LLC", "Lakeside Dental Group", "Blue Mesa Outfitters Inc.", "Summit Ridge Realty LLC"),
        "com", lambda r: f"+1 ({_digits(r, 3)}) {_digits(r, 3)}-{_digits(r, 4)}",
        ("Austin", "Chicago", "Seattle", "Denver", "Boston", "Portland"),
        ("UPS", "FedEx", "USPS"),
        ("Hi,", "Hello,", "Hey team,"), ("Thanks,", "Best,", "Thanks in advance,"),
        "USD", 1.08, 10,
    ),
    _Country(
        "de", "Germany",
        ("Jürgen", "Lukas", "Maximilian", "Stefan", "Tobias", "Jörg", "Felix", "Matthias"),
        ("Lena", "Anna", "Julia", "Sabine", "Katrin", "Jana", "Miriam", "Birgit"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Schäfer", "Becker", "Hoffmann", "Köhler", "Groß"),
        ("gmail.com", "web.de", "gmx.de", "t-online.de"),
        ("Bäckerei Sonnenschein GmbH", "Nordlicht Maschinenbau GmbH", "Rheinblick Medien GmbH", "Alpenglück Reisen GmbH"),
        "de", lambda r: f"+49 15{r.randrange(10)} {_digits(r, 8)}",
        ("Berlin", "Hamburg", "München", "Köln", "Leipzig", "Düsseldorf"),
        ("DHL", "Hermes", "DPD"),
        ("Hallo,", "Guten Tag,", "Hello,"), ("Viele Grüße,", "Danke,", "Beste Grüße,"),
        "EUR", 1.0, 8,
    ),
]
_COUNTRY_WEIGHTS = list(accumulate(c.weight for c in COUNTRIES))

_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "ß": "ss", "ø": "o", "'": "", "&": "", " ": ""})


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii() and (c.isalnum() or c in ".-")).lower()


@dataclass
class _Customer:
    email: str
    name: str
    first: str
    phone: str | None
    company: str | None
    country: _Country
    vip: bool
    created_at: int = 0


def _company_domain(company: str, tld: str) -> str:
    words = company.split()
    if len(words) > 1 and words[-1].rstrip(".").lower() in (
        "oü", "as", "srl", "sia", "d.o.o", "corp", "inc", "co", "ltd", "llc", "gmbh", "group"
    ):
        words = words[:-1]
    return _ascii("".join(words)).replace(".", "") + "." + tld


def _make_customers(rng: random.Random, count: int) -> list[_Customer]:
    customers: list[_Customer] = []
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
        customers.append(_Customer(email, name, first, phone, company, country, rng.random() < 0.03))
    return customers


# ---------------------------------------------------------------------------------------
# What people write
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Topic:
    department: str
    subjects: tuple[str, ...]
    openings: tuple[str, ...]
    followups: tuple[str, ...]
    replies: tuple[str, ...]
    solutions: tuple[str, ...]
    notes: tuple[str, ...]
    tags: tuple[str, ...]


def _topic(department: str, tags: str, **texts: tuple[str, ...]) -> _Topic:
    return _Topic(department=department, tags=tuple(tags.split()), **texts)


TOPICS = [
    # -- Billing ------------------------------------------------------------------------
    _topic(
        "Billing", "refund invoice",
        subjects=("Charged twice for the {plan} plan", "Double charge on my card ({amount})",
                  "Duplicate payment for invoice {invoice}"),
        openings=("I was charged twice for my {plan} subscription this month: two payments of {amount} on {date}. "
                  "My bank statement shows both. Please refund the duplicate charge.",
                  "Looking at my card statement, invoice {invoice} was paid twice ({amount} each, card ending {card}). "
                  "Can you check and refund one of them?"),
        followups=("I checked again and the second payment is still there, it is not pending. Card ends in {card}.",
                   "Any news on the refund? It is still not on my statement and it has been {days} days."),
        replies=("Thanks for reporting this. I can see two payments for invoice {invoice}: the second one was a retry "
                 "after a timeout at our payment provider. I have started a refund of {amount} to the card ending in {card}.",
                 "Sorry about the double charge. Could you tell me the last four digits of the card and the date of both "
                 "payments? I cannot find a second payment for invoice {invoice} yet."),
        solutions=("The refund of {amount} (reference {ref}) has been processed on our side. Depending on your bank it "
                   "takes 3-5 business days to show on your statement.",),
        notes=("Payment provider shows two captures 40 s apart for {invoice}; refund issued, ref {ref}.",
               "Known issue with retries on 3-D Secure timeouts, see the billing runbook."),
    ),
    _topic(
        "Billing", "invoice",
        subjects=("Invoice {invoice} has the wrong company name", "Please add our VAT number to invoice {invoice}",
                  "Wrong billing address on invoice"),
        openings=("Our invoice {invoice} is issued to the wrong company name. It should be {company_or_name}, VAT number "
                  "{vat}. Our accounting cannot book it like this. Can you issue a corrected invoice?",
                  "The invoice for {date} does not show our VAT number ({vat}), so we cannot reclaim the VAT. "
                  "Please reissue it with the VAT number and our address in {city}."),
        followups=("The corrected invoice still shows the old address. The street should be in {city}.",
                   "Thanks, but could you also change the invoice e-mail to our accounting mailbox?"),
        replies=("I have updated the billing details on your account and reissued invoice {invoice} with VAT number "
                 "{vat}. You can download it under Settings > Billing > Invoices.",
                 "Happy to fix that. Please confirm the exact legal name and VAT number you want on the invoice, and "
                 "I will reissue it today."),
        solutions=("Done: the corrected invoice {invoice} is attached to your account and all future invoices will use "
                   "the new details.",),
        notes=("Reissued {invoice} as a credit note + new invoice, as the original was already sent to the tax office.",),
    ),
    _topic(
        "Billing", "invoice",
        subjects=("Need a copy of invoice {invoice}", "Where can I download my invoices?",
                  "Invoices for the last quarter"),
        openings=("Could you send me a PDF copy of invoice {invoice}? I cannot find it in my mailbox.",
                  "Our accountant needs all invoices from the last three months. Where can I download them in one go?"),
        followups=("The download link says 'expired'. Can you send it as an attachment instead?",
                   "I only see invoices until {date} there, the newer ones are missing."),
        replies=("All invoices are under Settings > Billing > Invoices, where you can download them one by one or as "
                 "a ZIP. I have also attached invoice {invoice} to this reply.",
                 "I have sent the invoices to your billing e-mail address. Let me know if anything is missing."),
        solutions=("I have attached the missing invoices. The download page now lists them too.",),
        notes=("Invoice e-mails to this domain bounce, asked the customer for another address.",),
    ),
    _topic(
        "Billing", "refund",
        subjects=("Cancel my subscription and refund the last payment", "Refund request for the {plan} plan",
                  "I did not want the subscription to renew"),
        openings=("My {plan} subscription renewed on {date} and I was charged {amount}. I had meant to cancel it and "
                  "have not used the service since. Please cancel and refund the renewal.",
                  "Please cancel our account. We moved to another tool last month. Is a refund possible for the "
                  "unused period?"),
        followups=("I have not logged in since the renewal, you can check. I would appreciate the refund.",
                   "Thanks. Will I still have access to export our data after cancelling?"),
        replies=("I have cancelled the subscription; it will not renew again. As the renewal was {days} days ago and the "
                 "account has not been used, I have refunded {amount}.",
                 "I can cancel it right away. Our policy allows a full refund within 14 days of renewal; I will check "
                 "the usage and come back to you."),
        solutions=("The subscription is cancelled and {amount} was refunded (reference {ref}). Your data stays "
                   "available for export for 30 days.",),
        notes=("Renewal {days} days ago, no logins since; approved the refund as goodwill.",),
    ),
    _topic(
        "Billing", "payment",
        subjects=("Payment failed with card ending {card}", "Card declined when upgrading to {plan}",
                  "Cannot pay invoice {invoice}"),
        openings=("I tried to pay invoice {invoice} three times today and the card ending {card} is declined every "
                  "time. The bank says they see no attempt at all.",
                  "When I try to upgrade to the {plan} plan the payment page shows 'card declined'. The card works "
                  "everywhere else."),
        followups=("Tried again with another card, same error. Could I pay by bank transfer instead?",
                   "My bank confirmed there is no block on their side."),
        replies=("The payment provider rejected the attempts because the 3-D Secure check timed out. Could you try again "
                 "in a private browser window? If that fails, bank transfer to the details on the invoice works too.",
                 "I see the declined attempts. They failed with 'do not honour', which comes from the card issuer. "
                 "You can also pay invoice {invoice} by bank transfer."),
        solutions=("Your payment of {amount} for invoice {invoice} has arrived, thank you. The account is up to date.",),
        notes=("3DS challenge failing for cards from this issuer since {date}; reported to the provider.",),
    ),
    _topic(
        "Billing", "invoice pricing",
        subjects=("Prices shown in USD instead of {currency}", "Why did my invoice go up to {amount}?",
                  "Unexpected charge on invoice {invoice}"),
        openings=("This month's invoice {invoice} is {amount}, higher than before, and I cannot see why. We did not add "
                  "any users. Can you explain the charge?",
                  "The pricing page and the invoice show US dollars, but we are in {country} and were billed in "
                  "{currency} before."),
        followups=("So the extra charge is for the two users added on {date}? Those were removed the same day.",
                   "Can you switch the account currency back? Our bookkeeping is in {currency}."),
        replies=("The difference comes from two extra seats that were active on {date}; seats are billed for the whole "
                 "month. I have credited them back as they were removed the same day.",
                 "The currency follows the billing country of the account; it had changed to the US after a profile "
                 "update. I have set it back to {country}, so the next invoice will be in {currency}."),
        solutions=("A credit note for the difference has been added to your account and will be used on the next "
                   "invoice.",),
        notes=("Proration bug when seats are removed within 24 h, see BILL-{row}.",),
    ),
    _topic(
        "Billing", "invoice",
        subjects=("Reminder says invoice {invoice} is overdue but we paid it", "Paid invoice still marked unpaid"),
        openings=("We received a reminder that invoice {invoice} ({amount}) is overdue, but we paid it by bank transfer "
                  "on {date}. Please check, the transfer reference was {ref}.",
                  "Invoice {invoice} still shows as unpaid in the portal though the money left our account on {date}."),
        followups=("Attached is the bank confirmation of the transfer.",
                   "Please make sure the account is not suspended while you check this."),
        replies=("Thank you, I found the transfer: it arrived without the invoice number, so it was not matched "
                 "automatically. I have matched it now and the reminder can be ignored.",
                 "I have asked our finance team to look for the transfer with reference {ref}. Your account will not "
                 "be suspended in the meantime."),
        solutions=("Invoice {invoice} is now marked as paid. Sorry for the unnecessary reminder.",),
        notes=("Transfer found in the suspense account, matched by hand.",),
    ),
    # -- Technical ----------------------------------------------------------------------
    _topic(
        "Technical", "login",
        subjects=("Cannot log in after password reset", "Login loop on {browser}", "2FA codes not accepted",
                  "Locked out of my account"),
        openings=("After resetting my password I cannot log in: the page just reloads and shows the login form again. "
                  "I use {browser} on {os}.",
                  "My two-factor codes are rejected as invalid since this morning. The phone clock is correct. "
                  "I am completely locked out."),
        followups=("I cleared the cookies as suggested, still the same loop.",
                   "I tried from another computer with {browser2}, same result.",
                   "The recovery codes are not accepted either."),
        replies=("Sorry for the trouble. Could you try in a private window, or clear the cookies for our site? A stale "
                 "session cookie after a password reset can cause exactly this loop.",
                 "I have reset the two-factor setup on your account. Log in with your password and you will be asked "
                 "to scan a new QR code."),
        solutions=("We found the cause: your account was still tied to an old single sign-on setting. I removed it and "
                   "you should be able to log in normally now.",),
        notes=("Session store shows {row} failed logins from the same IP, not an attack, just the loop.",
               "2FA secret was rotated by the customer's admin on {date}."),
    ),
    _topic(
        "Technical", "bug sync",
        subjects=("Sync fails with error {error}", "Data not syncing between devices", "Sync stuck at {pct}%"),
        openings=("Since yesterday the desktop app does not sync. It stops at {pct}% with error {error}. "
                  "I am on version {version} on {os}.",
                  "Changes made on my phone do not show up on the laptop any more, and vice versa. No error message."),
        followups=("I reinstalled the app as you suggested, still error {error}.",
                   "Here is the log file from the app folder, hopefully it helps."),
        replies=("Thanks for the details. Error {error} means the local cache is out of step with the server. Could "
                 "you sign out, sign in again and let it sync once more?",
                 "Could you send us the log file? On {os} it is in the app's data folder under logs/sync.log."),
        solutions=("Version {version2} with the fix for error {error} is now available; after updating, the sync "
                   "completes normally.",),
        notes=("Reproduced with a large attachment in the queue; engineering ticket ENG-{row}.",
               "Same stack trace as three other tickets this week."),
    ),
    _topic(
        "Technical", "bug",
        subjects=("App crashes when exporting to PDF", "Crash on startup after update to {version}",
                  "Export to Excel produces empty file"),
        openings=("Every time I export a report to PDF the app closes without any message. I am on {os}, app version "
                  "{version}.",
                  "After the update to {version} the app crashes right after the splash screen. I cannot work at all."),
        followups=("It also happens with a brand new report, so it is not the data.",
                   "Is there a way to go back to the previous version in the meantime?"),
        replies=("I am sorry about that. We have reproduced the crash with reports that contain images; the team is "
                 "working on a fix. As a workaround, export to HTML and print to PDF from the browser.",
                 "Could you send a crash report? It should be on your desktop as crash-report.txt."),
        solutions=("The fix is in version {version2}, released today. Please update and let us know if it still "
                   "crashes.",),
        notes=("Crash in the PDF renderer with CMYK images, ENG-{row}.",),
    ),
    _topic(
        "Technical", "performance",
        subjects=("Dashboard very slow since yesterday", "Reports take minutes to load", "Search is timing out"),
        openings=("The dashboard takes over {pct} seconds to load since yesterday. It used to be instant. We have about "
                  "{seats} users on the account.",
                  "Searching for anything gives 'request timed out' after a while. It worked fine last week."),
        followups=("It is faster now in the morning but slow again after lunch.",
                   "Our whole team in {city} sees the same."),
        replies=("Thanks for letting us know. We had a database issue in the EU region yesterday; it should be much "
                 "better now. Could you check again?",
                 "I can see the slow requests on your account. We are looking into it and I will update you today."),
        solutions=("We rebuilt the search index for your account; searches now return in under a second.",),
        notes=("Account has an unusually large number of archived projects, index rebuild scheduled.",),
    ),
    _topic(
        "Technical", "api bug",
        subjects=("API returns 500 on {endpoint}", "Webhook not delivered since {date}", "API rate limit too low"),
        openings=("Our integration gets HTTP 500 from {endpoint} for about one request in ten. The request id of the "
                  "last one was {ref}.",
                  "The order webhook stopped reaching our server on {date}. Nothing changed on our side and the "
                  "endpoint answers fine to curl."),
        followups=("Still happening, here are a few more request ids: {ref}, {ref2}.",
                   "Can you tell us which IP addresses the webhooks come from, so we can allow them?"),
        replies=("Thanks for the request ids. The errors come from a timeout when the payload has more than 1,000 "
                 "lines; we are raising the limit. Meanwhile, paging the request avoids it.",
                 "The webhook was disabled automatically after repeated TLS errors on your endpoint. I have re-enabled "
                 "it; the failed deliveries will be retried within the hour."),
        solutions=("The fix for {endpoint} has been deployed; we see no more errors for your account.",),
        notes=("Certificate chain on the customer's endpoint is missing the intermediate.",),
    ),
    _topic(
        "Technical", "email",
        subjects=("Notification e-mails not arriving", "Password reset e-mail never comes",
                  "Our customers do not get the order confirmation e-mails"),
        openings=("None of our users have received notification e-mails since {date}. Spam folders are empty too.",
                  "I requested a password reset five times and never received the e-mail. My address is correct."),
        followups=("We checked with our IT, nothing is blocked on our side.",
                   "Some e-mails arrived now, but hours late."),
        replies=("Our mail log shows the messages were rejected by your mail server with 'mailbox full'. Could you "
                 "check with your IT team?",
                 "I have added your domain to our sending allow list and resent the last e-mails. Please check whether "
                 "they arrive."),
        solutions=("The e-mails are being delivered again; the block at the receiving server was lifted.",),
        notes=("Our sending IP was listed on a blocklist on {date}, delisted since.",),
    ),
    _topic(
        "Technical", "import bug",
        subjects=("CSV import stops at row {row}", "Import fails with 'invalid date'", "Special characters broken after import"),
        openings=("Importing our customer list from CSV stops at row {row} with 'unexpected value'. The file has about "
                  "{seats}00 rows and was exported from Excel.",
                  "After importing, names like Šimić or Bērziņa show up as garbage characters. The file is UTF-8."),
        followups=("I saved the file as UTF-8 again, same problem.", "Attached is the first part of the file."),
        replies=("The import expects dates as YYYY-MM-DD; row {row} has 03/04/2024, which is ambiguous. If you change "
                 "the date column format in Excel the import will go through.",
                 "Excel adds a byte order mark that our importer did not expect. We are fixing that; meanwhile, saving "
                 "as 'CSV UTF-8' from Google Sheets works."),
        solutions=("The importer now accepts both date formats and the byte order mark; your file imports cleanly.",),
        notes=("Same BOM issue as the other import tickets; fix in the next release.",),
    ),
    _topic(
        "Technical", "mobile bug",
        subjects=("Mobile app won't open on {device}", "Push notifications stopped on {device}",
                  "Mobile app logs me out every day"),
        openings=("The app closes immediately after opening on my {device} since the last update ({version}).",
                  "I no longer get push notifications on my {device}, though they are enabled in the settings."),
        followups=("I reinstalled it, no change.", "My colleague has the same phone and the app works for her."),
        replies=("Thanks. We have a fix for {device} in version {version2}, which is in review at the app store and "
                 "should be out in a day or two.",
                 "Could you check Settings > Battery > Background activity for our app? Battery saving on some phones "
                 "stops notifications."),
        solutions=("Version {version2} is now in the store and fixes the problem on {device}.",),
        notes=("Crash reports from {device} spiked after {version}, ENG-{row}.",),
    ),
    # -- Sales --------------------------------------------------------------------------
    _topic(
        "Sales", "quote",
        subjects=("Quote for {seats} seats of the {plan} plan", "Pricing for a team of {seats}", "Volume discount?"),
        openings=("We are a team of {seats} in {city} and would like a quote for the {plan} plan, billed yearly. Is "
                  "there a discount for annual payment?",
                  "Could you send us an offer for {seats} users? We need it as a PDF for our procurement."),
        followups=("Thanks. Could the offer be addressed to {company_or_name}?",
                   "Our budget is approved, what are the next steps?"),
        replies=("Thank you for your interest! For {seats} seats on the {plan} plan, billed yearly, the price is "
                 "{amount} per year, which includes a 15% annual discount. The formal quote is attached.",
                 "Happy to help. How many of the {seats} users need admin rights? That decides whether {plan} or "
                 "Business is the better fit."),
        solutions=("I have sent the signed order form; your account is upgraded to {plan} from today.",),
        notes=("Potential upsell to Enterprise next year, keep in touch.",),
    ),
    _topic(
        "Sales", "discount",
        subjects=("Discount for a non-profit?", "Education pricing for our school", "Startup discount"),
        openings=("We are a small non-profit in {city}. Do you offer discounts for registered charities?",
                  "I teach at a school in {city} and would like to use the app with my students. Is there education "
                  "pricing?"),
        followups=("Attached is our registration certificate.", "How many students would that cover?"),
        replies=("Yes, registered non-profits get 50% off all plans. Please send us a copy of your registration and "
                 "we will apply the discount.",
                 "Schools can use the {plan} plan for free for up to 40 students. I will set that up for you."),
        solutions=("The discount has been applied to your account from the next invoice.",),
        notes=("Verified the registration in the public charity register.",),
    ),
    _topic(
        "Sales", "feature-request",
        subjects=("Does the {plan} plan include single sign-on?", "Feature request: {feature}",
                  "Is {feature} on your roadmap?"),
        openings=("Before we buy: does the {plan} plan support {feature}? It is a requirement for our IT department.",
                  "We love the product, but we really miss {feature}. Is it planned? It would save our team hours "
                  "every week."),
        followups=("Any idea of the timeline? We need to decide by the end of the month.",
                   "Could we be part of a beta for it?"),
        replies=("Thank you for the suggestion. {feature} is not available yet, but it is on our roadmap and I have "
                 "added your vote to the request.",
                 "{feature} is available on the Business and Enterprise plans. I can enable a 14-day trial of Business "
                 "so you can test it."),
        solutions=("Good news: {feature} has been released today and is enabled on your account.",),
        notes=("Logged the vote on the feature request board ({feature}).",),
    ),
    _topic(
        "Sales", "trial",
        subjects=("Can you extend our trial?", "Trial ended before we could test", "Trial extension for {company_or_name}"),
        openings=("Our trial ends tomorrow, but half the team was on holiday. Could you extend it by two weeks?",
                  "We did not get to test the integrations during the trial. Is an extension possible?"),
        followups=("Thank you! Could you also enable the API for the trial?", "Great, we will decide by {date}."),
        replies=("Of course, I have extended your trial by 14 days. Let me know if you would like a short demo call.",
                 "I have extended the trial until {date} and enabled all Business features for it."),
        solutions=("Your trial has been converted to a paid {plan} subscription. Welcome aboard!",),
        notes=("Second extension for this account, check with sales before a third.",),
    ),
    _topic(
        "Sales", "partner",
        subjects=("Reseller partnership in {country}", "Becoming a partner", "Referral programme question"),
        openings=("We are an IT company in {city} and resell software to small businesses in {country}. Do you have a "
                  "partner programme?",
                  "How does your referral programme work? Several of our clients are interested."),
        followups=("Could we get the partner price list?", "Is there material in the local language?"),
        replies=("Thank you for reaching out! We do have a reseller programme with a 20% margin. I have attached the "
                 "partner agreement and price list.",
                 "Partners get a 20% margin and their own dashboard. Shall we schedule a call to go through the "
                 "details?"),
        solutions=("The partner agreement is signed and your partner dashboard is set up.",),
        notes=("Forwarded to the partnerships manager.",),
    ),
    # -- Shipping -----------------------------------------------------------------------
    _topic(
        "Shipping", "shipping",
        subjects=("Where is my order {order}?", "Order {order} not delivered yet", "Delivery delayed for order {order}"),
        openings=("I ordered the {product} on {date} (order {order}) and it still has not arrived. The tracking "
                  "number {tracking} shows no update for days.",
                  "My order {order} was supposed to arrive in {city} last week. {carrier} says they never received the "
                  "parcel."),
        followups=("Still nothing. The tracking page for {tracking} says 'label created' only.",
                   "I need the {product} for an event on Saturday, please help."),
        replies=("I am sorry for the delay. I have asked {carrier} to investigate tracking number {tracking}; they "
                 "answer within two working days.",
                 "Your parcel was held at the {carrier} depot because of an incomplete address. I have sent them the "
                 "full address; it should be delivered tomorrow."),
        solutions=("{carrier} confirms the parcel was delivered today. Enjoy your {product}!",),
        notes=("{carrier} claim opened, reference {ref}.", "Warehouse says the parcel left on {date}."),
    ),
    _topic(
        "Shipping", "shipping damaged refund",
        subjects=("Package arrived damaged", "The {product} arrived broken", "Damaged parcel from {carrier}"),
        openings=("The {product} from order {order} arrived today and the box was crushed; the item is cracked. "
                  "Photos attached. I would like a replacement.",
                  "The parcel was wet and torn when {carrier} delivered it, and the {product} inside is damaged."),
        followups=("Do I need to send the broken one back?", "Here are more photos of the damage."),
        replies=("I am very sorry about that. I have arranged a replacement {product}; it ships today and you will "
                 "receive a tracking number by e-mail. No need to return the damaged one.",
                 "Sorry to hear that. Could you send a photo of the outer box and the shipping label, so we can file a "
                 "claim with {carrier}?"),
        solutions=("The replacement was delivered and the claim with {carrier} is settled. Sorry again for the "
                   "trouble.",),
        notes=("Third damaged {product} this month from the same warehouse, raised with logistics.",),
    ),
    _topic(
        "Shipping", "shipping returns",
        subjects=("Received the wrong item in order {order}", "Wrong size delivered", "Order {order} is incomplete"),
        openings=("I ordered the {product} but received something else entirely. Order number {order}.",
                  "Order {order} arrived but one of the two items is missing. The packing slip lists both."),
        followups=("How do I send the wrong item back?", "The return label does not work at the {carrier} point."),
        replies=("My apologies for the mix-up. I have sent you a prepaid return label by e-mail, and the correct "
                 "{product} is on its way.",
                 "The missing item was shipped separately from another warehouse; tracking number {tracking}."),
        solutions=("We received the return and the correct item was delivered. Thank you for your patience.",),
        notes=("Picking error in the warehouse, reported.",),
    ),
    _topic(
        "Shipping", "shipping",
        subjects=("Change delivery address for order {order}", "Can I pick up order {order} myself?"),
        openings=("I made a mistake in the delivery address for order {order}. It should go to {city}, not to my old "
                  "address. Can you change it before it ships?",
                  "I will be away next week. Could order {order} be delivered to a {carrier} parcel locker instead?"),
        followups=("The new address is in my account profile now.", "Has it shipped already?"),
        replies=("I caught it just in time: the address for order {order} is updated and it ships tomorrow.",
                 "The order has already left our warehouse, but I have asked {carrier} to redirect it."),
        solutions=("The parcel was delivered to the new address.",),
        notes=("Address changed in the warehouse system before picking.",),
    ),
    _topic(
        "Shipping", "returns refund",
        subjects=("How do I return the {product}?", "Return and refund for order {order}", "Return label request"),
        openings=("The {product} does not fit our needs. How can I return it and get a refund? Order {order}.",
                  "I would like to return order {order}, it is unopened. Please send a return label."),
        followups=("I dropped it off at {carrier} today, tracking {tracking}.", "When will I get the refund?"),
        replies=("You can return it within 30 days. I have e-mailed you a prepaid {carrier} return label; the refund "
                 "follows once it reaches our warehouse.",
                 "Returns are free. Please pack the {product} in its original box and use the label I just sent."),
        solutions=("We received your return and refunded {amount} (reference {ref}).",),
        notes=("Return received in good condition, refund approved.",),
    ),
    _topic(
        "Shipping", "shipping invoice",
        subjects=("Customs fee charged for order {order}", "Why did I pay import VAT?"),
        openings=("{carrier} asked me to pay {amount} in customs fees before delivering order {order}. The shop said "
                  "all duties were included.",
                  "I was charged import VAT on delivery although I paid VAT at checkout. Please refund it."),
        followups=("Here is the receipt from {carrier}.", "Will you refund the fee?"),
        replies=("You are right, duties should have been prepaid. Please send us the {carrier} receipt and we will "
                 "refund the fee.",
                 "The parcel was sent without the prepaid-duties flag by mistake. I am sorry; we will cover the fee."),
        solutions=("We have refunded the customs fee of {amount} to your original payment method.",),
        notes=("Shipment created without DDP; warehouse informed.",),
    ),
    _topic(
        "Shipping", "shipping",
        subjects=("Tracking {tracking} not updated for days", "Tracking link does not work"),
        openings=("The tracking number {tracking} for order {order} has not updated for five days. Is the parcel lost?",
                  "The tracking link in the shipping e-mail gives 'not found' at {carrier}."),
        followups=("Still no update.", "{carrier} says I should ask the sender."),
        replies=("The parcel is in transit between hubs; {carrier} does not scan it there. It should update within "
                 "two days.",
                 "The tracking link was wrong in our e-mail, sorry. The correct tracking number is {tracking}."),
        solutions=("Tracking shows the parcel as delivered today.",),
        notes=("Carrier confirms the parcel is at the {city} hub.",),
    ),
]

# The customer's own language for the first message (the reply is in English).
NATIVE_TOPICS: dict[str, list[tuple[str, str, str]]] = {
    "ee": [
        ("Billing", "Arve {invoice} on vale",
         "Meie arvel {invoice} on vale ettevõtte nimi ja käibemaksukohustuslase number puudub. Palun saatke parandatud arve."),
        ("Technical", "Ei saa sisse logida",
         "Pärast parooli muutmist ei saa ma enam sisse logida, leht laaditakse lihtsalt uuesti. Kasutan {browser}."),
        ("Shipping", "Tellimus {order} pole kohale jõudnud",
         "Tellisin {date} toote {product}, kuid pakk pole siiani kohale jõudnud. Jälgimisnumber {tracking} ei näita midagi."),
    ],
    "ro": [
        ("Billing", "Factura {invoice} este greșită",
         "Bună ziua, factura {invoice} are numele firmei greșit și lipsește codul de TVA. Vă rog să emiteți o factură corectă."),
        ("Technical", "Nu mă pot autentifica în aplicație",
         "După resetarea parolei nu mă mai pot autentifica; pagina se reîncarcă mereu. Folosesc {browser} pe {os}."),
        ("Shipping", "Comanda {order} nu a ajuns",
         "Am comandat {product} pe {date}, dar coletul nu a ajuns încă. Numărul de urmărire {tracking} nu se actualizează."),
    ],
    "lv": [
        ("Billing", "Rēķins {invoice} ir nepareizs",
         "Labdien! Rēķinā {invoice} ir norādīts nepareizs uzņēmuma nosaukums. Lūdzu, atsūtiet labotu rēķinu."),
        ("Technical", "Nevaru pieslēgties kontam",
         "Pēc paroles maiņas nevaru pieslēgties — lapa vienkārši pārlādējas. Izmantoju {browser}."),
        ("Shipping", "Pasūtījums {order} nav piegādāts",
         "Pasūtīju {product} {date}, bet sūtījums joprojām nav saņemts. Izsekošanas numurs {tracking} nerāda nekādu informāciju."),
    ],
    "hr": [
        ("Billing", "Račun {invoice} je pogrešan",
         "Poštovani, na računu {invoice} je pogrešan naziv tvrtke i nedostaje OIB. Molim vas pošaljite ispravljeni račun."),
        ("Technical", "Ne mogu se prijaviti",
         "Nakon promjene lozinke ne mogu se prijaviti, stranica se samo ponovno učitava. Koristim {browser} na {os}."),
        ("Shipping", "Narudžba {order} nije stigla",
         "Naručio sam {product} {date}, ali paket još nije stigao. Broj za praćenje {tracking} ne pokazuje ništa."),
    ],
    "ph": [
        ("Billing", "Mali ang invoice {invoice}",
         "Magandang araw po! Mali po ang pangalan ng kumpanya sa invoice {invoice}. Pakiayos po at padalhan ako ng bago."),
        ("Technical", "Hindi ako makapag-login",
         "Hindi po ako makapag-login pagkatapos kong palitan ang password. Paulit-ulit lang pong nagre-reload ang page."),
        ("Shipping", "Hindi pa dumarating ang order {order}",
         "Umorder po ako ng {product} noong {date} pero hindi pa rin dumarating. Walang update ang tracking {tracking}."),
    ],
}

# The English topic that a first message in the customer's language is about.
_NATIVE_TOPIC = {
    t.department: t for t in TOPICS
    if t.subjects[0] in ("Invoice {invoice} has the wrong company name", "Cannot log in after password reset",
                         "Where is my order {order}?")
}

SPAM = [
    ("Boost your website traffic by 300% — guaranteed!",
     "Dear Sir/Madam,\n\nWe are a leading SEO agency. We can put {company_or_name} on the first page of Google in 2 "
     "weeks. Reply with YES for a free audit.\n\nBest regards,\nDigital Growth Team"),
    ("You have won an iPhone 15 Pro!!!",
     "Congratulations! Your e-mail was selected in our monthly draw. Click here to claim your prize within 24 hours: "
     "http://claim-prize.example.net/?id={ref}"),
    ("Business proposal — confidential",
     "Good day,\n\nI am a lawyer representing a client who wishes to invest USD 12,500,000 in your country. Kindly "
     "reply with your full name and phone number for more details."),
    ("URGENT: your mailbox is almost full",
     "Your mailbox has exceeded its storage limit. Verify your account now to avoid losing e-mails: "
     "http://mail-verify.example.org/login"),
    ("Cheap {product} wholesale, factory price",
     "Hello friend, we are a factory supplying {product} and 1000 other items at the best price. MOQ 500 pcs. "
     "WhatsApp us for the catalogue."),
    ("Crypto opportunity: 40% monthly returns",
     "Join thousands of investors earning passive income with our AI trading bot. Minimum deposit only 250 EUR!"),
]
SPAM_SENDERS = [
    "promo@seo-rank-boost.biz", "winner@lucky-draw-prizes.info", "barrister.james@legal-intl.example",
    "no-reply@mailbox-security.example", "sales@factory-direct.example", "invest@ai-crypto-profit.example",
    "marketing@growth-hackers.example", "info@best-offers-now.example",
]

CHASERS = (
    "Hello again, any update on this? It is blocking our work.",
    "Just following up on my message from {date}. Is anyone looking at this?",
    "Could someone please get back to me? It has been {days} days.",
    "I am still waiting for an answer. This is getting urgent.",
)
THANKS = (
    "Thanks, that fixed it!",
    "That worked, thank you very much for the quick help.",
    "Perfect, all good now. You can close this.",
    "Great, thanks a lot for sorting this out.",
)
COMEBACKS = (
    "Sorry to reopen this, but the problem is back since this morning.",
    "Unfortunately it happened again today, exactly the same as before.",
    "I thought it was solved, but it is not. Please have another look.",
)
WELCOMES = ("You're welcome, glad it works now!", "Glad to hear it! Have a great day.")
GENERIC_NOTES = (
    "Customer is on the {plan} plan since 2021, good standing.",
    "Called the customer, they will send more details by e-mail.",
    "Asked {helper} to have a look.",
    "Waiting for engineering to confirm.",
    "Checked the account: no other open issues.",
    "Customer sounded frustrated on the phone, please prioritise.",
)
DUPLICATE_NOTES = (
    "Duplicate of an earlier ticket from the same customer, closing this one.",
    "Customer solved it themselves (see their second message), closing.",
    "Sent to the wrong department by the customer; already handled by phone.",
)
POSTPONE_NOTES = (
    "Waiting for the supplier's answer, postponing.",
    "Customer is on holiday until next week, will check back then.",
    "Fix planned for the next release, postponing until then.",
)
DELETE_BODIES = (
    ("test", "test test, please ignore"),
    ("Test ticket — please ignore", "Testing the support form after the website update."),
    ("Fwd: out of office", "I am out of the office until Monday with limited access to e-mail."),
)

PLANS = (("Starter", 9), ("Team", 29), ("Business", 79), ("Enterprise", 249))
PRODUCTS = ("StudioCam X2 webcam", "AeroDesk standing desk", "Nordlys desk lamp", "QuietKeys keyboard",
            "TrailPack 30L backpack", "BrewMate coffee grinder", "FlexDock USB-C hub", "CloudRest office chair")
BROWSERS = ("Chrome", "Firefox", "Safari", "Edge")
SYSTEMS = ("Windows 11", "Windows 10", "macOS 14", "macOS 13", "Ubuntu 22.04")
DEVICES = ("Samsung Galaxy S23", "iPhone 13", "Pixel 7", "Xiaomi Redmi Note 12", "iPhone 15")
FEATURES = ("single sign-on with Azure AD", "a dark mode", "exporting reports to Excel", "two-factor authentication",
            "custom fields on tickets", "an API for bulk updates", "a Croatian translation", "scheduled reports")
ENDPOINTS = ("/v2/orders", "/v2/customers/search", "/v2/invoices", "/v1/webhooks")
ERRORS = ("E4012", "E1107", "SYNC-503", "0x80070005", "E2290")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


class _Details(dict):
    """The particulars of one ticket (order number, amount...), invented on first use."""

    def __init__(self, rng: random.Random, now: int, customer: _Customer, department: str) -> None:
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
            return _digits(r, 4)
        if key == "date":
            moment = time.gmtime(self.now - r.randint(2, 40) * DAY)
            return f"{moment.tm_mday} {MONTHS[moment.tm_mon - 1]}"
        if key == "order":
            return f"#{r.randint(100000, 999999)}"
        if key == "tracking":
            return f"{r.choice('JDRCL')}{r.choice('XYZ')}{_digits(r, 9)}{country.code.upper()}"
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
            return f"{country.code.upper()}{_digits(r, 9)}"
        if key == "company_or_name":
            return self.customer.company or self.customer.name
        if key == "helper":
            return r.choice(_HELPERS[self.department])
        raise KeyError(key)

    def _plan(self) -> tuple[str, int]:
        if self.plan is None:
            self.plan = self.rng.choice(PLANS)
        return self.plan


# ---------------------------------------------------------------------------------------
# One ticket's life, by TicketService's rules
# ---------------------------------------------------------------------------------------


class _GeneratorBug(RuntimeError):
    """The demo tried a step the lifecycle refuses: a bug in this module."""


# (at, kind, author, body, message-id token or None, attachments)
_MessageRow = tuple[str, str, str, str, str | None, tuple[tuple[str, str, bytes], ...]]
# (at, actor, kind, from, to, detail)
_EventRow = tuple[str, str, str, str | None, str | None, str | None]


class _Ticket:
    """The columns TicketService keeps, changed the way its methods change them."""

    __slots__ = (
        "subject", "customer", "department", "status", "previous_status", "postponed_from", "postponed_until",
        "priority", "assignee", "created", "created_at", "updated_at", "waiting_since", "first_response_at",
        "resolved_at", "last_customer_message_at", "last_agent_reply_at", "last_message_at", "message_count",
        "bucket", "sort_key", "sort_on", "version", "tags", "messages", "events",
    )

    def __init__(self, customer: _Customer, email: str, subject: str, priority: str,
                 department: str | None, at: int, body: str, token: str | None,
                 attachments: tuple[tuple[str, str, bytes], ...]) -> None:
        moment = _text(at)
        self.subject = " ".join(subject.split())
        self.customer = customer
        self.department = department
        self.status = "new"
        self.previous_status: str | None = None
        self.postponed_from: str | None = None
        self.postponed_until: str | None = None
        self.priority = priority
        self.assignee: str | None = None
        self.created = at
        self.created_at = moment
        self.updated_at = moment
        self.waiting_since: str | None = moment
        self.first_response_at: str | None = None
        self.resolved_at: str | None = None
        self.last_customer_message_at: str | None = moment
        self.last_agent_reply_at: str | None = None
        self.last_message_at: str | None = moment
        self.message_count = 1
        self.bucket = 0
        self.sort_key = 0
        self.sort_on = ("new", moment, moment)
        self.version = 1
        self.tags: list[str] = []
        self.messages: list[_MessageRow] = [(moment, "customer", email, body, token, attachments)]
        self.events: list[_EventRow] = [(moment, email, "created", None, "new", None)]

    # TicketService._change: updated_at, bucket and sort_key follow every change. Only the
    # last values are kept, so the (slow to compute) sort key is worked out once, at the end.
    def _changed(self, moment: str) -> None:
        self.updated_at = moment
        self.sort_on = (self.status, self.waiting_since, moment)
        self.version += 1

    def finish(self, sort_key: Callable[[Meaning, str | None, str], int]) -> None:
        status, waiting_since, moment = self.sort_on
        meaning = _MEANINGS[status]
        self.bucket = bucket_for(meaning)
        self.sort_key = sort_key(meaning, waiting_since, moment)

    def _require(self, allowed: frozenset, action: str) -> None:
        if self.status not in allowed:
            raise _GeneratorBug(f"demo: cannot {action} a {self.status} ticket")

    def customer_message(self, at: int, author: str, body: str, token: str | None,
                         attachments: tuple[tuple[str, str, bytes], ...] = ()) -> None:
        moment = _text(at)
        status = self.status
        target = "open" if status in CUSTOMER_REOPENS else status
        self.status = target
        self.last_customer_message_at = moment
        self.last_message_at = moment
        self.message_count += 1
        self.waiting_since = self.waiting_since or moment
        if target != status:
            self.postponed_until = self.postponed_from = self.resolved_at = None
        self._changed(moment)
        self.messages.append((moment, "customer", author, body, token, attachments))
        self.events.append((moment, author, "customer_message", status, target, None))

    def reply(self, at: int, agent: str, body: str) -> None:
        self._require(REPLY_FROM, "reply to")
        moment = _text(at)
        status = self.status
        self.status = "answered"
        self.last_agent_reply_at = moment
        self.last_message_at = moment
        self.message_count += 1
        self.waiting_since = self.postponed_until = self.postponed_from = self.resolved_at = None
        if self.first_response_at is None:
            self.first_response_at = moment
        self._changed(moment)
        self.messages.append((moment, "reply", agent, body, None, ()))
        self.events.append((moment, agent, "replied", status, "answered", None))

    def note(self, at: int, agent: str, body: str) -> None:
        moment = _text(at)
        self.message_count += 1
        self._changed(moment)
        self.messages.append((moment, "note", agent, body, None, ()))
        self.events.append((moment, agent, "note", None, None, None))

    def resolve(self, at: int, agent: str) -> None:
        self._require(RESOLVE_FROM, "resolve")
        moment = _text(at)
        status = self.status
        self.status = "resolved"
        self.resolved_at = moment
        self.waiting_since = self.postponed_until = self.postponed_from = None
        self._changed(moment)
        self.events.append((moment, agent, "resolved", status, "resolved", None))

    def postpone(self, at: int, agent: str, until: int) -> None:
        self._require(POSTPONE_FROM, "postpone")
        if until <= at:
            raise _GeneratorBug("demo: postponed into the past")
        moment, until_text = _text(at), _text(until)
        status = self.status
        self.status = "postponed"
        self.postponed_until = until_text
        self.postponed_from = status
        self._changed(moment)
        self.events.append((moment, agent, "postponed", status, "postponed", until_text))

    def wake(self, at: int) -> None:
        moment = _text(at)
        if self.status != "postponed" or (self.postponed_until or "") > moment:
            raise _GeneratorBug("demo: woke a ticket that was not due")
        target = self.postponed_from or "open"
        self.status = target
        self.postponed_until = self.postponed_from = None
        self._changed(moment)
        self.events.append((moment, "system", "woken", "postponed", target, None))

    def reopen(self, at: int, agent: str) -> None:
        self._require(REOPEN_FROM, "reopen")
        moment = _text(at)
        status = self.status
        self.status = "open"
        self.resolved_at = None
        self.waiting_since = self.waiting_since or moment
        self._changed(moment)
        self.events.append((moment, agent, "reopened", status, "open", None))

    def bin(self, at: int, agent: str, target: str) -> None:
        if self.status == target:
            raise _GeneratorBug(f"demo: already {target}")
        moment = _text(at)
        status = self.status
        if _MEANINGS[status] not in (Meaning.SPAM, Meaning.DELETED):
            self.previous_status = status
        self.status = target
        self._changed(moment)
        self.events.append((moment, agent, "spam" if target == "spam" else "deleted", status, target, None))

    def restore(self, at: int, agent: str) -> None:
        self._require(RESTORE_FROM, "restore")
        moment = _text(at)
        status = self.status
        self.status = self.previous_status or "open"
        self.previous_status = None
        self._changed(moment)
        self.events.append((moment, agent, "restored", status, self.status, None))

    def assign(self, at: int, actor: str, agent: str) -> None:
        if (self.assignee or "").casefold() == agent.casefold():
            raise _GeneratorBug("demo: already assigned")
        moment = _text(at)
        self.events.append((moment, actor, "assigned", self.assignee, agent, None))
        self.assignee = agent
        self._changed(moment)

    def set_priority(self, at: int, actor: str, priority: str) -> None:
        if priority == self.priority:
            raise _GeneratorBug("demo: same priority")
        moment = _text(at)
        self.events.append((moment, actor, "priority", self.priority, priority, None))
        self.priority = priority
        self._changed(moment)

    def set_department(self, at: int, actor: str, department: str) -> None:
        if department == self.department:
            raise _GeneratorBug("demo: same department")
        moment = _text(at)
        self.events.append((moment, actor, "department", self.department, department, None))
        self.department = department
        self._changed(moment)

    def tag(self, at: int, actor: str, add: list[str], remove: list[str]) -> None:
        # TicketService.tag: one event per tag, one version; updated_at and the sort key follow.
        moment = _text(at)
        changed = False
        for name in add:
            if name not in self.tags:
                self.tags.append(name)
                self.events.append((moment, actor, "tagged", None, name, None))
                changed = True
        for name in remove:
            if name in self.tags:
                self.tags.remove(name)
                self.events.append((moment, actor, "untagged", name, None, None))
                changed = True
        if not changed:
            raise _GeneratorBug("demo: tags already so")
        self._changed(moment)


# ---------------------------------------------------------------------------------------
# Scripts: which steps a ticket goes through, and when
# ---------------------------------------------------------------------------------------

class _Weighted:
    """Values drawn with the given weights."""

    def __init__(self, pairs: tuple[tuple[Any, int], ...]) -> None:
        self.values = [value for value, _ in pairs]
        self.bounds = list(accumulate(weight for _, weight in pairs))

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.bounds, rng.random() * self.bounds[-1])]


_STATUS_WEIGHTS = (("new", 11), ("open", 9), ("answered", 17), ("resolved", 48), ("postponed", 5),
                   ("spam", 5), ("deleted", 5))
_PRIORITY_WEIGHTS = (("normal", 66), ("high", 17), ("low", 10), ("urgent", 7))
_STATUS = _Weighted(_STATUS_WEIGHTS)
_PRIORITY = _Weighted(_PRIORITY_WEIGHTS)
_DEPARTMENT = _Weighted(_DEPARTMENT_WEIGHTS)
_ROUNDS = _Weighted(((1, 50), (2, 33), (3, 17)))
# How long, on average, an agent takes to answer, by priority.
_ANSWER_TIME = {"urgent": 40 * MINUTE, "high": 2 * HOUR, "normal": 6 * HOUR, "low": 16 * HOUR}

_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _pdf(title: str) -> bytes:
    return (
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
        f"% {title}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    ).encode("latin-1", "replace")


class _Step(NamedTuple):
    kind: str
    gap: int  # seconds after the previous step
    args: tuple[Any, ...] = ()


class _Author:
    """Writes the scripts of tickets: who does what, when, and the words they use."""

    def __init__(self, rng: random.Random, now: int) -> None:
        self.rng = rng
        self.now = now
        self.by_department: dict[str, list[_Agent]] = {d: [] for d in DEPARTMENTS}
        for agent in AGENTS:
            self.by_department[agent.department].append(agent)
        self.active = {d: [a for a in team if a.active] for d, team in self.by_department.items()}
        self.former = {d: [a for a in team if not a.active] for d, team in self.by_department.items()}
        self.topics: dict[str, list[_Topic]] = {d: [t for t in TOPICS if t.department == d] for d in DEPARTMENTS}

    # -- words --------------------------------------------------------------------------
    def fill(self, template: str, details: _Details) -> str:
        return template.format_map(details)

    def customer_text(self, customer: _Customer, text: str) -> str:
        r = self.rng
        country = customer.country
        signature = customer.first
        if customer.company and r.random() < 0.5:
            signature += f"\n{customer.company}"
        if customer.phone and r.random() < 0.3:
            signature += f"\n{customer.phone}"
        return f"{r.choice(country.greetings)}\n\n{text}\n\n{r.choice(country.signoffs)}\n{signature}"

    def agent_text(self, agent: _Agent, customer: _Customer, department: str | None, text: str) -> str:
        return (f"Hi {customer.first},\n\n{text}\n\nBest regards,\n{agent.full_name}\n"
                f"{department or 'Customer'} Support")

    def attachments(self, topic: _Topic | None, details: _Details) -> tuple[tuple[str, str, bytes], ...]:
        r = self.rng
        department = topic.department if topic else "Technical"
        if department == "Billing":
            invoice = details["invoice"]
            return ((f"{invoice}.pdf", "application/pdf", _pdf(invoice)),)
        if department == "Shipping":
            return ((f"photo_{r.randint(1000, 9999)}.png", "image/png", _PNG),)
        if r.random() < 0.5:
            log = "\n".join(
                f"2024-01-0{1 + i % 9}T10:{i:02d}:00Z ERROR sync {details['error']} retry={i}" for i in range(12)
            )
            return (("sync.log", "text/plain", log.encode()),)
        return (("screenshot.png", "image/png", _PNG),)

    # -- agents ---------------------------------------------------------------------------
    def agent_for(self, department: str, created: int) -> _Agent:
        """Someone from the department; a former colleague took some of the older tickets."""
        if self.now - created > _FORMER_UNTIL:
            former = self.former[department]
            if former and self.rng.random() < 0.5:
                return self.rng.choice(former)
        return self.rng.choice(self.active[department])


@dataclass
class _Plan:
    """A ticket to be: the customer, the first message and the steps after it."""

    customer: _Customer
    email: str
    subject: str
    body: str
    token: str | None
    attachments: tuple[tuple[str, str, bytes], ...]
    priority: str
    department: str | None
    age: int  # seconds before `now` the ticket was created
    steps: list[_Step]


class _Script:
    """Builds one ticket's steps, keeping track of its status as the steps will leave it."""

    def __init__(self, author: _Author, customer: _Customer, topic: _Topic | None, details: _Details,
                 department: str | None, priority: str, agent: _Agent) -> None:
        self.author = author
        self.rng = author.rng
        self.random = author.rng.random
        self.customer = customer
        self.topic = topic
        self.details = details
        self.department = department  # as it will be after triage
        self.priority = priority
        self.steps: list[_Step] = []
        self.status = "new"
        self.agent = agent

    def _gap(self, mean: float, minimum: int = 0) -> int:
        """Exponentially distributed, like the time until the next e-mail (random.expovariate)."""
        return minimum + int(-log(1.0 - self.random()) * mean)

    def _agent(self) -> _Agent:
        return self.agent

    # -- steps ----------------------------------------------------------------------------
    def triage(self, *, assign: bool = True, tags: bool = True, created_without_department: bool = False,
               initial_priority: str | None = None) -> None:
        r = self.rng
        if created_without_department and self.department:
            agent = self._agent()
            self.steps.append(_Step("department", self._gap(20 * MINUTE, 30), (agent.name, self.department)))
        if assign:
            agent = self._agent()
            # Usually the agent takes the ticket themselves; sometimes a lead hands it out.
            actor = agent.name if r.random() < 0.7 else "tom"
            self.steps.append(_Step("assign", self._gap(25 * MINUTE, 20), (actor, agent.name)))
        if initial_priority and initial_priority != self.priority:
            self.steps.append(_Step("priority", self._gap(10 * MINUTE, 10), (self._agent().name, self.priority)))
        if tags and self.topic and r.random() < 0.6:
            wanted = list(self.topic.tags[: 1 + int(r.random() < 0.5)])
            if self.customer.vip:
                wanted.append("vip")
            if self.priority == "urgent" and r.random() < 0.3:
                wanted.append("escalated")
            self.steps.append(_Step("tag", self._gap(3 * MINUTE, 5), (self._agent().name, wanted, [])))

    def customer_writes(self, text: str, mean_gap: float = 10 * HOUR) -> None:
        body = self.author.customer_text(self.customer, text)
        token = f"{self.rng.getrandbits(40):010x}"
        attachments = self.author.attachments(self.topic, self.details) if self.random() < 0.07 else ()
        self.steps.append(_Step("customer", self._gap(mean_gap, 60), (body, token, attachments)))
        if self.status in ("answered", "resolved", "postponed"):
            self.status = "open"

    def agent_replies(self, template: str) -> None:
        agent = self._agent()
        text = self.author.fill(template, self.details)
        body = self.author.agent_text(agent, self.customer, self.department, text)
        self.steps.append(_Step("reply", self._gap(_ANSWER_TIME[self.priority], 60), (agent.name, body)))
        self.status = "answered"

    def agent_notes(self, template: str, mean_gap: float = 15 * MINUTE) -> None:
        self.steps.append(_Step("note", self._gap(mean_gap, 30), (self._agent().name, self.author.fill(template, self.details))))

    def act(self, kind: str, mean_gap: float, *args: Any) -> None:
        self.steps.append(_Step(kind, self._gap(mean_gap, 30), (self._agent().name, *args)))
        if kind == "resolve":
            self.status = "resolved"
        elif kind == "reopen":
            self.status = "open"

    # -- conversations --------------------------------------------------------------------
    def conversation(self, rounds: int, *, end_with_customer: bool = False) -> None:
        """Replies and customer answers in turn, with the odd internal note; ends with a reply."""
        r = self.rng
        topic = self.topic
        assert topic is not None
        for i in range(rounds):
            if r.random() < 0.2:
                self.agent_notes(r.choice(topic.notes + GENERIC_NOTES))
            last = i == rounds - 1
            self.agent_replies(r.choice(topic.solutions + topic.replies if last else topic.replies))
            if i < rounds - 1 or end_with_customer:
                self.customer_writes(self.author.fill(r.choice(topic.followups), self.details))


def _rounds(rng: random.Random, low: int = 1) -> int:
    return max(low, _ROUNDS(rng))


def _age(rng: random.Random, status: str) -> int:
    """How long ago a ticket that ends in `status` was created."""
    if status == "new":
        age = rng.expovariate(1 / (1.5 * DAY))
    elif status == "open":
        age = rng.expovariate(1 / (5 * DAY))
    elif status == "answered":
        age = rng.expovariate(1 / (4 * DAY))
    elif status == "postponed":
        age = rng.uniform(1 * DAY, 30 * DAY)
    else:
        age = rng.uniform(0.3 * DAY, SPAN)
    return int(min(SPAN, max(10 * MINUTE, age)))


def _script_ticket(author: _Author, customer: _Customer, status: str, priority: str) -> _Plan:
    """A plausible life for a ticket that is to end in `status`."""
    r = author.rng
    now = author.now
    age = _age(r, status)

    if status == "spam":
        subject, body = r.choice(SPAM)
        sender = r.choice(SPAM_SENDERS)
        spammer = _Customer(sender, "", "", None, None, customer.country, False)
        details = _Details(r, now, spammer, "Sales")
        details["company_or_name"] = customer.company or "your company"
        script = _Script(author, spammer, None, details, None, "normal",
                         author.agent_for(r.choice(DEPARTMENTS), now - age))
        if r.random() < 0.15:  # first thrown away, then recognised as spam
            script.act("delete", 3 * HOUR)
        script.act("spam", 2 * HOUR)
        return _Plan(spammer, sender, author.fill(subject, details), author.fill(body, details), None, (),
                     "normal" if r.random() < 0.8 else "low", None, age, script.steps)

    if status == "deleted" and r.random() < 0.4:  # a test message or an auto-reply
        subject, text = r.choice(DELETE_BODIES)
        details = _Details(r, now, customer, "Technical")
        script = _Script(author, customer, None, details, None, priority,
                         author.agent_for(r.choice(DEPARTMENTS), now - age))
        script.act("delete", 4 * HOUR)
        return _Plan(customer, customer.email, subject, text, None, (), priority, None, age, script.steps)

    native = NATIVE_TOPICS.get(customer.country.code)
    department = _DEPARTMENT(r)
    topic = r.choice(author.topics[department])
    details = _Details(r, now, customer, department)
    if native and r.random() < 0.08:
        department, subject_template, text = r.choice(native)
        topic = _NATIVE_TOPIC[department]
        details.department = department
        subject = author.fill(subject_template, details)
        body = author.customer_text(customer, author.fill(text, details))
    else:
        subject = author.fill(r.choice(topic.subjects), details)
        body = author.customer_text(customer, author.fill(r.choice(topic.openings), details))
    if customer.vip and priority in ("normal", "low"):
        priority = "high"
    initial_priority = priority
    if r.random() < 0.06:  # created with one priority, changed at triage
        initial_priority = r.choice([p for p in _RANKS if p != priority])
    created_without_department = r.random() < 0.12

    script = _Script(author, customer, topic, details, department, priority, author.agent_for(department, now - age))
    token = f"{r.getrandbits(40):010x}"
    attachments = author.attachments(topic, details) if r.random() < 0.07 else ()

    def triage(**kwargs: Any) -> None:
        script.triage(created_without_department=created_without_department,
                      initial_priority=initial_priority, **kwargs)

    if status == "new":
        triage(assign=r.random() < 0.35, tags=r.random() < 0.5)
        if r.random() < 0.2:
            script.customer_writes(author.fill(r.choice(CHASERS), details), mean_gap=20 * HOUR)
        if r.random() < 0.15:
            script.agent_notes(r.choice(topic.notes + GENERIC_NOTES))
    elif status == "open":
        triage()
        way = r.random()
        script.conversation(_rounds(r))
        if way < 0.7:
            script.customer_writes(author.fill(r.choice(topic.followups), details))
        elif way < 0.82:
            script.act("resolve", 1 * DAY)
            script.customer_writes(author.fill(r.choice(COMEBACKS), details), mean_gap=2 * DAY)
        elif way < 0.92:
            script.act("resolve", 1 * DAY)
            script.agent_notes("Customer called: the problem is back, reopening.", mean_gap=DAY)
            script.act("reopen", 10 * MINUTE)
        else:
            script.customer_writes(author.fill(r.choice(topic.followups), details))
            script.agent_notes(r.choice(POSTPONE_NOTES), mean_gap=HOUR)
            script.act("postpone_past", 10 * MINUTE)
            script.steps.append(_Step("wake", int(r.uniform(0.5 * DAY, 4 * DAY))))
    elif status == "answered":
        triage()
        script.conversation(_rounds(r))
        if r.random() < 0.08:
            script.act("postpone_past", 10 * MINUTE)
            script.steps.append(_Step("wake", int(r.uniform(0.5 * DAY, 3 * DAY))))
    elif status == "resolved":
        triage()
        way = r.random()
        if way < 0.08:  # closed without an answer
            script.agent_notes(r.choice(DUPLICATE_NOTES), mean_gap=2 * HOUR)
            script.act("resolve", 5 * MINUTE)
        else:
            script.conversation(_rounds(r))
            if way < 0.35:
                script.customer_writes(author.fill(r.choice(THANKS), details), mean_gap=5 * HOUR)
                if r.random() < 0.5:
                    script.agent_replies(r.choice(WELCOMES))
                script.act("resolve", 20 * MINUTE)
            elif way < 0.42:  # resolved, back, resolved again
                script.act("resolve", 30 * MINUTE)
                script.customer_writes(author.fill(r.choice(COMEBACKS), details), mean_gap=2 * DAY)
                script.agent_replies(r.choice(topic.replies))
                script.act("resolve", 2 * DAY)
            elif way < 0.7:
                script.act("resolve", 10 * MINUTE)
            else:  # no answer from the customer for a few days
                script.act("resolve", 4 * DAY)
    elif status == "postponed":
        triage()
        way = r.random()
        if way < 0.55:
            script.conversation(_rounds(r))
        elif way < 0.85:
            script.conversation(_rounds(r), end_with_customer=True)
        script.agent_notes(r.choice(POSTPONE_NOTES), mean_gap=HOUR)
        script.act("postpone_future", 10 * MINUTE)
    elif status == "deleted":
        triage(tags=False)
        if r.random() < 0.5:
            script.conversation(_rounds(r))
            script.act("resolve", DAY)
        script.act("delete", 2 * DAY)
        if r.random() < 0.2:  # deleted by mistake, restored, deleted again later
            script.act("restore", 30 * MINUTE)
            script.act("delete", 2 * DAY)

    if status not in ("new", "spam", "deleted") and r.random() < 0.04:
        # Handed over to a colleague half-way.
        others = [a for a in AGENTS if a.active and a.name != script.agent.name]
        position = r.randint(1, len(script.steps)) if script.steps else 0
        if position < len(script.steps) and script.steps[position].kind not in ("wake",):
            script.steps.insert(position, _Step("assign", script._gap(HOUR, 60), ("tom", r.choice(others).name)))

    return _Plan(customer, customer.email, subject, body, token, attachments, initial_priority,
                 None if created_without_department else department, age, script.steps)


# ---------------------------------------------------------------------------------------
# Tickets that test the UI: markup, escape sequences, very long text, long threads
# ---------------------------------------------------------------------------------------


def _awkward_plans(author: _Author, count: int) -> list[_Plan]:
    r = author.rng
    now = author.now

    def person(code: str, name: str, email: str, company: str | None = None) -> _Customer:
        country = next(c for c in COUNTRIES if c.code == code)
        return _Customer(email, name, name.split()[0], country.phone(r), company, country, False)

    def plan(customer: _Customer, subject: str, body: str, department: str, priority: str, age_days: float,
             conversation: int = 0, end_with_customer: bool = False, tags: tuple[str, ...] = ()) -> _Plan:
        topic = author.topics[department][0]
        details = _Details(r, now, customer, department)
        script = _Script(author, customer, topic, details, department, priority,
                         author.agent_for(department, now - int(age_days * DAY)))
        script.steps.append(_Step("assign", 15 * MINUTE, (script.agent.name, script.agent.name)))
        if tags:
            script.steps.append(_Step("tag", 2 * MINUTE, (script.agent.name, list(tags), [])))
        if conversation:
            script.conversation(conversation, end_with_customer=end_with_customer)
        return _Plan(customer, customer.email, subject, body, f"{r.getrandbits(40):010x}", (), priority,
                     department, int(age_days * DAY), script.steps)

    plans = [
        plan(person("gb", "Harriet O'Brien", "harriet.obrien@kestrelanalytics.co.uk", "Kestrel Analytics Ltd"),
             "[bold]Invoice[/] wrong — charged [red]twice[/red] for [i]March[/i]",
             "Hello,\n\nThe invoice shows [b]two[/b] lines for the same month and [link=https://example.com]this "
             "link[/link] in your e-mail is broken. Also the total says [/] which looks like a template error.\n\n"
             "Kind regards,\nHarriet", "Billing", "urgent", 36, 1, True, ("invoice", "refund")),
        plan(person("lv", "Kristīne Bērziņa", "kristine.berzina@rigasmebeles.lv", "Rīgas Mēbeles SIA"),
             "Recurring sync failures on our Enterprise account (ongoing)",
             "Labdien,\n\nSync fails again with error E4012, the fourth time this month. We have 120 users "
             "affected.\n\nAr cieņu,\nKristīne", "Technical", "high", 40, 19, True, ("bug", "sync", "vip")),
        plan(person("de", "Jörg Köhler", "joerg.koehler@nordlichtmaschinenbau.de", "Nordlicht Maschinenbau GmbH"),
             "Sync tool prints garbage into my terminal",
             "Hallo,\n\nwhen I run the command line sync tool it prints this:\n\n"
             "\x1b[31mERROR\x1b[0m sync failed (code E4012)\n\x1b[1;33mWARN\x1b[0m retrying in 5s\x07\n"
             "\x1b[2J\x1b[Hprogress: 45%\rprogress: 46%\n\nand then my screen is cleared. Is that expected?\n\n"
             "Viele Grüße,\nJörg", "Technical", "high", 34, tags=("bug",)),
        plan(person("ro", "Ștefan Țăranu", "stefan.taranu@carpatilogistic.ro", "Carpați Logistic SRL"),
             "Order #482913 arrived with the wrong power adapter, the replacement you sent on Monday also had the "
             "wrong plug (UK instead of EU), and now the courier wants me to pay customs fees for the return, which "
             "I was told I would not have to pay — please advise urgently before the 30-day return window closes "
             "on Friday because otherwise we lose the refund entirely",
             "Bună ziua,\n\n" + " ".join(["The adapter does not fit any socket in our office."] * 12)
             + "\n\nCu stimă,\nȘtefan", "Shipping", "urgent", 33, 2, True, ("shipping", "returns")),
        plan(person("hr", "Đurđa Šimić", "durda.simic@t-com.hr"),
             "Šifra ne radi — ne mogu se prijaviti (hitno!)",
             "Poštovani,\n\nveć tri dana ne mogu se prijaviti u sustav. Pokušala sam promijeniti šifru, ali poruka "
             "za potvrdu nikad ne stigne. Ćevapi i čaj — čekam odgovor.\n\nLijep pozdrav,\nĐurđa",
             "Technical", "urgent", 31, tags=("login",)),
        plan(person("ee", "Kärt Õunapuu", "kart.ounapuu@pohjalapuit.ee", "Põhjala Puit OÜ"),
             "Arve nr 4471 on vale: käibemaks on arvutamata (Põhjala Puit OÜ)",
             "Tere!\n\nArvel nr 4471 puudub käibemaks ja ettevõtte aadress on vale (Jõgeva mnt 12, Tartu). Palun "
             "saatke õige arve — raamatupidaja ootab.\n\nParimate soovidega,\nKärt", "Billing", "high", 30, 1, True,
             ("invoice",)),
        plan(person("lv", "Ģirts Ķēniņš", "girts.kenins@inbox.lv"),
             "Pasūtījums nav piegādāts — ļoti steidzami!",
             "Labdien!\n\nPasūtījums #55120 vēl nav saņemts, lai gan tas bija jāpiegādā pirms nedēļas. Lūdzu, "
             "pārbaudiet, kur ir sūtījums.\n\nAr cieņu,\nĢirts", "Shipping", "high", 29, tags=("shipping",)),
        plan(person("ph", "Niño dela Peña", "nino.delapena@cebudigital.ph", "Cebu Digital Inc."),
             "Hindi ko ma-access ang account ko, pakitulungan po 🙏",
             "Magandang araw po!\n\nHindi ko po ma-access ang account ko simula kahapon. Lumalabas po ang "
             "\"invalid session\" 😢. Salamat po sa tulong!\n\nNiño", "Technical", "urgent", 28, 1, True, ("login",)),
        plan(person("us", "Lauren Kim", "lauren.kim@bluemesaoutfitters.com", "Blue Mesa Outfitters Inc."),
             "配送が遅れています — 注文 #55120 📦 👨‍👩‍👧 مرحبا",
             "Hi,\n\nOur Tokyo office wrote: 配送が遅れています。注文番号は #55120 です。\n"
             "Family emoji: 👨‍👩‍👧, flags 🇪🇪🇷🇴🇱🇻🇭🇷🇵🇭, Arabic: مرحبا بالعالم, combining: e\u0301 a\u0308.\n\n"
             "Thanks,\nLauren", "Shipping", "high", 27),
        plan(person("gb", "Oliver Hughes", "oliver.hughes@thamesvalleyprints.co.uk", "Thames Valley Prints Ltd"),
             "Export contains a very long line\tand tabs",
             "Hello,\n\nThe export file has one line like this:\n\n" + "A1B2C3D4" * 400 + "\n\ncolumn\tcolumn\tcolumn\n"
             "\u200bzero\u200bwidth\u200bspaces\u200b and a null-looking \\0 and a form feed\x0c here.\n\n"
             "Cheers,\nOliver", "Technical", "high", 26, tags=("bug", "import")),
    ]
    return plans[:count]


# ---------------------------------------------------------------------------------------
# Timing and playing the scripts
# ---------------------------------------------------------------------------------------


def _times(plan: _Plan, now: int) -> tuple[int, list[int]]:
    """When the ticket was created and when each step happened: all in the past, in order."""
    created = now - plan.age
    gaps = [s.gap for s in plan.steps]
    total = sum(gaps)
    room = max(0, now - created - MINUTE)
    if total > room and total:
        factor = room / total
        gaps = [max(2 if s.kind == "wake" else 0, int(g * factor)) for s, g in zip(plan.steps, gaps, strict=True)]
    at = created
    times = []
    for gap in gaps:
        at += gap
        times.append(at)
    overflow = (times[-1] if times else created) - (now - 1)
    if overflow > 0:
        created -= overflow
        times = [t - overflow for t in times]
    return created, times


_SIMPLE_STEPS: dict[str, Callable[..., None]] = {
    "reply": _Ticket.reply,
    "note": _Ticket.note,
    "resolve": _Ticket.resolve,
    "reopen": _Ticket.reopen,
    "restore": _Ticket.restore,
    "priority": _Ticket.set_priority,
    "department": _Ticket.set_department,
}


def _play(plan: _Plan, now: int, rng: random.Random) -> _Ticket:
    created, times = _times(plan, now)
    ticket = _Ticket(plan.customer, plan.email, plan.subject, plan.priority, plan.department, created,
                     plan.body, plan.token, plan.attachments)
    for index, ((kind, _gap, args), at) in enumerate(zip(plan.steps, times, strict=True)):
        simple = _SIMPLE_STEPS.get(kind)
        if simple is not None:
            simple(ticket, at, *args)
        elif kind == "customer":
            ticket.customer_message(at, plan.email, *args)
        elif kind == "assign":
            actor, agent = args
            if agent != ticket.assignee:
                ticket.assign(at, actor, agent)
        elif kind == "tag":
            actor, add, remove = args
            if [t for t in add if t not in ticket.tags] or [t for t in remove if t in ticket.tags]:
                ticket.tag(at, actor, add, remove)
        elif kind == "postpone_future":
            until = (now + rng.randint(2, 14 * 24) * HOUR) // HOUR * HOUR
            ticket.postpone(at, args[0], until)
        elif kind == "postpone_past":
            wake_at = times[index + 1]
            ticket.postpone(at, args[0], wake_at - min(5 * MINUTE, (wake_at - at) // 4))
        elif kind == "wake":
            ticket.wake(at)
        elif kind in ("spam", "delete"):
            ticket.bin(at, args[0], "spam" if kind == "spam" else "deleted")
        else:  # pragma: no cover - the scripts only use the kinds above
            raise _GeneratorBug(kind)
    return ticket


def _epoch_of(text: str) -> int:
    """Inverse of _text for the times it produced."""
    return _DAY_OF[text[:11]] * DAY + int(text[11:13]) * HOUR + int(text[14:16]) * MINUTE + int(text[17:19])


def _quick_sort_key(meaning: Meaning, waiting_since: str | None, updated_at: str) -> int:
    """writes.sort_key_for, for times made by _text."""
    if meaning is Meaning.ATTENTION:
        return _epoch_of(waiting_since or updated_at)
    return -_epoch_of(updated_at)


def _generate(tickets: int, seed: int, now: int) -> tuple[list[_Ticket], list[_Customer]]:
    rng = _Random(seed)
    author = _Author(rng, now)
    customers = _make_customers(rng, max(1, tickets // 3))
    played = [_play(plan, now, rng) for plan in _awkward_plans(author, min(10, tickets // 20))]
    statuses = [s for s, _ in _STATUS_WEIGHTS]
    priorities = [p for p, _ in _PRIORITY_WEIGHTS]
    for i in range(tickets - len(played)):
        # The first tickets cover every status and priority, so even a tiny demo shows them all.
        status = statuses[i] if i < len(statuses) else _STATUS(rng)
        priority = priorities[i] if i < len(priorities) else _PRIORITY(rng)
        # Every customer gets a ticket; some write often.
        customer = customers[i] if i < len(customers) else customers[int(len(customers) * rng.random() ** 2)]
        played.append(_play(_script_ticket(author, customer, status, priority), now, rng))
    # writes.sort_key_for parses its times with strptime (about 20 us a call); ours are
    # known to be well-formed, so a quick equivalent is used once it agrees with the real one.
    sort_key = _quick_sort_key
    for ticket in played[:200]:
        status, waiting_since, moment = ticket.sort_on
        meaning = _MEANINGS[status]
        if sort_key_for(meaning, waiting_since, moment) != _quick_sort_key(meaning, waiting_since, moment):
            sort_key = sort_key_for
            break
    for ticket in played:
        ticket.finish(sort_key)
    played.sort(key=lambda t: t.created)  # ids in the order the requests arrived
    everyone: dict[str, _Customer] = {}
    for ticket in played:
        known = everyone.setdefault(ticket.customer.email, ticket.customer)
        if not known.created_at or ticket.created < known.created_at:
            known.created_at = ticket.created
    return played, list(everyone.values())


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


_TICKET_COLUMNS = (
    "id", "subject", "customer_id", "status", "previous_status", "postponed_from", "postponed_until", "priority",
    "priority_rank", "assignee_id", "department_id", "created_at", "updated_at", "waiting_since",
    "first_response_at", "resolved_at", "last_customer_message_at", "last_agent_reply_at", "last_message_at",
    "message_count", "bucket", "sort_key", "version",
)
_MESSAGE_COLUMNS = ("id", "ticket_id", "kind", "author", "body", "created_at", "message_id")


def _insert_many(conn: Any, insert: str, width: int, rows: list[tuple], batch: int = 50) -> None:
    """executemany, `batch` rows per statement: about a third less time per row than one by one."""
    one = "(" + ", ".join("?" for _ in range(width)) + ")"
    full = len(rows) - len(rows) % batch
    if full:
        conn.executemany(
            f"{insert} VALUES {', '.join(one for _ in range(batch))}",
            (tuple(chain.from_iterable(rows[i : i + batch])) for i in range(0, full, batch)),
        )
    if full < len(rows):
        conn.executemany(f"{insert} VALUES {one}", rows[full:])


def _insert_in_one_statement(conn: Any, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows into a table with full-text triggers, fast.

    Row by row, every INSERT that fires a trigger opens a statement savepoint,
    and FTS5 writes its pending index data to disk at each one: a tiny index
    segment per row, merged over and over (about 10x slower). Staged in a temp
    table and moved with a single INSERT ... SELECT, the triggers still fire for
    every row but FTS5 flushes only when its buffer is full.
    """
    names = ", ".join(columns)
    stage = f"demo_stage_{table}"
    conn.execute(f"DROP TABLE IF EXISTS temp.{stage}")
    conn.execute(f"CREATE TEMP TABLE {stage} AS SELECT {names} FROM main.{table} WHERE 0")
    _insert_many(conn, f"INSERT INTO temp.{stage}({names})", len(columns), rows)
    conn.execute(f"INSERT INTO main.{table}({names}) SELECT {names} FROM temp.{stage} ORDER BY rowid")
    conn.execute(f"DROP TABLE temp.{stage}")


def _ids(conn: Any, table: str, column: str, values: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        rows = conn.execute(
            f"SELECT {column}, id FROM {table} WHERE {column} IN ({', '.join('?' for _ in chunk)})", chunk
        ).fetchall()
        found.update({name.casefold(): ident for name, ident in rows})
    return {value: found[value.casefold()] for value in values}


def _epoch(now: datetime | None) -> int:
    moment = now or system_clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


# Seconds spent in each phase of the last fill_demo call (for the benchmark).
last_timings: dict[str, float] = {}


def fill_demo(store: Store, tickets: int = 1000, seed: int = 1, now: datetime | None = None) -> int:
    """Add `tickets` realistic demo tickets to the store; returns how many were added.

    The same `seed` and `now` always give the same data. Appends to what is
    there: existing customers, agents, departments and tags are reused.
    """
    last_timings.clear()
    if tickets <= 0:
        return 0
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        moment = time.perf_counter()
        last_timings[name] = last_timings.get(name, 0.0) + moment - started
        started = moment

    clock_now = _epoch(now)
    played, customers = _generate(tickets, seed, clock_now)
    count = len(played)

    conn = store.conn
    last_id = int(conn.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0])
    cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
    # The indexes take rows in random order: a bigger page cache than the default
    # 2 MB saves many reads and writes while they grow (restored at the end).
    conn.execute("PRAGMA cache_size = -262144")
    try:
        _write(store, played, customers, lap)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache_size)}")
    lap("commit")
    with store.transaction() as conn:
        conn.execute(
            "UPDATE tickets SET deleted_at = (SELECT max(at) FROM events e WHERE e.ticket_id = tickets.id"
            " AND e.kind = 'deleted') WHERE status = 'deleted' AND id > ?",
            [last_id],
        )
    # SLA clocks are replayed from the timeline just written, as after any bulk fill.
    TicketService(store, clock=lambda: datetime.fromtimestamp(clock_now, UTC)).rebuild_sla(after_id=last_id)
    lap("sla")
    return count


def _write(store: Store, played: list[_Ticket], customers: list[_Customer], lap: Callable[[str], None]) -> None:
    tag_names = list(dict.fromkeys(tag for t in played for tag in t.tags))
    with store.transaction() as conn:
        conn.executemany(
            "INSERT OR IGNORE INTO agents(name, full_name, email, active) VALUES (?, ?, ?, ?)",
            [(a.name, a.full_name, a.email, int(a.active)) for a in AGENTS],
        )
        conn.executemany("INSERT OR IGNORE INTO departments(name) VALUES (?)", [(d,) for d in DEPARTMENTS])
        conn.executemany("INSERT OR IGNORE INTO tags(name) VALUES (?)", [(t,) for t in tag_names])
        conn.executemany(
            "INSERT OR IGNORE INTO customers(email, name, phone, company, created_at) VALUES (?, ?, ?, ?, ?)",
            [(c.email, c.name or None, c.phone, c.company, _text(c.created_at)) for c in customers],
        )
        agent_ids = _ids(conn, "agents", "name", [a.name for a in AGENTS])
        department_ids = _ids(conn, "departments", "name", DEPARTMENTS)
        tag_ids = _ids(conn, "tags", "name", tag_names)
        customer_ids = _ids(conn, "customers", "email", [c.email for c in customers])

        # Explicit ids (one transaction holds the write lock, so nobody takes them meanwhile),
        # above any purged ticket so a report never mixes an old ticket with a new one.
        first_ticket = 1 + conn.execute(
            "SELECT max(coalesce((SELECT max(id) FROM tickets), 0), coalesce((SELECT max(ticket_id) FROM purged), 0))"
        ).fetchone()[0]
        next_message = 1 + (conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()[0])

        lap("generate")
        ticket_rows = []
        tag_rows = []
        message_rows = []
        attachment_rows = []
        event_rows = []
        message_id = next_message
        for ticket_id, t in enumerate(played, start=first_ticket):
            ticket_rows.append((
                ticket_id, t.subject, customer_ids[t.customer.email], t.status, t.previous_status,
                t.postponed_from, t.postponed_until, t.priority, _RANKS[t.priority],
                agent_ids[t.assignee] if t.assignee else None,
                department_ids[t.department] if t.department else None,
                t.created_at, t.updated_at, t.waiting_since, t.first_response_at, t.resolved_at,
                t.last_customer_message_at, t.last_agent_reply_at, t.last_message_at, t.message_count,
                t.bucket, t.sort_key, t.version,
            ))
            for name in t.tags:
                tag_rows.append((ticket_id, tag_ids[name]))
            for n, (moment, kind, author, body, token, attachments) in enumerate(t.messages):
                # A Message-ID like a mail client's, unique in the store thanks to the ticket id.
                header = f"<{ticket_id}.{n}.{token}@mail.{author.rpartition('@')[2]}>" if token else None
                message_rows.append((message_id, ticket_id, kind, author, body, moment, header))
                for name, content_type, data in attachments:
                    attachment_rows.append((message_id, name, content_type, len(data), data))
                message_id += 1
            event_rows.extend([(ticket_id, *event) for event in t.events])
        played.clear()  # the rows hold what is needed; let the rest go before SQLite needs memory
        lap("rows")

        _insert_in_one_statement(conn, "tickets", _TICKET_COLUMNS, ticket_rows)
        lap("insert tickets")
        conn.executemany("INSERT INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)", tag_rows)
        _insert_in_one_statement(conn, "messages", _MESSAGE_COLUMNS, message_rows)
        lap("insert messages")
        conn.executemany(
            "INSERT INTO attachments(message_id, filename, content_type, size, data) VALUES (?, ?, ?, ?, ?)",
            attachment_rows,
        )
        _insert_many(conn, "INSERT INTO events(ticket_id, at, actor, kind, from_value, to_value, detail)", 7,
                     event_rows)
        lap("insert events")


__all__ = ["AGENTS", "DEPARTMENTS", "fill_demo"]
