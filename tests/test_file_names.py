"""A sender's attachment name made into one clean file name (issue 15 item 1, docs/issue15/attachments-out.md)."""

from __future__ import annotations

import pytest

from tui_desk.domain.file_names import numbered, safe_file_name


@pytest.mark.parametrize(("name", "clean"), [
    ("../../etc/passwd", "passwd"),
    ("/abs/path.txt", "path.txt"),
    ("C:\\Windows\\evil.exe", "evil.exe"),
    ("", "attachment"),
    (".", "attachment"),
    ("..", "attachment"),
    (".bashrc", "bashrc"),
    ("CON.txt", "_CON.txt"),
    ("in\u202efdp.exe", "infdp.exe"),
    ("a\x00b\x07c.txt", "abc.txt"),
    ("a:b*c?.txt", "a_b_c_.txt"),
])
def test_safe_file_name(name: str, clean: str) -> None:
    assert safe_file_name(name) == clean


def test_over_long_name_is_cut_keeping_its_extension() -> None:
    clean = safe_file_name("é" * 300 + ".pdf")
    assert clean.endswith(".pdf") and len(clean.encode()) <= 255


def test_a_taken_name_is_numbered_before_its_extension() -> None:
    assert numbered("report.pdf", 2) == "report (2).pdf" and numbered("x", 3) == "x (3)"
    assert len(numbered("é" * 200 + ".pdf", 12).encode()) <= 255


def test_a_save_that_fails_halfway_leaves_no_truncated_file(tmp_path, monkeypatch) -> None:
    """A full disk mid-write: an error, and no half file that looks like the attachment."""
    import errno
    import io

    import pytest

    from tui_desk.core import attachments

    class FullDisk(io.BytesIO):
        def write(self, data):  # type: ignore[override]
            raise OSError(errno.ENOSPC, "No space left on device")

    real_fdopen = attachments.os.fdopen

    def fdopen(fd, mode):  # type: ignore[no-untyped-def]
        real_fdopen(fd, mode).close()
        return FullDisk()

    monkeypatch.setattr(attachments.os, "fdopen", fdopen)
    with pytest.raises(OSError):
        attachments.save_into(tmp_path, "invoice.pdf", b"%PDF" * 1000)
    assert list(tmp_path.iterdir()) == []
