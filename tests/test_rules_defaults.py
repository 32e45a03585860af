"""Issue 12, item 11: time rules that destroy data are opt-in; `rules show` says which rules are on."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from support import START

from tui_desk import cli
from tui_desk.core.rules import RulesConfig, run_rules
from tui_desk.store import queries

pytestmark = pytest.mark.both_backends


def old_deleted_ticket(service, clock) -> int:
    clock.now = START
    ticket = service.create_ticket(email="dan@example.com", subject="Old question", body="still needed")
    service.delete(ticket)
    clock.now = START + timedelta(days=400)
    return ticket


def test_item11_default_config_never_purges_an_old_deleted_ticket(service, store, clock) -> None:
    ticket = old_deleted_ticket(service, clock)

    # The app's start path: run_rules with the config's [rules] (none here), and its fallback.
    for config in (RulesConfig.from_config({}), RulesConfig.from_config(None), RulesConfig()):
        report = run_rules(service, config)
        assert report.purged == 0
    assert queries.get_ticket(store, ticket).status == "deleted"
    assert "Purge: off" in report.lines()


def test_item11_cli_rules_run_keeps_it_and_rules_show_says_what_is_on(
    db_path, service, store, clock, tmp_path, monkeypatch, capsys
) -> None:
    ticket = old_deleted_ticket(service, clock)
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "config.toml"))
    db = str(db_path)

    assert cli.main(["--db", db, "rules", "run"]) == 0
    assert "Purge: off" in capsys.readouterr().out
    assert queries.get_ticket(store, ticket).status == "deleted"

    assert cli.main(["--db", db, "rules", "show"]) == 0
    out = capsys.readouterr().out
    assert "Purge deleted tickets for good: off (default)" in out
    assert "Auto-resolve tickets answered with no customer reply: after 5 days (default)" in out

    (tmp_path / "config.toml").write_text('[rules]\npurge_deleted_after = "30d"\n', encoding="utf-8")
    assert cli.main(["--db", db, "rules", "show", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["purge_deleted_after"] == {"value": "30d", "set_in_config": True}
    assert cli.main(["--db", db, "rules", "run"]) == 0  # opted in: now it purges
    assert "purged 1 ticket" in capsys.readouterr().out
