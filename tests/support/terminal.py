"""Run the real `lambdaops` process on a pseudo-terminal of a given size, as a user at a terminal sees it.

stdin, stdout and stderr are all the pty (as in a shell), so progress bars draw, prompts ask, and what
the user would see is one stream: the test reads it back, answers prompts, and strips the escape codes.
Standard library only (pty, termios): no pexpect needed for reading a stream and sending one answer.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tests.support.e2e import ROOT

# OSC sequences end with BEL or ST (ESC \): rich's terminal hyperlinks (OSC 8) use ST
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]")
TOKENS = re.compile(ANSI.pattern + r"|\r|\n|[^\x1b\r\n]+")


@dataclass
class TerminalRun:
    code: int
    raw: str  # everything the terminal received, escape codes included

    @property
    def text(self) -> str:
        """What is left on screen (scrollback included): a minimal terminal that follows line feeds,
        carriage returns, cursor-up and erase-line (what rich's transient progress uses) and drops
        every other escape code."""
        lines: list[str] = [""]
        row, col = 0, 0
        for token in TOKENS.findall(self.raw):
            if token == "\n":
                row += 1
                if row == len(lines):
                    lines.append("")
            elif token == "\r":
                col = 0
            elif token.startswith("\x1b"):
                up = re.fullmatch(r"\x1b\[(\d*)A", token)
                if up:
                    row = max(0, row - int(up.group(1) or 1))
                elif re.fullmatch(r"\x1b\[2?K", token):
                    lines[row] = lines[row][:col] if token == "\x1b[K" else ""
            else:
                line = lines[row].ljust(col)
                lines[row] = line[:col] + token + line[col + len(token) :]
                col += len(token)
        return "\n".join(line.rstrip() for line in lines)


def run_on_terminal(
    args: Sequence[str],
    columns: int = 80,
    rows: int = 50,
    answers: Mapping[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    cwd: str | None = None,
    timeout: float = 240.0,
) -> TerminalRun:
    """Run `python -m lambdaops ARGS` on a `columns` x `rows` pty; when the output so far ends with
    one of `answers`' keys (a prompt), type its value."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    environ.update(
        {
            "TERM": "xterm-256color",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), environ.get("PYTHONPATH", "")) if p),
            **(env or {}),
        }
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambdaops", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=environ,
        cwd=cwd,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    pending = dict(answers or {})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
                seen = ANSI.sub("", b"".join(chunks).decode(errors="replace")).rstrip()
                for prompt in list(pending):
                    if seen.endswith(prompt.rstrip()):
                        os.write(master, (pending.pop(prompt) + "\n").encode())
            elif proc.poll() is not None:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    return TerminalRun(code, b"".join(chunks).decode(errors="replace"))
