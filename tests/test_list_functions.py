"""ListFunctions: every page followed; a failing page keeps what was read and reports the gap."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import Stubber

from lambdaops.collect.awslambda import LIST_PAGE_SIZE, list_functions


def _fn(i: int) -> dict[str, Any]:
    return {
        "FunctionName": f"fn-{i}",
        "FunctionArn": f"arn:aws:lambda:eu-west-1:123456789012:function:fn-{i}",
        "Runtime": "python3.12",
        "MemorySize": 128,
        "CodeSize": 1000 + i,
        "LastModified": "2026-01-02T03:04:05.000+0000",
        "Role": "arn:aws:iam::123456789012:role/r",
        "Environment": {"Variables": {"SECRET": "do-not-keep"}},
    }


def test_pages_are_followed() -> None:
    client = boto3.client("lambda", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_response(
            "list_functions",
            {"Functions": [_fn(i) for i in range(50)], "NextMarker": "m1"},
            {"MaxItems": LIST_PAGE_SIZE},
        )
        stub.add_response(
            "list_functions",
            {"Functions": [_fn(i) for i in range(50, 100)], "NextMarker": "m2"},
            {"MaxItems": 50, "Marker": "m1"},
        )
        stub.add_response("list_functions", {"Functions": [_fn(100)]}, {"MaxItems": 50, "Marker": "m2"})
        functions, _versions, error = list_functions(client, "123456789012", "eu-west-1")
        stub.assert_no_pending_responses()
    assert error is None
    assert [f.name for f in functions] == [f"fn-{i}" for i in range(101)]
    assert functions[0].env_var_names == ("SECRET",)
    assert "do-not-keep" not in repr(functions[0])
    assert functions[0].last_modified.isoformat() == "2026-01-02T03:04:05+00:00"


def test_failed_page_keeps_earlier_pages_and_reports() -> None:
    client = boto3.client("lambda", region_name="eu-west-1")
    with Stubber(client) as stub:
        stub.add_response("list_functions", {"Functions": [_fn(1)], "NextMarker": "m1"}, {"MaxItems": 50})
        stub.add_client_error("list_functions", "AccessDeniedException", "nope", http_status_code=403)
        functions, _versions, error = list_functions(client, "123456789012", "eu-west-1")
    assert [f.name for f in functions] == ["fn-1"]
    assert error is not None
    assert (error.operation, error.code, error.region) == (
        "lambda:ListFunctions",
        "AccessDeniedException",
        "eu-west-1",
    )


def test_all_versions_in_one_pass() -> None:
    client = boto3.client("lambda", region_name="eu-west-1")
    latest = _fn(1)
    v1 = {**_fn(1), "Version": "1", "FunctionArn": latest["FunctionArn"] + ":1"}
    v2 = {**_fn(1), "Version": "2", "FunctionArn": latest["FunctionArn"] + ":2"}
    with Stubber(client) as stub:
        stub.add_response(
            "list_functions",
            {"Functions": [{**latest, "Version": "$LATEST"}, v1, v2]},
            {"MaxItems": 50, "FunctionVersion": "ALL"},
        )
        functions, versions, error = list_functions(client, "123456789012", "eu-west-1", all_versions=True)
    assert error is None
    assert [f.name for f in functions] == ["fn-1"]
    assert [v.version for v in versions[latest["FunctionArn"]]] == ["1", "2"]
