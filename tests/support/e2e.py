"""Run the real `lambdaops` process against an AWS endpoint (a moto server, usually behind AwsProxy)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
FAKE_KEY_ID = "AKIAFAKEE2EKEY000001"
FAKE_SECRET = "fake-e2e-secret-Qm9vdGgh"
FAKE_TOKEN = "fake-e2e-session-token-VGhpcyBpcyBmYWtl"


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> Any:
        return json.loads(self.stdout)


def lambdaops_env(endpoint: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """A clean environment: fake credentials, no profile or config files, botocore aimed at `endpoint`.

    Unpaced (`LAMBDAOPS_MAX_RPS=off`): the emulator has no quotas, and pacing every end-to-end run at
    AWS's rates cost the suite minutes of sleeping. The runs that test pacing set
    `LAMBDAOPS_MAX_RPS=100%` (AWS's rates, the default) through `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LAMBDAOPS_"))}
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": FAKE_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
            "AWS_SESSION_TOKEN": FAKE_TOKEN,
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "LAMBDAOPS_MAX_RPS": "off",
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p),
        }
    )
    env.update(extra or {})
    return env


def start_lambdaops(
    endpoint: str, *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "lambdaops", *args],
        env=lambdaops_env(endpoint, env),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 90.0) -> Outcome:
    """Wait for a started run; a run that hangs past `timeout` is killed and fails the test."""
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
        raise AssertionError(f"lambdaops hung for {timeout} s:\n{stderr[-3000:]}") from None
    return Outcome(process.returncode, stdout, stderr)


def run_lambdaops(
    endpoint: str,
    *args: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 90.0,
) -> Outcome:
    return finish(start_lambdaops(endpoint, *args, env=env, cwd=cwd), timeout)
