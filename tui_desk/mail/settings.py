"""The [mail] part of the config file, and passwords (never stored in the store).

    [mail]
    addresses = ["help@example.com"]        # our addresses: mail "From:" them is not a customer's
    trust_own_address = false               # true: mail From them is an agent reply (anyone can forge From!)
    domain = "example.com"                  # for Message-IDs (default: the From domain)

    [mail.smtp]
    host = "smtp.example.com"
    port = 587
    security = "starttls"                   # tls | starttls | none
    user = "help@example.com"
    password_command = "pass show desk/smtp" # or password_env = "DESK_SMTP_PASSWORD"
    from = "Example Help Desk <help@example.com>"

    [[mail.imap]]
    host = "imap.example.com"
    port = 993
    security = "tls"
    user = "help@example.com"
    password_env = "DESK_IMAP_PASSWORD"
    folder = "INBOX"
    move_to = "Processed"                   # optional: move instead of marking \\Seen
    interval = 60                           # seconds between fetches with --watch
    trust_own_address = true                # this folder only (e.g. "Sent"): overrides [mail]
    department = "Billing"                  # tickets from this account get this department
    from = "Billing <billing@example.com>"  # ...and this From identity: replies go out from it
    acknowledge = true                      # answer a new ticket's first mail (RFC 3834, mail/acknowledge.py)
    acknowledge_with = "Acknowledgement"    # optional: the saved reply to send (default text otherwise)
    signature = "{agent.name}\nExample Help"  # replies on its tickets (core/signatures.py)
"""

from __future__ import annotations

import os
import shlex
import subprocess
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any

from ..core.names import person_name
from ..core.signatures import signature_text
from ..domain.errors import InvalidInput
from ..domain.text import hidden_characters
from ..i18n import _

SECURITY = ("tls", "starttls", "none")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    security: str
    user: str | None
    password_command: str | None
    password_env: str | None
    name: str

    def password(self) -> str | None:
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise InvalidInput(
                    _("{name}: the environment variable {var} is not set").format(name=self.name, var=self.password_env)
                )
            return value
        if self.password_command:
            try:
                done = subprocess.run(
                    shlex.split(self.password_command), capture_output=True, text=True, timeout=60, check=False
                )
            except (OSError, subprocess.SubprocessError) as error:
                raise InvalidInput(
                    _("{name}: password_command failed: {reason}").format(name=self.name, reason=error)
                ) from None
            if done.returncode != 0:
                raise InvalidInput(
                    _("{name}: password_command failed with status {code}").format(name=self.name, code=done.returncode)
                )
            return done.stdout.rstrip("\r\n")
        return None


@dataclass(frozen=True)
class SmtpSettings:
    server: Server
    sender: str  # the From header

    @property
    def address(self) -> str:
        return parseaddr(self.sender)[1].lower()


@dataclass(frozen=True)
class ImapSettings:
    server: Server
    folder: str = "INBOX"
    move_to: str | None = None
    interval: float = 60.0
    trust_own_address: bool | None = None  # None: as [mail] says
    department: str | None = None  # of the tickets this account creates
    identity: str | None = None  # `from`: the From header of replies to its tickets (None: [mail.smtp] from)
    acknowledge: bool = False  # a new ticket's sender gets an automatic reply (docs/issue15/acknowledgement.md)
    acknowledge_with: str | None = None  # the saved reply sent then (None: the default text)

    @property
    def address(self) -> str | None:
        return parseaddr(self.identity)[1].lower() if self.identity else None
    signature: str | None = None  # replies on its tickets: core/signatures.py says which wins


@dataclass(frozen=True)
class MailSettings:
    addresses: tuple[str, ...] = ()
    domain: str | None = None
    smtp: SmtpSettings | None = None
    imap: tuple[ImapSettings, ...] = field(default_factory=tuple)
    trust_own_address: bool = False

    def trusts_own_address(self, account: ImapSettings | None = None) -> bool:
        """Whether mail From one of our addresses is an agent reply (else a customer's, flagged).

        A From line proves nothing: only a folder the user knows holds the desk's
        own mail (a Sent folder, a BCC copy) should say yes.
        """
        if account is not None and account.trust_own_address is not None:
            return account.trust_own_address
        return self.trust_own_address

    @property
    def our_addresses(self) -> tuple[str, ...]:
        found = [a.lower() for a in self.addresses]
        if self.smtp is not None:
            found.append(self.smtp.address)
        found.extend((i.server.user or "").lower() for i in self.imap if "@" in (i.server.user or ""))
        found.extend(i.address for i in self.imap if i.address)
        return tuple(dict.fromkeys(found))

    @property
    def message_domain(self) -> str:
        if self.domain:
            return self.domain
        for address in self.our_addresses:
            if "@" in address:
                return address.rpartition("@")[2]
        return "tui-desk.invalid"


