"""Hostile report targets: devices, FIFOs, sockets, directories and symbolic links (issue 12 item 5).

A report path is written into when it names a device, a FIFO or the process's own streams, written
through when it is a symbolic link (atomically when the target is a regular file), and refused with
exit 2 when it is a directory or a socket. Never is a non-regular file replaced by a regular one.
"""

from __future__ import annotations

import os
import socket
import stat
import sys
import threading
from pathlib import Path

import pytest

from lambdaops.errors import UsageError
from lambdaops.fileio import write_report_file

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file kinds")


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[str] = []

    def reader() -> None:
        with open(fifo, encoding="utf-8") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader)
    thread.start()
    write_report_file(fifo, '{"report": 1}\n')
    thread.join(timeout=10)
    assert received == ['{"report": 1}\n']
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "the FIFO was replaced by a regular file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.fifo"]


def test_dev_null_is_written_into_and_stays_a_device(tmp_path: Path) -> None:
    before = os.stat(os.devnull)
    write_report_file(Path(os.devnull), "x" * 10_000)
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_symlink_to_dev_null_is_written_through(tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to(os.devnull)
    write_report_file(link, "report\n")
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_dev_stdout_writes_into_the_stream(tmp_path: Path) -> None:
    """`--output-file /dev/stdout > file` must put the report in the file (appended, not replaced)."""
    import subprocess

    out = tmp_path / "captured.txt"
    out.write_text("kept\n", encoding="utf-8")
    code = (
        "from pathlib import Path; from lambdaops.fileio import write_report_file;"
        "write_report_file(Path('/dev/stdout'), 'report\\n')"
    )
    root = Path(__file__).resolve().parents[2]
    with open(out, "a", encoding="utf-8") as fh:
        subprocess.run([sys.executable, "-c", code], stdout=fh, check=True, cwd=root)
    assert out.read_text(encoding="utf-8") == "kept\nreport\n"


def test_a_symlink_to_a_regular_file_is_replaced_atomically_through_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "report.json"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "report.json"
    link.symlink_to(real)
    inode = real.stat().st_ino
    write_report_file(link, "new\n")
    assert link.is_symlink(), "the link was replaced by a regular file"
    assert real.read_text(encoding="utf-8") == "new\n"
    assert real.stat().st_ino != inode, "not replaced atomically (rewritten in place)"
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert not [p for p in real.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(tmp_path / "target.json")
    write_report_file(link, "new\n")
    assert link.is_symlink()
    assert (tmp_path / "target.json").read_text(encoding="utf-8") == "new\n"


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_report_file(tmp_path, "x")
    link = tmp_path / "dirlink"
    link.symlink_to(tmp_path)
    with pytest.raises(UsageError, match="is a directory"):
        write_report_file(link, "x")


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        with pytest.raises(UsageError, match="not a regular file"):
            write_report_file(path, "x")
        assert stat.S_ISSOCK(path.lstat().st_mode)
    finally:
        sock.close()


@pytest.mark.parametrize("flag", ["--output-file", "--report", "--write-baseline"])
def test_every_file_flag_writes_into_a_fifo(flag: str, tmp_path: Path) -> None:
    from lambdaops.cli.app import main

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    received: list[str] = []

    def reader() -> None:
        with open(fifo, encoding="utf-8") as fh:
            received.append(fh.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    target = f"json={fifo}" if flag == "--report" else str(fifo)
    with pytest.raises(SystemExit):
        main(["scan", "--demo", "--region", "eu-west-1", "--check", "lambda-inactive", flag, target])
    thread.join(timeout=30)
    assert received and received[0].strip(), f"{flag}: nothing reached the FIFO"
    assert stat.S_ISFIFO(fifo.lstat().st_mode), f"{flag} replaced the FIFO"
