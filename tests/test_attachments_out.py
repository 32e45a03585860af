"""`tui-desk attachment list/save`: attachments out of the desk (issue 15 item 1).

Tickets come in through the real mail import, hostile attachment names included, and
every save must stay inside the chosen folder, under a clean name, never over a file.
"""

from __future__ import annotations

import json

import platformdirs
import pytest
from support import assert_one_line_error, mail, run_cli

pytestmark = pytest.mark.both_backends

ESCAPED = "\x1b[31mred\x1b[0m.txt"


def _raw_mail(parts: list[tuple[bytes, str, bytes]]) -> bytes:
    """A customer mail with attachments whose names are written raw, as a hostile sender would."""
    head = mail("Erin <erin@example.com>", "Invoice", "see attached", "<att1@example.com>")
    head = head.split(b"\n\n", 1)[0]
    head = b"\n".join(line for line in head.split(b"\n") if not line.lower().startswith((b"content-", b"mime-")))
    body = [head + b"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=XX\n\n--XX\nContent-Type: text/plain\n\nsee attached\n"]
    for name, ctype, data in parts:
        body.append(b'--XX\nContent-Type: ' + ctype.encode() + b'\nContent-Disposition: attachment; filename="'
                    + name + b'"\n\n' + data + b"\n")
    body.append(b"--XX--\n")
    return b"".join(body)


@pytest.fixture
def desk(db_path, tmp_path, capsys, service):
    """Ticket 1 mailed in with three attachments, ticket 2 holding names stored raw; run(*args) -> (code, out, err).

    The mail import already flattens slashes; ticket 2 holds names as an older store or a
    restored export may, so the save itself is shown to keep them inside the folder.
    """
    eml = tmp_path / "in.eml"
    eml.write_bytes(_raw_mail([
        (b"report.pdf", "application/pdf", b"PDFDATA"),
        (b"../../x", "text/plain", b"TRAVERSAL"),
        (ESCAPED.encode(), "text/x-\x1b[8mevil", b"ESCAPE"),
    ]))

    def run(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, ["--db", str(db_path), "--as", "alice", *args])

    code, out, err = run("import", str(eml))
    assert code == 0, err
    service.create_ticket(email="mallory@example.com", subject="raw", body="x", attachments=[
        ("../../x", "text/plain", b"TRAVERSAL"), (ESCAPED, "text/plain", b"ESCAPE"), ("/etc/passwd", "text/plain", b"ABS"),
    ])
    return run


def _listed(run, ticket: str = "1") -> list[dict]:
    code, out, _err = run("attachment", "list", ticket, "--json")
    assert code == 0
    return json.loads(out)


def test_list_gives_id_name_type_size_and_message(desk) -> None:
    found = _listed(desk)
    assert [(a["name"], a["size"]) for a in found] == [("report.pdf", 7), (".._.._x", 9), (ESCAPED, 6)]
    assert all(set(a) == {"id", "name", "type", "size", "message"} for a in found)
    assert len({a["message"] for a in found}) == 1 and found[0]["type"] == "application/pdf"
    code, out, _err = desk("attachment", "list", "1")
    assert code == 0 and "report.pdf" in out and "\x1b" not in out  # hostile names reach the terminal defanged


def test_hostile_names_land_inside_the_folder_under_clean_names_and_never_overwrite(desk, tmp_path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    by_name = {a["name"]: a["id"] for a in _listed(desk, "2")}
    for name in ("../../x", ESCAPED, "/etc/passwd"):
        code, out, err = desk("attachment", "save", str(by_name[name]), "--to", str(folder))
        assert code == 0, err
        assert "\x1b" not in out
    assert sorted(p.name for p in folder.iterdir()) == ["[31mred[0m.txt", "passwd", "x"]
    assert not (tmp_path / "x").exists() and (folder / "x").read_bytes() == b"TRAVERSAL"
    # A second save keeps the first file and takes the next free name.
    code, out, _err = desk("attachment", "save", str(by_name["../../x"]), "--to", str(folder))
    assert code == 0 and "x (2)" in out
    assert (folder / "x").read_bytes() == b"TRAVERSAL" and (folder / "x (2)").read_bytes() == b"TRAVERSAL"
    assert {p.parent for p in folder.rglob("*")} == {folder}


def test_save_goes_to_the_downloads_folder_by_default(desk, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    first = _listed(desk)[0]["id"]
    code, out, err = desk("attachment", "save", str(first))
    assert code == 0, err
    saved = platformdirs.user_downloads_path() / "report.pdf"
    assert saved.read_bytes() == b"PDFDATA" and str(saved) in out


def test_output_file_is_refused_when_it_exists_and_dash_writes_stdout(desk, tmp_path) -> None:
    first = _listed(desk)[0]["id"]
    target = tmp_path / "mine.pdf"
    assert desk("attachment", "save", str(first), "--output", str(target))[0] == 0
    assert target.read_bytes() == b"PDFDATA"
    target.write_bytes(b"KEEP")
    assert_one_line_error(*desk("attachment", "save", str(first), "--output", str(target)), "exists")
    assert target.read_bytes() == b"KEEP"
    code, out, _err = desk("attachment", "save", str(first), "--output", "-")
    assert code == 0 and out == "PDFDATA"


def test_unknown_ids_are_one_line(desk) -> None:
    assert_one_line_error(*desk("attachment", "save", "999"), "999")
    assert_one_line_error(*desk("attachment", "save", "x\x1b[2J"))
    assert_one_line_error(*desk("attachment", "list", "42"), "42")