def _server(data: Any, name: str, default_ports: dict[str, int]) -> Server:
    if not isinstance(data, dict):
        raise InvalidInput(_("[{name}] must be a table").format(name=name))
    host = data.get("host")
    if not isinstance(host, str) or not host:
        raise InvalidInput(_("[{name}] needs host").format(name=name))
    security = str(data.get("security", "tls")).lower()
    if security not in SECURITY:
        raise InvalidInput(_("[{name}] security must be tls, starttls or none").format(name=name))
    port = data.get("port", default_ports[security])
    if not isinstance(port, int) or not 0 < port < 65536:
        raise InvalidInput(_("[{name}] port must be a number").format(name=name))
    if "password" in data:
        raise InvalidInput(
            _("[{name}] must not hold a password: use password_command or password_env").format(name=name)
        )
    return Server(
        host=host,
        port=port,
        security=security,
        user=data.get("user"),
        password_command=data.get("password_command"),
        password_env=data.get("password_env"),
        name=name,
    )


def mail_settings(raw: dict | None) -> MailSettings:
    mail = (raw or {}).get("mail") or {}
    if not isinstance(mail, dict):
        raise InvalidInput(_("[mail] must be a table"))
    addresses = mail.get("addresses", [])
    if isinstance(addresses, str):
        addresses = [addresses]
    smtp = None
    if "smtp" in mail:
        data = mail["smtp"]
        server = _server(data, "mail.smtp", {"tls": 465, "starttls": 587, "none": 25})
        sender = data.get("from") or server.user
        if not sender or "@" not in str(sender):
            raise InvalidInput(_("[mail.smtp] needs from, e.g. \"Help Desk <help@example.com>\""))
        smtp = SmtpSettings(server, str(sender))
    imaps = []
    entries = mail.get("imap", [])
    if isinstance(entries, dict):
        entries = [entries]
    for data in entries:
        server = _server(data, "mail.imap", {"tls": 993, "starttls": 143, "none": 143})
        imaps.append(
            ImapSettings(
                server,
                folder=str(data.get("folder", "INBOX")),
                move_to=data.get("move_to"),
                interval=float(data.get("interval", 60)),
                trust_own_address=_flag(data, "trust_own_address", "mail.imap"),
                department=_department(data),
                identity=_identity(data.get("from")),
                acknowledge=bool(_flag(data, "acknowledge", "mail.imap")),
                acknowledge_with=_text(data, "acknowledge_with"),
                signature=signature_text(data.get("signature"), "[[mail.imap]] signature"),
            )
        )
    return MailSettings(
        addresses=tuple(str(a) for a in addresses),
        domain=mail.get("domain"),
        smtp=smtp,
        imap=tuple(imaps),
        trust_own_address=bool(_flag(mail, "trust_own_address", "mail")),
    )


def _flag(data: dict, key: str, table: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise InvalidInput(_("[{table}] {key} must be true or false").format(table=table, key=key))


def _text(data: dict, key: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    # Control and invisible characters: a department holding one is refused for every ticket (core/names.py).
    if not isinstance(value, str) or not value.strip() or any(c in value for c in "\r\n") or hidden_characters(value):
        raise InvalidInput(_("[mail.imap] {key} must be one line of text").format(key=key))
    return " ".join(value.split())


def _department(data: dict) -> str | None:
    """`department`: a name the desk takes (core/names.py), else every mail the account fetches is refused."""
    value = _text(data, "department")
    if value is not None:
        try:
            person_name(value)
        except InvalidInput as error:
            raise InvalidInput(_("[mail.imap] {key}: {reason}").format(key="department", reason=error)) from None
    return value


def _identity(value: Any) -> str | None:
    """`from` of a [[mail.imap]] account: one address, as a From header (no line breaks to inject headers)."""
    if value is None:
        return None
    # Not only CR/LF: EmailMessage also takes NEL and U+2028 for line breaks, and refuses to send such a From.
    if isinstance(value, str) and not any(c in value for c in "\r\n") and not hidden_characters(value):
        found = getaddresses([value])
        if len(found) == 1 and "@" in found[0][1] and " " not in found[0][1].strip():
            return value.strip()
    raise InvalidInput(_("[mail.imap] from must be one address, e.g. \"Billing <billing@example.com>\""))
