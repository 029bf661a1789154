"""ListFunctions(FunctionVersion=ALL) against the emulation: AWS's answer, without moto copying (and
keeping) every function on every page (lambdaops.demo.scale_shims)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from lambdaops.demo import moto_shims

REGION = "eu-west-1"


@pytest.fixture
def lam(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    moto_shims.install()
    with mock_aws():
        role = boto3.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("h.py", "def handler(e, c):\n    return e\n")
        client = boto3.client("lambda", region_name=REGION)
        for name in ("a", "b", "c"):
            client.create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler="h.handler",
                Code={"ZipFile": buffer.getvalue()},
            )
        client.publish_version(FunctionName="b")
        yield client


def _pages(client: object) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    marker = None
    while True:
        kwargs = {"FunctionVersion": "ALL", "MaxItems": 2, **({"Marker": marker} if marker else {})}
        page = client.list_functions(**kwargs)  # type: ignore[attr-defined]
        out += page["Functions"]
        marker = page.get("NextMarker")
        if not marker:
            return out


def test_all_versions_are_listed_as_moto_lists_them(lam: object) -> None:
    from moto.awslambda.models import lambda_backends

    listed = _pages(lam)
    backend = lambda_backends["123456789012"][REGION]
    expected = [fn.get_configuration() for fn in backend.list_functions("ALL")]
    assert [f["FunctionArn"] for f in listed] == [f["FunctionArn"] for f in expected]
    assert [f["FunctionArn"].rsplit(":", 1)[-1] for f in listed] == ["$LATEST", "$LATEST", "1", "$LATEST"]
    assert [f["RevisionId"] for f in listed] == [f["RevisionId"] for f in expected]


def test_paging_copies_no_function(lam: object) -> None:
    """moto keeps every model instance it creates: a copy per function per page was a leak that
    grew a 10,000-function benchmark server to 6 GB and made each page cost the whole region."""
    from moto.awslambda.models import LambdaFunction

    before = len(LambdaFunction.instances_tracked)
    for _ in range(3):
        _pages(lam)
    assert len(LambdaFunction.instances_tracked) == before
