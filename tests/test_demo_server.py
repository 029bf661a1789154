"""The moto server subprocess that end-to-end tests and benchmarks run lambdaops against."""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest

from lambdaops.demo.moto_shims import CONCURRENCY_LIMIT_ENV
from lambdaops.demo.server import running_server
from tests.support.seeds import SEEDED_FUNCTION, zipped_handler


def client(service: str, url: str, region: str = "us-east-1") -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_server_is_seeded_serves_the_shims_and_reads_its_environment() -> None:
    with running_server(env={CONCURRENCY_LIMIT_ENV: "42"}, seed="tests.support.seeds:one_function") as url:
        assert url.startswith("http://127.0.0.1:")
        lam = client("lambda", url)
        role = lam.get_function(FunctionName=SEEDED_FUNCTION)["Configuration"]["Role"]
        lam.create_function(
            FunctionName="added",
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": zipped_handler()},
        )

        settings = lam.get_account_settings()

        assert settings["AccountLimit"]["ConcurrentExecutions"] == 42
        # The seed reserved 5 for its function.
        assert settings["AccountLimit"]["UnreservedConcurrentExecutions"] == 37
        assert settings["AccountUsage"]["FunctionCount"] == 2

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{url}/moto-api/config", timeout=5)


def test_server_that_cannot_start_raises_with_its_error() -> None:
    with (
        pytest.raises(RuntimeError, match="no_such_seed"),
        running_server(seed="tests.support.seeds:no_such_seed", start_timeout=30),
    ):
        pass
