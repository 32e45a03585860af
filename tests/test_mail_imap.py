"""IMAP in: a real dovecot on 127.0.0.1 with its own config in a temp dir; fetch imports and flags."""

from __future__ import annotations

import imaplib
import mailbox
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from support import stop_dovecot_in_background

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.imap import EXIT_AFTER_COMMIT_ENV, fetch_all
from tui_desk.mail.settings import mail_settings

DOVECOT = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")


def _why_not() -> str | None:
    if DOVECOT is None:
        return "dovecot is not installed (apt-get install -y dovecot-imapd; .ci/run does it in CI)"
    if os.geteuid() != 0:
        return "dovecot needs root to start in the tests"
    return None


pytestmark = [pytest.mark.skipif(_why_not() is not None, reason=_why_not() or ""), pytest.mark.both_backends]

USER, PASSWORD = "desk", "secret-pw"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def dovecot():
    root = Path(tempfile.mkdtemp(prefix="tui-desk-dovecot-"))
    root.chmod(0o755)
    port = free_port()
    for name in ("run", "state", "mail", "home"):
        (root / name).mkdir()
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
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
    maildir = mailbox.Maildir(root / "mail" / USER, create=True)
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

    def deliver(raw: bytes) -> None:
        maildir.add(raw)
        subprocess.run(["chown", "-R", "dovecot:dovecot", str(root / "mail")], check=True)

    yield port, deliver, root
    stop_dovecot_in_background(DOVECOT, config, root)


def message(n: int, reply_to: str | None = None, frm: str = "carol@example.com") -> bytes:
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "desk@desk.example"
    m["Subject"] = f"Question {n}"
    m["Message-ID"] = f"<q{n}@example.com>"
    if reply_to:
        m["In-Reply-To"] = reply_to
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    m.set_content(f"Body {n} ünïcode")
    return m.as_bytes()


def config_for(port: int) -> dict:
    return {"mail": {"imap": [{"host": "127.0.0.1", "port": port, "security": "none", "user": USER,
                               "password_env": "TEST_IMAP_PASSWORD"}]}}


def unseen(port: int) -> int:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    _status, data = client.search(None, "UNSEEN")
    client.logout()
    return len(data[0].split())


def test_fetch_imports_and_marks_seen(service: TicketService, dovecot, monkeypatch) -> None:
    port, deliver, _root = dovecot
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    deliver(message(1))
    deliver(message(2, reply_to="<q1@example.com>"))
    deliver(message(3))
    deliver(b"Subject: no sender\r\n\r\nbroken")
    [(_account, summary)] = fetch_all(service, mail_settings(config_for(port)))
    assert (summary.tickets_created, summary.messages_added, len(summary.skipped)) == (3, 4, 0)
    assert service.store.scalar("SELECT count(*) FROM messages WHERE ticket_id = 1") == 2
    assert unseen(port) == 0
    deliver(message(4))
    [(_account, summary)] = fetch_all(service, mail_settings(config_for(port)))
    assert (summary.messages_added, summary.duplicates) == (1, 0)


def test_killed_between_commit_and_flags_loses_and_duplicates_nothing(db_path, tmp_path, dovecot) -> None:
    port, deliver, _root = dovecot
    for n in range(5):
        deliver(message(n))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[mail.imap]]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "{USER}"\n'
        f'password_command = "printf {PASSWORD}"\n'
    )
    env = {**os.environ, "TUI_DESK_CONFIG": str(config), EXIT_AFTER_COMMIT_ENV: "1"}
    command = [sys.executable, "-m", "tui_desk.cli", "fetch", "--db", str(db_path)]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    from tui_desk.store import open_store

    store = open_store(db_path)
    assert store.scalar("SELECT count(*) FROM messages") == 5  # committed...
    assert unseen(port) == 5  # ...but never flagged: the process died first
    del env[EXIT_AFTER_COMMIT_ENV]
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert second.returncode == 0, second.stderr
    assert "0 messages added, 5 already there" in second.stdout
    assert store.scalar("SELECT count(*) FROM messages") == 5
    assert store.scalar("SELECT count(*) FROM tickets") == 5
    assert unseen(port) == 0
    store.close()


