"""Every test runs with fake AWS credentials and no profile: nothing can reach a real account."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    # Never let botocore probe the instance metadata service for credentials.
    "AWS_EC2_METADATA_DISABLED": "true",
}
CLEARED = (
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "LAMBDAOPS_DEBUG",
    "LAMBDAOPS_FAIL_ON",
    "LAMBDAOPS_REGIONS",
    "LAMBDAOPS_DAYS",
    "LAMBDAOPS_WORKERS",
    "LAMBDAOPS_MAX_RPS",
    "LAMBDAOPS_CACHE",
    "LAMBDAOPS_CACHE_DIR",
)


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    for key in CLEARED:
        monkeypatch.delenv(key, raising=False)
    for key, value in FAKE_ENV.items():
        monkeypatch.setenv(key, value)
    # No real config or credentials files: a test can never pick up a developer's profile.
    empty = tmp_path_factory.mktemp("awsconfig")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "credentials"))
    # The per-function read cache (~/.cache/lambdaops) goes to a directory of this test's own:
    # tests never write to the real home, and never see another test's cache.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdgcache")))
    assert "AWS_PROFILE" not in os.environ
    yield


@pytest.fixture(scope="session")
def demo_server() -> Iterator[str]:
    """A moto server holding the demo account, shared by the end-to-end tests that only read it."""
    from lambdaops.demo.server import running_server

    with running_server(seed="demo") as url:
        yield url


@pytest.fixture(scope="session", autouse=True)
def lambdaops_calls_are_allowed_by_the_generated_policy() -> Iterator[None]:
    """Every AWS call lambdaops makes in the whole run must be allowed by `lambdaops iam-policy`.

    Fails the session (an error at the last test's teardown) naming the missing actions; fix it by
    declaring the action in the calling module's OPERATIONS / WRITE_OPERATIONS tuple.
    """
    from tests.support.api_recorder import RECORDER

    RECORDER.install()
    yield
    RECORDER.uninstall()
    missing = RECORDER.missing_from_policy()
    if missing:
        lines = [
            f"  {action}: needed by {call} from {', '.join(sorted(RECORDER.calls[call]))}"
            for action, calls in sorted(missing.items())
            for call in sorted(calls)
        ]
        pytest.fail(
            "lambdaops made AWS calls its generated IAM policy does not allow "
            "(declare them in the calling module's OPERATIONS / WRITE_OPERATIONS):\n" + "\n".join(lines),
            pytrace=False,
        )
