"""Opening and replacing attachment files (issue 15 item 1): which program, where the copy goes,
and a replace that never leaves a half-written file."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tui_desk.core.attachment_opener import NoOpener, opener_command, private_copy
from tui_desk.core.attachments import free_name, replace_file


def _program(folder: Path, name: str) -> Path:
    program = folder / name
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_opener_is_the_variable_split_like_a_shell_else_the_platforms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = _program(tmp_path, "my viewer")
    assert opener_command({"TUI_DESK_OPENER": f"'{viewer}' --new-window"}) == [str(viewer), "--new-window"]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    _program(bin_dir, "xdg-open")
    _program(bin_dir, "open")
    monkeypatch.setenv("PATH", str(bin_dir))
    assert opener_command({}, "linux") == ["xdg-open"]
    assert opener_command({"TUI_DESK_OPENER": "  "}, "darwin") == ["open"]


def test_missing_or_malformed_opener_is_one_line() -> None:
    with pytest.raises(NoOpener, match="/nope/viewer was not found; set TUI_DESK_OPENER"):
        opener_command({"TUI_DESK_OPENER": "/nope/viewer"})
    with pytest.raises(NoOpener, match="not a command line"):
        opener_command({"TUI_DESK_OPENER": "'unclosed"})


def test_private_copy_has_the_clean_name_in_a_folder_only_the_user_reads() -> None:
    path = private_copy("../../etc/pass\x1bwd", b"DATA")
    assert path.name == "passwd" and path.read_bytes() == b"DATA"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_replace_file_swaps_the_content_and_leaves_nothing_aside(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_bytes(b"OLD")
    assert free_name(tmp_path, "a.txt") == tmp_path / "a (2).txt"
    replace_file(target, b"NEW")
    assert target.read_bytes() == b"NEW"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