def _flags_by_subject(port: int, folder: str = "INBOX") -> dict[str, str]:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select(folder)
    _status, data = client.uid("SEARCH", None, "ALL")
    found: dict[str, str] = {}
    for uid in data[0].split():
        _status, parts = client.uid("FETCH", uid.decode(), "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        subject = parts[0][1].decode().split(":", 1)[1].strip()
        found[subject] = "seen" if b"\\Seen" in parts[0][0] else "unseen"
    client.logout()
    return found


def _refusing_question_2(service: TicketService, monkeypatch) -> None:  # noqa: ANN001
    """The store refuses one message as a full or failing disk does; the others are stored."""
    import sqlite3

    real = service.create_ticket

    def create_ticket(**fields):  # noqa: ANN003, ANN202
        if fields["subject"] == "Question 2":
            raise sqlite3.OperationalError("disk I/O error")
        return real(**fields)

    monkeypatch.setattr(service, "create_ticket", create_ticket)


@pytest.mark.parametrize("move_to", [None, "Processed"])
def test_item7_unstored_message_stays_unseen(service: TicketService, dovecot, monkeypatch, move_to) -> None:
    port, deliver, _root = dovecot
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    for n in (1, 2, 3):
        deliver(message(n))
    deliver(b"Subject: no sender at all\r\n\r\nstill a customer")  # stored (item 6), so flagged
    config = config_for(port)
    if move_to:
        client = imaplib.IMAP4("127.0.0.1", port)
        client.login(USER, PASSWORD)
        client.create(move_to)
        client.logout()
        config["mail"]["imap"][0]["move_to"] = move_to
    _refusing_question_2(service, monkeypatch)
    [(_account, summary)] = fetch_all(service, mail_settings(config))
    if move_to:
        assert _flags_by_subject(port).get("Question 2") == "unseen"  # not moved
        assert set(_flags_by_subject(port, move_to)) == {"Question 1", "Question 3", "no sender at all"}
        assert _flags_by_subject(port) == {"Question 2": "unseen"}
    else:
        assert _flags_by_subject(port) == {"Question 1": "seen", "Question 2": "unseen", "Question 3": "seen",
                                           "no sender at all": "seen"}
    assert summary.messages_added == 3
    [(label, why)] = summary.skipped
    assert label.startswith("INBOX:") and "disk I/O error" in why
    # The next fetch, with a store that works again, takes it.
    monkeypatch.undo()
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    [(_account, summary)] = fetch_all(service, mail_settings(config))
    assert (summary.messages_added, summary.skipped) == (1, [])
    assert unseen(port) == 0


def test_item7_cli_names_the_message_left_on_the_server(db_path, tmp_path, dovecot, monkeypatch, capsys) -> None:
    from tui_desk.cli import main
    from tui_desk.core import lifecycle

    port, deliver, _root = dovecot
    deliver(message(1))
    deliver(message(2))
    real = lifecycle.TicketService.create_ticket

    def create_ticket(self, **fields):  # noqa: ANN001, ANN003, ANN202
        if fields["subject"] == "Question 2":
            raise lifecycle.StoreError("The store is full")
        return real(self, **fields)

    monkeypatch.setattr(lifecycle.TicketService, "create_ticket", create_ticket)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[[mail.imap]]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nuser = "{USER}"\n'
        f'password_command = "printf {PASSWORD}"\n'
    )
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    assert main(["fetch", "--db", str(db_path)]) == 0
    out, err = capsys.readouterr()
    assert "1 message added" in out and "1 skipped" in out
    assert "INBOX:2" in err and "The store is full" in err and "unseen" in err
    assert unseen(port) == 1


def test_item14_fetch_counts_from_arrival_not_from_the_date_header(store, dovecot, monkeypatch) -> None:
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    from tui_desk.domain.clock import to_text

    port, _deliver, _root = dovecot
    monkeypatch.setenv("TEST_IMAP_PASSWORD", PASSWORD)
    now = datetime.now(UTC).replace(microsecond=0)
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    cases = {  # subject: (Date header, INTERNALDATE, the moment the ticket must count from)
        "forged future": (datetime(2099, 1, 1, tzinfo=UTC), now - timedelta(hours=2), now - timedelta(hours=2)),
        "forged past": (datetime(2001, 1, 1, tzinfo=UTC), now - timedelta(hours=1), now - timedelta(hours=1)),
        "honest": (now - timedelta(hours=3, minutes=-5), now - timedelta(hours=3), now - timedelta(hours=3, minutes=-5)),
        "server in the future": (datetime(2099, 1, 1, tzinfo=UTC), now + timedelta(days=1), now),
    }
    for subject, (header, arrived, _expected) in cases.items():
        raw = (f"From: c@example.com\r\nSubject: {subject}\r\nDate: {format_datetime(header)}\r\n"
               f"Message-ID: <{subject.replace(' ', '-')}@example.com>\r\n\r\nbody\r\n").encode()
        assert client.append("INBOX", None, imaplib.Time2Internaldate(arrived), raw)[0] == "OK"
    client.logout()
    service = TicketService(store)  # the real clock: INTERNALDATE is real time
    [(_account, summary)] = fetch_all(service, mail_settings(config_for(port)))
    assert summary.messages_added == 4
    created = {r["subject"]: r["created_at"] for r in store.query("SELECT subject, created_at FROM tickets")}
    for subject, (_header, _arrived, expected) in cases.items():
        if subject == "server in the future":  # now, as the fetch saw it
            assert now <= datetime.fromisoformat(created[subject]) <= datetime.now(UTC), subject
        else:
            assert created[subject] == to_text(expected), subject
