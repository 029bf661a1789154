"""Shared set-up for the prune / restore / prune-versions tests: an emulated account with functions of
known age and activity, and a record of every AWS call lambdaops makes."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdaops.cli.app import app

ACCOUNT = "123456789012"
REGION = "eu-west-1"
ASSUME = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
SECRET = "sk_live_prune_test_secret_value_0001"


def package(name: str, extra: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", f"def handler(event, context):\n    return {name!r}  # {extra}\n")
    return buf.getvalue()


@dataclass
class Account:
    """The emulated account: create functions old or new, invoked or not."""

    lam: Any
    cw: Any
    role_arn: str
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def function(
        self,
        name: str,
        *,
        modified_days_ago: float = 200,
        invoked_days_ago: float | None = None,
        tags: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
        **config: Any,
    ) -> str:
        from moto.awslambda.models import lambda_backends

        arn = self.lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=self.role_arn,
            Handler="handler.handler",
            Code={"ZipFile": package(name)},
            Environment={"Variables": env or {}},
            Tags=tags or {},
            **config,
        )["FunctionArn"]
        fn = lambda_backends[ACCOUNT][REGION].get_function(name)
        fn.last_modified = (self.now - timedelta(days=modified_days_ago)).strftime("%Y-%m-%dT%H:%M:%S.%f000Z")
        if invoked_days_ago is not None:
            self.cw.put_metric_data(
                Namespace="AWS/Lambda",
                MetricData=[
                    {
                        "MetricName": "Invocations",
                        "Dimensions": [{"Name": "FunctionName", "Value": name}],
                        "Timestamp": self.now - timedelta(days=invoked_days_ago),
                        "Value": 3.0,
                        "Unit": "Count",
                    }
                ],
            )
        return str(arn)

    def names(self) -> set[str]:
        return {f["FunctionName"] for f in self.lam.list_functions()["Functions"]}


@pytest.fixture
def account() -> Iterator[Account]:
    from lambdaops.demo import code_shim, moto_shims

    moto_shims.install()
    code_shim.install()
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(ASSUME))["Role"]["Arn"]
        yield Account(
            lam=boto3.client("lambda", region_name=REGION),
            cw=boto3.client("cloudwatch", region_name=REGION),
            role_arn=role,
        )


class Calls(list[str]):
    """Operation names, in call order; `qualified` has them as IAM actions (`lambda:DeleteFunction`)."""

    def __init__(self) -> None:
        super().__init__()
        self.qualified: list[str] = []


IAM_PREFIX = {"resourcegroupstaggingapi": "tag"}


@pytest.fixture
def api_calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """Every AWS operation lambdaops' own clients send, recorded by a botocore `before-call` hook."""
    from lambdaops.collect.context import AwsContext

    calls = Calls()
    original = AwsContext.client

    def record(model: Any, **_: Any) -> None:
        service = model.service_model.service_name
        calls.append(model.name)
        calls.qualified.append(f"{IAM_PREFIX.get(service, service)}:{model.name}")

    hooking = threading.Lock()  # worker threads share a cached client: hook it once, not once each

    def client(self: AwsContext, account: Any, service: str, region: str) -> Any:
        built = original(self, account, service, region)
        with hooking:
            if not getattr(built, "_prune_test_hooked", False):
                built.meta.events.register("before-call.*.*", lambda **kw: record(kw["model"]))
                built._prune_test_hooked = True
        return built

    monkeypatch.setattr(AwsContext, "client", client)
    return calls


def declared_operations() -> set[str]:
    """Every IAM action the collect modules declare (what the generated IAM policy is built from)."""
    import importlib
    import pkgutil

    import lambdaops.collect as package

    out: set[str] = set()
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        out.update(getattr(module, "OPERATIONS", ()))
        out.update(getattr(module, "REMEDIATION_OPERATIONS", ()))
        out.update(getattr(module, "WRITE_OPERATIONS", ()))
    return out


def writes(calls: list[str]) -> list[str]:
    read_prefixes = ("Get", "List", "Describe")
    return [c for c in calls if not c.startswith(read_prefixes)]


def run_cli(args: list[str]) -> Any:
    from typer.testing import CliRunner

    return CliRunner().invoke(app, args, catch_exceptions=False)
