"""A PostgreSQL server that stops answering (frozen, or its network cut without a reset):
quitting the app still ends it at once, in a real terminal (tests/ui/conftest's Pilot runs
inside pytest's own loop and interpreter, which never wait for the workers the way a real
quit does). The app runs as `tui-desk` in a pseudo-terminal; its connections go through a
relay that stops passing bytes, as a server whose host froze would."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import open_store
from tui_desk.ui.app import QUIT_WAIT

ROOT = Path(__file__).resolve().parents[2]


class Relay:
    """A Unix socket that passes each connection on to the server's, until `freeze`: from then
    on it reads and holds everything and answers nothing, new connections included."""

    def __init__(self, server_socket: str) -> None:
        self.folder = tempfile.mkdtemp(prefix="relay-")  # short: a socket path has ~100 bytes
        self._server = server_socket
        self._frozen = threading.Event()
        self._closed = threading.Event()
        self._listener = socket.socket(socket.AF_UNIX)
        self._listener.bind(os.path.join(self.folder, ".s.PGSQL.5432"))
        self._listener.listen(50)
        self._sockets: list[socket.socket] = [self._listener]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            self._sockets.append(client)
            if self._frozen.is_set():
                continue
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(self._server)
            self._sockets.append(upstream)
            threading.Thread(target=self._pass, args=(client, upstream), daemon=True).start()

    def _pass(self, one: socket.socket, other: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while not self._closed.is_set():
                ready, _, _ = select.select([one, other], [], [], 0.1)
                for source in ready:
                    data = source.recv(65536)
                    if not data:
                        return
                    if not self._frozen.is_set():
                        (other if source is one else one).sendall(data)

    def freeze(self) -> None:
        self._frozen.set()

    def close(self) -> None:
        self._closed.set()
        for sock in self._sockets:
            with contextlib.suppress(OSError):
                sock.close()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def relay(pg_url: str) -> Iterator[Relay]:
    host = parse_qs(urlparse(pg_url).query)["host"][0]
    made = Relay(os.path.join(host, ".s.PGSQL.5432"))
    yield made
    made.close()


def test_quitting_while_the_server_stopped_answering_ends_the_app_at_once(
    pg_url: str, relay: Relay, tmp_path: Path
) -> None:
    store = open_store(pg_url)
    TicketService(store, actor="alice").create_ticket(email="a@example.com", subject="Frozenfirst", body="one")
    TicketService(store, actor="alice").create_ticket(email="b@example.com", subject="Frozensecond", body="two")
    store.close()
    url = pg_url.split("?")[0] + f"?host={relay.folder}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    master, slave = pty.openpty()
    app = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", "--db", url, "--as", "alice"],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True,
    )
    os.close(slave)
    seen = bytearray()

    def read(until: float) -> None:
        while time.monotonic() < until:
            if select.select([master], [], [], 0.05)[0]:
                with contextlib.suppress(OSError):
                    seen.extend(os.read(master, 65536))

    try:
        deadline = time.monotonic() + 30
        while b"Frozenfirst" not in seen and time.monotonic() < deadline and app.poll() is None:
            read(time.monotonic() + 0.2)
        assert b"Frozenfirst" in seen, seen[-2000:].decode(errors="replace")
        read(time.monotonic() + 1.5)  # the first jobs done: presence written, the listener listening
        relay.freeze()
        os.write(master, b"j")  # the next thread to read, presence to write: both wait for ever now
        read(time.monotonic() + 1.0)
        os.write(master, b"q")
        quit_at = time.monotonic()
        while app.poll() is None and time.monotonic() - quit_at < 20:
            read(time.monotonic() + 0.2)
        took = time.monotonic() - quit_at
        assert app.poll() is not None, f"still running {took:.0f} s after q"
        assert app.returncode == 0
        assert b"Traceback" not in seen
        assert b"did not answer" in seen  # said on the way out: the last action may not be stored
        assert took < QUIT_WAIT + 4
    finally:
        if app.poll() is None:
            os.killpg(app.pid, signal.SIGKILL)
            app.wait()
        os.close(master)


def test_an_app_cut_off_in_the_middle_of_a_write_does_not_hold_the_desk_for_the_others(
    pg_url: str, relay: Relay, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alice's laptop shuts while her app is inside a transaction (it holds the desk's write
    lock). Bob's next change waits at most IDLE_IN_TRANSACTION for her session to end, then goes
    through; before, every write of every agent failed after lock_timeout for as long as the
    system's TCP keepalive took to notice her gone (two hours)."""
    from tui_desk.domain.errors import StoreError
    from tui_desk.store import pg_db

    monkeypatch.setattr(pg_db, "IDLE_IN_TRANSACTION", 1.0, raising=False)
    bob_store = open_store(pg_url)
    bob = TicketService(bob_store, actor="bob")
    ticket = bob.create_ticket(email="a@example.com", subject="Locked", body="one")
    alice_store = open_store(pg_url.split("?")[0] + f"?host={relay.folder}")
    writing = alice_store.transaction()
    writing.__enter__()  # BEGIN and the write lock taken: then nothing more comes from her
    relay.freeze()
    try:
        started = time.monotonic()
        bob.add_note(ticket, "Bob can still work.")
        assert time.monotonic() - started < 5.0
    finally:
        relay.close()  # her connection ends here: the rollback below fails at once, not for ever
        with contextlib.suppress(StoreError, Exception):
            writing.__exit__(None, None, None)
        bob_store.close()
