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
    assert "AWS_PROFILE" not in os.environ
    yield
