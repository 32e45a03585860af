"""`tui-desk sla ...` and `tui-desk rules run` through a temporary config file ($TUI_DESK_CONFIG)."""

from __future__ import annotations

import io
import json
import tomllib
from datetime import timedelta

import pytest
from support import START

from tui_desk import cli
from tui_desk.domain.clock import from_text, to_text
from tui_desk.store import Store, queries

pytestmark = pytest.mark.both_backends

ALWAYS = [
    ("hours.days", "mon-sun"),
    ("hours.start", "00:00"),
    ("hours.end", "24:00"),
    ("hours.timezone", "UTC"),
]


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("TUI_DESK_CONFIG", str(path))
    return path


@pytest.fixture
def run(db_path, capsys, monkeypatch, config_file):
    """run("sla", "show") -> (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = cli.main(["--db", str(db_path), "--as", "alice", *args])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert (code, err) == (0, ""), err
    return out


def assert_one_line_error(result: tuple[int, str, str], *words: str) -> None:
    code, out, err = result
    assert code == 1
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for word in words:
        assert word in err, err


def show(run) -> dict:
    return json.loads(ok(run("sla", "show", "--json")))


def target(data: dict, priority: str, department: str | None = None) -> dict:
    return next(r for r in data["targets"] if r["priority"] == priority and r["department"] == department)


# -- show ----------------------------------------------------------------------------------------
def test_show_without_a_config_gives_the_built_in_defaults(run, config_file) -> None:
    data = show(run)
    assert data["config"] == str(config_file)
    assert data["configured"] == {}
    assert [r["priority"] for r in data["targets"]] == ["urgent", "high", "normal", "low"]
    urgent = target(data, "urgent")
    assert (urgent["first_response"], urgent["first_response_seconds"]) == ("1h", 3600)
    assert (urgent["resolution"], urgent["resolution_seconds"]) == ("8h", 8 * 3600)  # one business day
    assert target(data, "normal")["first_response"] == "8h"
    assert target(data, "low")["resolution"] == "10d"
    assert data["hours"]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert (data["hours"]["start"], data["hours"]["end"], data["hours"]["holidays"]) == ("09:00", "17:00", [])
    assert not config_file.exists()
    text = ok(run("sla", "show"))
    assert "built-in defaults" in text
    assert "mon-fri 09:00-17:00" in text
    assert "Holidays: none" in text


# -- set / unset round trip ----------------------------------------------------------------------
def test_set_show_unset_round_trip(run, config_file) -> None:
    out = ok(run("sla", "set", "first_response", "2h", "--priority", "urgent"))
    assert "Set first_response = 2h" in out and str(config_file) in out
    ok(run("sla", "set", "hours.days", "mon-fri"))
    ok(run("sla", "set", "hours.timezone", "Europe/Tallinn"))
    ok(run("sla", "set", "hours.holidays", "2026-12-24, 2026-12-25"))
    ok(run("sla", "set", "resolution", "3d", "--department", "Billing"))
    ok(run("sla", "set", "near", "30m", "--department", "Billing", "--priority", "high"))

    assert tomllib.loads(config_file.read_text()) == {
        "sla": {
            "hours": {
                "days": ["mon", "tue", "wed", "thu", "fri"],
                "timezone": "Europe/Tallinn",
                "holidays": ["2026-12-24", "2026-12-25"],
            },
            "policy": [
                {"priority": "urgent", "first_response": "2h"},
                {"department": "Billing", "resolution": "3d"},
                {"department": "Billing", "priority": "high", "near": "30m"},
            ],
        }
    }
    data = show(run)
    assert target(data, "urgent")["first_response"] == "2h"
    assert target(data, "high")["first_response"] == "4h"
    assert target(data, "urgent", "Billing")["first_response"] == "2h"
    assert target(data, "normal", "Billing")["resolution"] == "3d"
    assert target(data, "normal", "Billing")["resolution_seconds"] == 3 * 8 * 3600
    assert target(data, "normal")["resolution"] == "5d"
    assert target(data, "high", "Billing")["near"] == "30m"
    assert target(data, "high")["near"] == "25%"
    assert data["hours"]["timezone"] == "Europe/Tallinn"
    assert data["hours"]["holidays"] == ["2026-12-24", "2026-12-25"]
    text = ok(run("sla", "show"))
    assert "Billing" in text and "Europe/Tallinn" in text and "2026-12-24, 2026-12-25" in text

    ok(run("sla", "unset", "first_response", "--priority", "urgent"))
    ok(run("sla", "unset", "resolution", "--department", "Billing"))
    ok(run("sla", "unset", "near", "--department", "Billing", "--priority", "high"))
    ok(run("sla", "unset", "hours.holidays"))
    data = show(run)
    assert target(data, "urgent")["first_response"] == "1h"
    assert data["configured"] == {"hours": {"days": ["mon", "tue", "wed", "thu", "fri"], "timezone": "Europe/Tallinn"}}
    assert "Billing" not in config_file.read_text()
    ok(run("sla", "unset", "hours.days"))
    ok(run("sla", "unset", "hours.timezone"))
    assert tomllib.loads(config_file.read_text()) == {}
    assert "nothing to unset" in ok(run("sla", "unset", "hours.timezone"))


def test_set_keeps_every_other_table_and_key(run, config_file) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text(
        'language = "et"\nagent = "alice"\n\n[rules]\nauto_resolve_after = "7d"\npurge_deleted_after = "off"\n'
        '\n[sla]\nresolution = "4d"\n\n[ui]\ntheme = "dark"\ncolumns = ["id", "subject"]\n',
        encoding="utf-8",
    )
    ok(run("sla", "set", "first_response", "2h"))
    assert tomllib.loads(config_file.read_text()) == {
        "language": "et",
        "agent": "alice",
        "rules": {"auto_resolve_after": "7d", "purge_deleted_after": "off"},
        "sla": {"resolution": "4d", "first_response": "2h"},
        "ui": {"theme": "dark", "columns": ["id", "subject"]},
    }
    assert not list(config_file.parent.glob("*.tmp"))


def test_comments_survive_sla_set(run, config_file) -> None:
    config_file.parent.mkdir(parents=True)
    original = (
        '# my desk\nlanguage = "en"\n\n[sla]\n# the team promise\nresolution = "4d"  # four working days\n'
        '[sla.hours]\ndays = "mon-fri"  # as typed\n'
    )
    config_file.write_text(original, encoding="utf-8")
    out = ok(run("sla", "set", "first_response", "2h"))
    assert "bak" not in out
    text = config_file.read_text()
    for kept in ("# my desk", "# the team promise", '"4d"  # four working days', 'days = "mon-fri"  # as typed'):
        assert kept in text
    assert tomllib.loads(text) == {
        "language": "en",
        "sla": {"resolution": "4d", "first_response": "2h", "hours": {"days": "mon-fri"}},
    }
    assert sorted(p.name for p in config_file.parent.iterdir()) == ["config.toml"]
    ok(run("sla", "unset", "first_response"))
    text = config_file.read_text()
    assert tomllib.loads(text) == tomllib.loads(original)
    assert all(line in text.splitlines() for line in original.splitlines())


def test_comments_in_policies_survive_adding_and_removing_a_policy(run, config_file) -> None:
    # A new [[sla.policy]] (or one emptied by unset) used to replace every policy table,
    # dropping their comments with no backup and no word about it.
    config_file.parent.mkdir(parents=True)
    original = (
        '[sla]\nfirst_response = "4h"\n\n# billing asked for this\n[[sla.policy]]\ndepartment = "Billing"\n'
        'first_response = "1h"   # quick\n\n# after the policies\n[rules]\nauto_resolve_after = "3d"\n'
    )
    config_file.write_text(original, encoding="utf-8")
    ok(run("sla", "set", "resolution", "2d", "--department", "Sales"))
    text = config_file.read_text()
    for kept in ("# billing asked for this", '"1h"   # quick', "# after the policies"):
        assert kept in text
    assert "\n\n[rules]" in text  # the new table is set apart from the next one, as the others are
    assert tomllib.loads(text)["sla"]["policy"] == [
        {"department": "Billing", "first_response": "1h"},
        {"department": "Sales", "resolution": "2d"},
    ]
    ok(run("sla", "unset", "resolution", "--department", "Sales"))
    text = config_file.read_text()
    assert tomllib.loads(text) == tomllib.loads(original)
    for kept in ("# billing asked for this", '"1h"   # quick', "# after the policies"):
        assert kept in text
    ok(run("sla", "set", "first_response", "2h", "--priority", "urgent"))
    ok(run("sla", "unset", "first_response", "--department", "Billing"))
    text = config_file.read_text()
    assert tomllib.loads(text)["sla"]["policy"] == [{"priority": "urgent", "first_response": "2h"}]
    assert tomllib.loads(text)["rules"] == {"auto_resolve_after": "3d"}


def test_sla_set_changes_a_config_written_with_dotted_keys(run, config_file) -> None:
    # Valid TOML the in-place edit cannot follow (tomlkit would move `language` under
    # [sla.hours]); the file is then written with a fresh [sla] table, as it always could be.
    config_file.parent.mkdir(parents=True)
    config_file.write_text('# mine\nsla.first_response = "4h"  # dotted\nlanguage = "en"\n', encoding="utf-8")
    ok(run("sla", "set", "hours.start", "08:00"))
    ok(run("sla", "set", "resolution", "1d", "--priority", "high"))
    text = config_file.read_text()
    assert "# mine" in text
    assert tomllib.loads(text) == {
        "language": "en",
        "sla": {
            "first_response": "4h",
            "hours": {"start": "08:00"},
            "policy": [{"priority": "high", "resolution": "1d"}],
        },
    }


def test_a_first_policy_is_set_apart_from_the_next_table(run, config_file) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[sla]\nfirst_response = "4h"\n\n[rules]\nauto_resolve_after = "3d"\n', encoding="utf-8")
    ok(run("sla", "set", "resolution", "1d", "--priority", "high"))
    text = config_file.read_text()
    assert '[[sla.policy]]\npriority = "high"\nresolution = "1d"\n\n[rules]' in text
    assert tomllib.loads(text)["rules"] == {"auto_resolve_after": "3d"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("first_response", "2x"), ("first_response", "2x")),
        (("first_response", "--", "-1h"), ("first_response", "negative")),
        (("bogus", "1h"), ("bogus", "unknown setting")),
        (("hours.days", "someday"), ("days",)),
        (("hours.timezone", "Mars/Olympus"), ("timezone", "Mars/Olympus")),
        (("hours.start", "25:00"), ("start",)),
        (("hours.end", "08:00"), ("end",)),
        (("hours.holidays", "2026-02-30"), ("holidays",)),
        (("near", "150%"), ("near",)),
        (("first_response", "2h", "--priority", "asap"), ("priority", "asap")),
        (("first_response", " "), ()),
    ],
)
def test_a_bad_value_is_one_line_and_leaves_the_file_unchanged(run, config_file, args, words) -> None:
    config_file.parent.mkdir(parents=True)
    original = 'language = "en"\n\n[sla]\nfirst_response = "4h"\n'
    config_file.write_text(original, encoding="utf-8")
    assert_one_line_error(run("sla", "set", *args), *words)
    assert config_file.read_text(encoding="utf-8") == original
    assert sorted(p.name for p in config_file.parent.iterdir()) == ["config.toml"]


def test_usage_errors_are_one_line(run) -> None:
    assert_one_line_error(run("sla"))
    assert_one_line_error(run("sla", "set", "first_response"))
    assert_one_line_error(run("rules"))
    assert_one_line_error(run("rules", "fly"))


# -- a bad config --------------------------------------------------------------------------------
def test_a_bad_sla_config_stops_every_command_with_one_line(run, config_file) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[sla]\nfirst_response = "soon"\n', encoding="utf-8")
    for args in (("list",), ("rules", "run"), ("sla", "show"), ("sla", "set", "resolution", "2d")):
        assert_one_line_error(run(*args), str(config_file), "sla.first_response")
    assert config_file.read_text(encoding="utf-8") == '[sla]\nfirst_response = "soon"\n'


def test_a_bad_rules_config_stops_rules_run(run, config_file) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[rules]\nauto_resolve_after = "5x"\n', encoding="utf-8")
    assert_one_line_error(run("rules", "run"), str(config_file), "rules.auto_resolve_after")


# -- the service of every command follows the config ---------------------------------------------
def test_commands_use_the_configured_policies(run, config_file) -> None:
    for key, value in [*ALWAYS, ("first_response", "2h")]:
        ok(run("sla", "set", key, value))
    ticket = int(ok(run("new", "--email", "carol@example.com", "--subject", "VPN down", "--body", "Help")))
    data = json.loads(ok(run("show", str(ticket), "--json")))
    created = data["created_at"]
    assert data["sla_due"] is not None
    assert from_text(data["sla_due"]) - from_text(created) == timedelta(hours=2)


# -- rules run -----------------------------------------------------------------------------------
def test_rules_run_prints_one_line_per_rule(run, service, clock) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="Printer", body="Jammed")
    service.reply(ticket, "Fixed?")
    out = ok(run("rules", "run"))  # the fixture clock is months in the past: long answered
    lines = out.splitlines()
    assert lines == [
        "SLA clocks: rebuilt for 1 ticket (the policies changed)",
        "Postponed: woke 0 tickets",
        "Auto-resolve: resolved 1 ticket answered with no customer reply for 5 days",
        "Purge: off",
    ]
    assert queries.ticket_events(service.store, ticket)[-1].actor == "system"
    data = json.loads(ok(run("rules", "run", "--json")))
    assert (data["sla_rebuilt"], data["woken"], data["auto_resolved"], data["purged"]) == (0, 0, 0, 0)
    assert data["changes"] == []


def test_rules_run_follows_the_rules_config(run, service, config_file) -> None:
    config_file.parent.mkdir(parents=True)
    config_file.write_text('[rules]\nauto_resolve_after = "off"\npurge_deleted_after = "off"\n', encoding="utf-8")
    ticket = service.create_ticket(email="carol@example.com", subject="Printer", body="Jammed")
    service.reply(ticket, "Fixed?")
    out = ok(run("rules", "run"))
    assert "Auto-resolve: off" in out and "Purge: off" in out
    assert queries.get_ticket(service.store, ticket).status == "answered"


def test_wake_still_works(run, service, clock) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="Printer", body="Jammed")
    service.postpone(ticket, clock() + timedelta(hours=1))
    out = ok(run("wake"))
    assert f"#{ticket}" in out
    assert queries.get_ticket(service.store, ticket).status == "new"


def test_an_sla_change_makes_rules_run_rebuild_the_clocks(run, store: Store, service) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="VPN down", body="Help")  # at START
    for key, value in ALWAYS:
        ok(run("sla", "set", key, value))
    assert "rebuilt for 1 ticket" in ok(run("rules", "run"))
    assert json.loads(ok(run("show", str(ticket), "--json")))["sla_due"] == to_text(START + timedelta(hours=8))

    out = ok(run("sla", "set", "first_response", "2h", "--priority", "normal"))
    assert "rules run" in out
    assert queries.get_ticket(store, ticket).sla_due == to_text(START + timedelta(hours=8))  # not yet
    assert "rebuilt for 1 ticket" in ok(run("rules", "run"))
    data = json.loads(ok(run("show", str(ticket), "--json")))
    assert data["sla_due"] == to_text(START + timedelta(hours=2))
    assert data["sla_state"] == "breached"  # START is long past
    assert queries.get_ticket(store, ticket).sla_due == to_text(START + timedelta(hours=2))
    assert "SLA clocks: up to date" in ok(run("rules", "run"))

    ok(run("sla", "unset", "first_response", "--priority", "normal"))
    ok(run("rules", "run"))
    assert queries.get_ticket(store, ticket).sla_due == to_text(START + timedelta(hours=8))
