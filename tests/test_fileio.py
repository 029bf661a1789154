"""Reports are written atomically: a failure or an interruption mid-write leaves the old file intact."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.errors import UsageError
from lambdaops.fileio import write_atomic

OLD = "the previous report\n"


@pytest.fixture
def old_report(tmp_path: Path) -> Path:
    path = tmp_path / "report.json"
    path.write_text(OLD, encoding="utf-8")
    path.chmod(0o640)
    return path


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_whole_file_and_keeps_its_permissions(old_report: Path) -> None:
    write_atomic(old_report, "new\n")
    assert old_report.read_text() == "new\n"
    assert stat.S_IMODE(old_report.stat().st_mode) == 0o640
    assert leftovers(old_report.parent) == []
    fresh = old_report.parent / "sub" / "fresh.json"
    write_atomic(fresh, "x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # not mkstemp's private 0600


@pytest.mark.parametrize("failing", ["write", "fsync", "replace"])
def test_a_failure_mid_write_leaves_the_old_file(
    failing: str, old_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*_: Any, **__: Any) -> Any:
        raise OSError(28, "No space left on device")

    if failing == "write":
        real_fdopen = os.fdopen

        def fdopen(*args: Any, **kwargs: Any) -> Any:
            handle = real_fdopen(*args, **kwargs)
            real_write = handle.write

            def half_then_fail(text: str) -> int:
                real_write(text[: len(text) // 2])
                handle.flush()
                raise OSError(28, "No space left on device")

            handle.write = half_then_fail
            return handle

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(UsageError, match=r"cannot write .*report\.json: No space left on device"):
        write_atomic(old_report, '{"complete": "new report"}\n' * 1000)
    assert old_report.read_text() == OLD
    assert leftovers(old_report.parent) == []


def test_an_interruption_mid_write_leaves_the_old_file(
    old_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(old_report, "new\n")
    assert old_report.read_text() == OLD
    assert leftovers(old_report.parent) == []


def test_an_unwritable_target_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "a-directory").mkdir()
    with pytest.raises(UsageError, match="cannot write"):
        write_atomic(tmp_path / "a-directory", "x")
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match="cannot write"):
        write_atomic(blocker / "below-a-file.json", "x")


@pytest.mark.parametrize("flag", ["--output-file", "--report"])
def test_the_cli_keeps_the_old_report_when_the_write_fails(
    flag: str, old_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(old_report.parent)
    real_replace = os.replace

    def refuse(src: Any, dst: Any) -> None:
        if Path(dst) == old_report:
            raise OSError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refuse)
    target = str(old_report) if flag == "--output-file" else f"json={old_report}"
    result = CliRunner().invoke(
        app, ["scan", "--demo", "--check", "lambda-inactive", flag, target, "-o", "json"]
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr and "Permission denied" in result.stderr
    assert "Traceback" not in result.stderr
    assert old_report.read_text() == OLD
    assert leftovers(old_report.parent) == []
