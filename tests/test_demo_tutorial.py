"""The demo tutorial (issue 15, item 6), as docs/demo.md tells it: `lambdaops demo serve` keeps one
emulated account running, and the REAL `lambdaops` process, pointed at it with the lines it prints,
keeps state between commands: `billing-alarm set` then `check` sees the alarm; `prune --apply --yes`
then `restore --apply --yes` brings the function back."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.e2e import Outcome, lambdaops_env, run_lambdaops

ACCOUNT = "123456789012"
REGION = "eu-central-1"
PRUNED = "test"  # a console experiment idle for months, on a runtime AWS still creates (python3.9)


def _exports(lines: list[str]) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in lines:
        words = shlex.split(line)
        if words and words[0] == "export":
            env.update(dict(w.split("=", 1) for w in words[1:]))
    return env


@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """`lambdaops demo serve --port 0` as a user starts it; yields the environment it says to export."""
    env = lambdaops_env("unused")
    env.pop("AWS_ENDPOINT_URL")
    process = subprocess.Popen(
        [sys.executable, "-m", "lambdaops", "demo", "serve", "--port", "0"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    done = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.strip())
            if line.startswith("unset"):
                break
        done.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        assert done.wait(120), "demo serve printed no shell lines"
        exported = _exports(lines)
        assert exported["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:"), lines
        assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} <= set(exported)
        assert "unset AWS_PROFILE" in lines
        yield exported
    finally:
        process.terminate()  # what Ctrl-C does: the server stops
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "serving the emulated demo account" in err and "demo server stopped" in err


def _run(served: dict[str, str], *args: str, cwd: Path | None = None) -> Outcome:
    return run_lambdaops(served["AWS_ENDPOINT_URL"], *args, env=served, cwd=cwd, timeout=180)


def test_billing_alarm_set_then_check_sees_it(served: dict[str, str]) -> None:
    before = _run(served, "billing-alarm", "check", "-o", "json")
    assert before.code == 3, before.stderr
    assert "billing-alarm-missing" in {f["check_id"] for f in before.report["findings"]}

    made = _run(
        served, "billing-alarm", "set", "--threshold", "50", "--email", "you@example.com", "-o", "json"
    )
    assert made.code == 0, made.stderr
    assert "applied" in {c["status"] for c in made.report["changes"]}

    after = _run(served, "billing-alarm", "check", "-o", "json")
    assert after.code == 0, after.stderr
    assert "billing-alarm-missing" not in {f["check_id"] for f in after.report["findings"]}
    alarms = [a["name"] for b in after.report["billing"] for a in b["alarms"]]
    assert "lambdaops-billing-total-USD-50" in alarms


def _names(served: dict[str, str]) -> set[str]:
    out = _run(served, "list-inactive", "--days", "10", "--show", "all", "--region", REGION, "-o", "json")
    assert out.code == 0, out.stderr
    return {row["name"] for row in out.report["functions"]}


def test_prune_then_restore_brings_the_function_back(served: dict[str, str], tmp_path: Path) -> None:
    assert PRUNED in _names(served)

    pruned = _run(
        served, "prune", "--days", "250", "--region", REGION, "--apply", "--yes",
        "--archive-dir", "archive", "-o", "json", cwd=tmp_path,
    )  # fmt: skip
    assert pruned.code == 0, pruned.stderr
    deleted = {
        c["resource_arn"].rsplit(":", 1)[1] for c in pruned.report["changes"] if c["status"] == "applied"
    }
    assert PRUNED in deleted
    assert PRUNED not in _names(served)  # gone from the served account, not only from one process

    archive = tmp_path / "archive" / ACCOUNT / REGION / PRUNED
    restored = _run(served, "restore", str(archive), "--apply", "--yes", "-o", "json", cwd=tmp_path)
    assert restored.code == 0, restored.stderr
    assert "applied" in {c["status"] for c in restored.report["changes"]}
    assert PRUNED in _names(served)


def test_demo_serve_refuses_a_busy_port(served: dict[str, str]) -> None:
    port = served["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]
    env = {k: v for k, v in os.environ.items() if k != "AWS_ENDPOINT_URL"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-m", "lambdaops", "demo", "serve", "--port", port],
        env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    assert "pass another --port" in out.stderr and "Traceback" not in out.stderr
