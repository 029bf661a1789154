"""Report files: a regular file is replaced atomically; a device, FIFO or terminal is written into.

`--output-file`, `--report` and `--write-baseline` all land here. The rules (docs/reliability.md):

- a regular file (or a new name) is written to a temporary file beside it, flushed, then renamed
  over it: readers see the old file or the complete new one, never half;
- a character device, FIFO or the process's own streams (/dev/stdout, /dev/null, /dev/fd/N,
  /proc/self/fd/N) are opened and written into, never replaced: renaming over /dev/null would
  replace the system's null device (as root), and a FIFO's reader would never see the report;
- a symbolic link is written through: its final target is written by the two rules above (the
  link stays a link; a regular target is still replaced atomically);
- a directory, a socket or any other kind of file is refused with exit 2 naming the path.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from lambdaops.errors import UsageError

# Paths that name this process's streams: open them, never rename over them (the target of
# /dev/stdout may be a regular file the shell opened for `>>`: appending keeps what it holds).
_STREAM_PREFIXES = ("/dev/", "/proc/")


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; a new file gets the usual ones (0666 less the umask)."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fail(path: Path, exc: OSError) -> UsageError:
    return UsageError(f"cannot write {path}: {exc.strerror or exc}")


def write_report_file(path: Path, text: str) -> None:
    """Write `text` to `path` by the rules in this module's docstring (OSError -> exit 2)."""
    from lambdaops.redact import redact

    text = redact(text)
    if str(path).startswith(_STREAM_PREFIXES):
        _write_into(path, text)
        return
    try:
        st = path.stat()  # follows symbolic links: what matters is what the text lands in
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise _fail(path, exc) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"cannot write {path}: it is a directory; give a file name")
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        _write_into(path, text)
        return
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise UsageError(f"cannot write {path}: not a regular file, device or FIFO; give a file name")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    _replace_atomically(target, text, shown=path)


def write_atomic(path: Path, text: str) -> None:
    """Kept for callers: every report file goes through write_report_file."""
    write_report_file(path, text)


def _write_into(path: Path, text: str) -> None:
    """Open an existing device, FIFO or stream and write into it (a FIFO waits for its reader)."""
    try:
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
    except OSError as exc:
        raise _fail(path, exc) from None


def _replace_atomically(path: Path, text: str, shown: Path) -> None:
    """Write `text` to a temporary file beside `path`, flush it to disk, then rename it over `path`.

    Whatever interrupts the write (a full disk, a signal, Ctrl-C) leaves `path` as it was and no
    temporary file behind. An OSError becomes a UsageError naming the path (exit 2).
    """
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise _fail(shown, exc) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(path))
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _fail(shown, exc) from None
        raise
