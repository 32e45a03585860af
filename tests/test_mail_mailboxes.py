"""Two mailboxes end to end: a real dovecot (two users, as tests/test_mail_imap.py starts one) and a
real SMTP server (aiosmtpd). Each ticket gets its mailbox's department, its replies go out From
that mailbox, and a new ticket's sender is acknowledged once (RFC 3834), never a machine."""

from __future__ import annotations

import mailbox
import socket
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from support import run_cli, stop_dovecot_in_background
from test_mail_imap import DOVECOT, _why_not, free_port
from test_mail_smtp import Collect

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.imap import fetch_all
from tui_desk.mail.outbox import reply_options, send_due
from tui_desk.mail.settings import mail_settings
from tui_desk.store import queries

aiosmtpd = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is not installed")
pytestmark = [pytest.mark.skipif(_why_not() is not None, reason=_why_not() or ""), pytest.mark.both_backends]

USERS = {"sales": "sales-pw", "billing": "billing-pw"}


@pytest.fixture
def dovecot():
    """dovecot with the users sales and billing; yields (port, deliver(user, raw))."""
    root = Path(tempfile.mkdtemp(prefix="tui-desk-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    (root / "passwd").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in USERS.items()))
    config = root / "dovecot.conf"
    config.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = 100
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""")
    boxes = {user: mailbox.Maildir(root / "mail" / user, create=True) for user in USERS}
    subprocess.run(["chown", "-R", "dovecot:dovecot", str(root / "mail"), str(root / "home")], check=True)
    subprocess.run([DOVECOT, "-c", str(config)], check=True)
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        pytest.fail("dovecot did not start: " + (root / "dovecot.log").read_text(errors="replace")[-2000:])

    def deliver(user: str, raw: bytes) -> None:
        boxes[user].add(raw)
        subprocess.run(["chown", "-R", "dovecot:dovecot", str(root / "mail")], check=True)

    yield port, deliver
    stop_dovecot_in_background(DOVECOT, config, root)


@pytest.fixture
def smtp_server():
    port = free_port()
    handler = Collect()
    controller = aiosmtpd.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


def raw_config(imap_port: int, smtp_port: int, **billing: object) -> dict:
    def account(user: str, department: str, **more: object) -> dict:
        return {"host": "127.0.0.1", "port": imap_port, "security": "none", "user": user,
                "password_env": f"TEST_{user.upper()}_PW", "department": department,
                "from": f"{department} <{user}@desk.example>", "acknowledge": True, **more}

    return {"mail": {
        "addresses": ["help@desk.example"],
        "smtp": {"host": "127.0.0.1", "port": smtp_port, "security": "none", "user": None,
                 "from": "Help Desk <help@desk.example>"},
        "imap": [account("sales", "Sales"), account("billing", "Billing", **billing)],
    }}


def message(n: int, frm: str, to: str, **headers: str) -> bytes:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = to
    m["Subject"] = f"Question {n}"
    m["Message-ID"] = f"<q{n}@example.com>"
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(f"Body {n}")
    return m.as_bytes()


@pytest.fixture
def passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    for user, password in USERS.items():
        monkeypatch.setenv(f"TEST_{user.upper()}_PW", password)


def test_two_mailboxes_departments_replies_and_acknowledgements(
    service: TicketService, clock, dovecot, smtp_server, passwords
) -> None:
    imap_port, deliver = dovecot
    smtp_port, handler = smtp_server
    settings = mail_settings(raw_config(imap_port, smtp_port))
    deliver("sales", message(1, "Carol <carol@example.com>", "sales@desk.example"))
    deliver("billing", message(2, "Dave <dave@example.com>", "billing@desk.example"))
    # None of these may be acknowledged: a machine, a list, noreply, the desk itself.
    deliver("sales", message(3, "erin@example.com", "sales@desk.example", Auto_Submitted="auto-replied"))
    deliver("sales", message(4, "frank@example.com", "sales@desk.example", List_Id="<news.example.com>"))
    deliver("billing", message(5, "noreply@shop.example", "billing@desk.example"))
    deliver("billing", message(6, "billing@desk.example", "billing@desk.example"))
    fetch_all(service, settings)

    tickets = {t["subject"]: t for t in service.store.query("SELECT id, subject, mailbox, status FROM tickets")}
    assert len(tickets) == 6
    sales, billing = tickets["Question 1"]["id"], tickets["Question 2"]["id"]
    assert queries.get_ticket(service.store, sales).department == "Sales"
    assert queries.get_ticket(service.store, billing).department == "Billing"
    assert tickets["Question 1"]["mailbox"] == "Sales <sales@desk.example>"
    assert {t["status"] for t in tickets.values()} == {"new"}

    assert send_due(service.store, settings, clock=clock).sent == 2  # the two acknowledgements
    acks = {str(m["To"]): m for m in handler.received}
    assert set(acks) == {"Carol <carol@example.com>", "Dave <dave@example.com>"}
    ack = acks["Carol <carol@example.com>"]
    assert ack["From"] == "Sales <sales@desk.example>"
    assert acks["Dave <dave@example.com>"]["From"] == "Billing <billing@desk.example>"
    assert ack["Auto-Submitted"] == "auto-replied" and ack["X-Auto-Response-Suppress"] == "All"
    assert ack["In-Reply-To"] == "<q1@example.com>"
    assert f"[#{sales}]" in ack["Subject"] and f"#{sales}" in ack.get_content()

    # The agents answer: each reply goes out From the mailbox its ticket came in through.
    handler.received.clear()
    handler.envelopes.clear()
    service.reply(sales, "Your order ships today.", **reply_options(settings))
    service.reply(billing, "Refund is on its way.", **reply_options(settings))
    assert send_due(service.store, settings, clock=clock).sent == 2
    replies = {str(m["From"]): m for m in handler.received}
    assert set(replies) == {"Sales <sales@desk.example>", "Billing <billing@desk.example>"}
    assert replies["Sales <sales@desk.example>"]["To"] == "Carol <carol@example.com>"
    assert "Auto-Submitted" not in replies["Sales <sales@desk.example>"]
    assert replies["Sales <sales@desk.example>"]["In-Reply-To"] == "<q1@example.com>"
    # The envelope sender stays the [mail.smtp] address the server knows (docs/issue15/mailboxes.md).
    assert {sender for sender, _rcpt in handler.envelopes} == {"help@desk.example"}

    # Carol writes again within the hour, a new request: no second acknowledgement.
    handler.received.clear()
    clock.advance(minutes=30)
    deliver("sales", message(7, "Carol <carol@example.com>", "sales@desk.example"))
    fetch_all(service, settings)
    assert service.store.scalar("SELECT count(*) FROM tickets") == 7
    assert send_due(service.store, settings, clock=clock).sent == 0
    assert service.store.scalar("SELECT count(*) FROM outbox WHERE kind = 'acknowledgement'") == 2


def test_import_of_the_same_mail_acknowledges_nothing(
    db_path, tmp_path, monkeypatch, capsys, dovecot, smtp_server
) -> None:
    imap_port, _deliver = dovecot
    smtp_port, _handler = smtp_server
    config = raw_config(imap_port, smtp_port)
    monkeypatch.setenv("TUI_DESK_CONFIG", str(_write_toml(tmp_path, config)))
    eml = tmp_path / "carol.eml"
    eml.write_bytes(message(1, "Carol <carol@example.com>", "sales@desk.example"))
    code, _out, err = run_cli(capsys, ["--db", str(db_path), "import", str(eml)])
    assert code == 0, err
    from tui_desk.store import open_store

    store = open_store(db_path)
    try:
        assert store.scalar("SELECT count(*) FROM tickets") == 1
        assert store.scalar("SELECT count(*) FROM outbox") == 0
        assert store.scalar("SELECT mailbox FROM tickets") is None  # an archive came through no mailbox
    finally:
        store.close()


def test_fetch_refuses_a_missing_saved_reply_in_one_line(
    db_path, tmp_path, monkeypatch, capsys, dovecot, smtp_server, passwords
) -> None:
    imap_port, deliver = dovecot
    smtp_port, _handler = smtp_server
    config = raw_config(imap_port, smtp_port, acknowledge_with="Thanks for writing")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(_write_toml(tmp_path, config)))
    deliver("sales", message(1, "carol@example.com", "sales@desk.example"))
    code, _out, err = run_cli(capsys, ["--db", str(db_path), "fetch"])
    assert code != 0
    assert "acknowledge_with" in err and "Thanks for writing" in err
    assert len(err.strip().splitlines()) == 1


def _write_toml(tmp_path: Path, config: dict) -> Path:
    lines = ["[mail]", 'addresses = ["help@desk.example"]', "", "[mail.smtp]"]
    smtp = config["mail"]["smtp"]
    lines += [f'host = "{smtp["host"]}"', f"port = {smtp['port']}", 'security = "none"', f'from = "{smtp["from"]}"']
    for account in config["mail"]["imap"]:
        lines += ["", "[[mail.imap]]"]
        for key, value in account.items():
            lines.append(f"{key} = {str(value).lower() if isinstance(value, bool) else repr(value) if isinstance(value, str) else value}")
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines).replace("'", '"') + "\n")
    return path
