"""The moto shims, exercised through boto3 under mock_aws as lambdaops' collectors will call them."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from lambdaops.demo import moto_shims

ACCOUNT = "123456789012"
REGION = "us-east-1"
# Clients of the running test, reused: creating a boto3 client costs more than most moto calls.
_clients: dict[tuple[str, str], Any] = {}


def aws(service: str, region: str = REGION) -> Any:
    if (service, region) not in _clients:
        _clients[(service, region)] = boto3.client(service, region_name=region)
    return _clients[(service, region)]


@pytest.fixture(autouse=True)
def emulated_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv(moto_shims.CONCURRENCY_LIMIT_ENV, raising=False)
    moto_shims.install()
    moto_shims.reset_concurrency_limits()
    _clients.clear()
    try:
        with mock_aws():
            yield
    finally:
        _clients.clear()
        moto_shims.reset_concurrency_limits()


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


def lambda_client(region: str = REGION) -> Any:
    return aws("lambda", region)


def role_arn() -> str:
    iam = aws("iam")
    try:
        return str(iam.get_role(RoleName="fn-role")["Role"]["Arn"])
    except ClientError:
        assume = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}
        return str(
            iam.create_role(RoleName="fn-role", AssumeRolePolicyDocument=json.dumps(assume))["Role"]["Arn"]
        )


def create_function(name: str, code: bytes = b"", region: str = REGION, publish: bool = False) -> None:
    lambda_client(region).create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn(),
        Handler="handler.handler",
        Code={"ZipFile": code or zipped(f"# {name}\n")},
        Publish=publish,
    )


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------- install


def test_install_is_idempotent_and_adds_each_route_once() -> None:
    from moto.awslambda import urls
    from moto.awslambda.responses import LambdaResponse

    before = dict(urls.url_paths)
    moto_shims.install()
    moto_shims.install()

    assert urls.url_paths == before
    assert LambdaResponse.get_account_settings is moto_shims._get_account_settings
    assert lambda_client().get_account_settings()["AccountLimit"]["ConcurrentExecutions"] == 1000


# --------------------------------------------------------------------------- GetAccountSettings


def test_account_settings_count_reserved_concurrency_and_code_of_every_version() -> None:
    first, second, other = zipped("v1 = 1\n"), zipped("v2 = 'longer code'\n" * 3), zipped("other\n")
    create_function("versioned", first, publish=True)
    client = lambda_client()
    client.update_function_code(FunctionName="versioned", ZipFile=second)
    client.publish_version(FunctionName="versioned")
    create_function("plain", other)
    client.put_function_concurrency(FunctionName="versioned", ReservedConcurrentExecutions=100)
    client.put_function_concurrency(FunctionName="plain", ReservedConcurrentExecutions=0)

    settings = client.get_account_settings()

    assert settings["AccountLimit"] == {
        "TotalCodeSize": 80_530_636_800,
        "CodeSizeUnzipped": 262_144_000,
        "CodeSizeZipped": 52_428_800,
        "ConcurrentExecutions": 1000,
        "UnreservedConcurrentExecutions": 900,
    }
    # $LATEST and version 2 hold the new code, version 1 the old one.
    assert settings["AccountUsage"] == {
        "FunctionCount": 2,
        "TotalCodeSize": len(first) + 2 * len(second) + len(other),
    }


def test_account_settings_are_per_region() -> None:
    create_function("here", region="eu-west-1")
    lambda_client("eu-west-1").put_function_concurrency(FunctionName="here", ReservedConcurrentExecutions=10)

    assert lambda_client("eu-west-1").get_account_settings()["AccountUsage"]["FunctionCount"] == 1
    elsewhere = lambda_client("us-west-2").get_account_settings()
    assert elsewhere["AccountUsage"] == {"FunctionCount": 0, "TotalCodeSize": 0}
    assert elsewhere["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000


def test_concurrency_limit_from_setter_env_and_default(monkeypatch: pytest.MonkeyPatch) -> None:
    create_function("fn", region="eu-west-1")
    lambda_client("eu-west-1").put_function_concurrency(FunctionName="fn", ReservedConcurrentExecutions=7)
    monkeypatch.setenv(moto_shims.CONCURRENCY_LIMIT_ENV, "eu-west-1=50, 300")

    def limits(region: str) -> tuple[int, int]:
        limit = lambda_client(region).get_account_settings()["AccountLimit"]
        return limit["ConcurrentExecutions"], limit["UnreservedConcurrentExecutions"]

    assert limits("eu-west-1") == (50, 43)
    assert limits("us-east-1") == (300, 300)

    moto_shims.set_concurrency_limit(ACCOUNT, "us-east-1", 20)
    assert limits("us-east-1") == (20, 20)
    assert limits("eu-west-1") == (50, 43)

    moto_shims.reset_concurrency_limits()
    monkeypatch.delenv(moto_shims.CONCURRENCY_LIMIT_ENV)
    assert limits("us-east-1") == (1000, 1000)


def test_concurrency_limit_env_is_read_at_call_time_and_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(moto_shims.CONCURRENCY_LIMIT_ENV, "25")
    assert moto_shims.concurrency_limit("111111111111", "ap-south-1") == 25
    monkeypatch.setenv(moto_shims.CONCURRENCY_LIMIT_ENV, "eu-west-1=lots")
    with pytest.raises(ValueError, match=moto_shims.CONCURRENCY_LIMIT_ENV):
        moto_shims.concurrency_limit(ACCOUNT, "eu-west-1")
    with pytest.raises(ValueError, match="negative"):
        moto_shims.set_concurrency_limit(ACCOUNT, REGION, -1)


def test_function_reserved_at_zero_reads_back_as_zero() -> None:
    create_function("switched-off")
    client = lambda_client()
    client.put_function_concurrency(FunctionName="switched-off", ReservedConcurrentExecutions=0)

    assert client.get_function_concurrency(FunctionName="switched-off")["ReservedConcurrentExecutions"] == 0
    assert client.get_account_settings()["AccountLimit"]["UnreservedConcurrentExecutions"] == 1000


# --------------------------------------------------------------------------- provisioned concurrency


def published_with_alias(name: str = "fn") -> Any:
    create_function(name, publish=True)
    client = lambda_client()
    client.update_function_code(FunctionName=name, ZipFile=zipped("changed = True\n"))
    client.publish_version(FunctionName=name)
    client.create_alias(FunctionName=name, Name="live", FunctionVersion="2")
    return client


def test_provisioned_concurrency_put_get_list_with_paging() -> None:
    client = published_with_alias()

    put = client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=5
    )
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="live", ProvisionedConcurrentExecutions=3
    )

    assert put["ResponseMetadata"]["HTTPStatusCode"] == 202
    got = client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="live")
    assert (
        got["RequestedProvisionedConcurrentExecutions"],
        got["AllocatedProvisionedConcurrentExecutions"],
        got["AvailableProvisionedConcurrentExecutions"],
        got["Status"],
    ) == (3, 3, 3, "READY")

    first = client.list_provisioned_concurrency_configs(FunctionName="fn", MaxItems=1)
    second = client.list_provisioned_concurrency_configs(
        FunctionName="fn", MaxItems=1, Marker=first["NextMarker"]
    )
    assert "NextMarker" not in second
    arn = "arn:aws:lambda:us-east-1:123456789012:function:fn"
    listed = first["ProvisionedConcurrencyConfigs"] + second["ProvisionedConcurrencyConfigs"]
    assert [(c["FunctionArn"], c["RequestedProvisionedConcurrentExecutions"]) for c in listed] == [
        (f"{arn}:1", 5),
        (f"{arn}:live", 3),
    ]
    paginator = client.get_paginator("list_provisioned_concurrency_configs")
    pages = list(paginator.paginate(FunctionName="fn", PaginationConfig={"PageSize": 1}))
    assert len(pages) == 2
    assert [c for p in pages for c in p["ProvisionedConcurrencyConfigs"]] == listed


def test_provisioned_concurrency_put_replaces_and_delete_removes() -> None:
    client = published_with_alias()
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="2", ProvisionedConcurrentExecutions=5
    )
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="2", ProvisionedConcurrentExecutions=8
    )
    listed = client.list_provisioned_concurrency_configs(FunctionName="fn")["ProvisionedConcurrencyConfigs"]
    assert [c["RequestedProvisionedConcurrentExecutions"] for c in listed] == [8]

    deleted = client.delete_provisioned_concurrency_config(FunctionName="fn", Qualifier="2")

    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert (
        client.list_provisioned_concurrency_configs(FunctionName="fn")["ProvisionedConcurrencyConfigs"] == []
    )
    with pytest.raises(ClientError) as missing:
        client.get_provisioned_concurrency_config(FunctionName="fn", Qualifier="2")
    assert error_of(missing) == ("ProvisionedConcurrencyConfigNotFoundException", 404)


@pytest.mark.parametrize(
    ("function", "qualifier", "expected"),
    [
        ("fn", "$LATEST", ("InvalidParameterValueException", 400)),
        ("fn", "9", ("ResourceNotFoundException", 404)),
        ("fn", "no-such-alias", ("ResourceNotFoundException", 404)),
        ("no-such-function", "1", ("ResourceNotFoundException", 404)),
    ],
)
def test_provisioned_concurrency_refuses_what_aws_refuses(
    function: str, qualifier: str, expected: tuple[str, int]
) -> None:
    client = published_with_alias()
    with pytest.raises(ClientError) as put:
        client.put_provisioned_concurrency_config(
            FunctionName=function, Qualifier=qualifier, ProvisionedConcurrentExecutions=1
        )
    assert error_of(put) == expected
    with pytest.raises(ClientError) as get:
        client.get_provisioned_concurrency_config(FunctionName=function, Qualifier=qualifier)
    assert error_of(get) == expected


def test_provisioned_concurrency_is_per_region_and_dies_with_its_function() -> None:
    client = published_with_alias()
    create_function("fn", region="eu-west-1", publish=True)
    client.put_provisioned_concurrency_config(
        FunctionName="fn", Qualifier="1", ProvisionedConcurrentExecutions=2
    )

    assert (
        lambda_client("eu-west-1").list_provisioned_concurrency_configs(FunctionName="fn")[
            "ProvisionedConcurrencyConfigs"
        ]
        == []
    )
    client.delete_function(FunctionName="fn")
    with pytest.raises(ClientError) as gone:
        client.list_provisioned_concurrency_configs(FunctionName="fn")
    assert error_of(gone) == ("ResourceNotFoundException", 404)
    create_function("fn", publish=True)
    assert (
        client.list_provisioned_concurrency_configs(FunctionName="fn")["ProvisionedConcurrencyConfigs"] == []
    )


# --------------------------------------------------------------------------- ListFunctionUrlConfigs


def test_function_url_configs_are_listed_from_moto_state() -> None:
    create_function("private")
    create_function("public")
    client = lambda_client()
    client.create_function_url_config(FunctionName="public", AuthType="NONE")

    assert client.list_function_url_configs(FunctionName="private")["FunctionUrlConfigs"] == []
    (config,) = client.list_function_url_configs(FunctionName="public")["FunctionUrlConfigs"]
    assert config["AuthType"] == "NONE"
    assert config["FunctionArn"] == "arn:aws:lambda:us-east-1:123456789012:function:public"
    assert config["FunctionUrl"] == client.get_function_url_config(FunctionName="public")["FunctionUrl"]
    with pytest.raises(ClientError) as unknown:
        client.list_function_url_configs(FunctionName="nope")
    assert error_of(unknown) == ("ResourceNotFoundException", 404)


# --------------------------------------------------------------------------- GetMetricData

NAMESPACE = "Test/App"
FN = [{"Name": "FunctionName", "Value": "f"}]


def cloudwatch() -> Any:
    return aws("cloudwatch")


def put(namespace: str, name: str, dimensions: list[dict[str, str]], when: datetime, **value: Any) -> None:
    datum: dict[str, Any] = {"MetricName": name, "Dimensions": dimensions, "Timestamp": when, **value}
    cloudwatch().put_metric_data(Namespace=namespace, MetricData=[datum])


def stat_query(
    query_id: str, stat: str, dimensions: list[dict[str, str]] = FN, period: int = 3600
) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {"Namespace": NAMESPACE, "MetricName": "Requests", "Dimensions": dimensions},
            "Period": period,
            "Stat": stat,
        },
    }


@pytest.fixture
def hourly_data() -> tuple[datetime, datetime]:
    """Datapoints in three of four hourly buckets, plus decoys a query must not pick up."""
    start = (datetime.now(UTC) - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=4)
    put(NAMESPACE, "Requests", FN, start + timedelta(minutes=10), Value=1.0)
    put(NAMESPACE, "Requests", FN, start + timedelta(minutes=20), Value=2.0)
    put(NAMESPACE, "Requests", FN, start + timedelta(minutes=70), Value=5.0)
    put(
        NAMESPACE,
        "Requests",
        FN,
        start + timedelta(hours=3, minutes=5),
        StatisticValues={"SampleCount": 4, "Sum": 10, "Minimum": 1, "Maximum": 4},
    )
    # Decoys: outside [start, end), other dimension values or sets, other namespace, no dimensions.
    put(NAMESPACE, "Requests", FN, start - timedelta(seconds=1), Value=100.0)
    put(NAMESPACE, "Requests", FN, end, Value=100.0)
    put(NAMESPACE, "Requests", [{"Name": "FunctionName", "Value": "g"}], start, Value=1000.0)
    put(NAMESPACE, "Requests", [*FN, {"Name": "Resource", "Value": "f:1"}], start, Value=1000.0)
    put("Other/App", "Requests", FN, start, Value=1000.0)
    put(NAMESPACE, "Requests", [], start + timedelta(minutes=10), Value=7.0)
    return start, end


def by_id(response: Any) -> dict[str, tuple[list[datetime], list[float]]]:
    return {r["Id"]: (r["Timestamps"], r["Values"]) for r in response["MetricDataResults"]}


def test_get_metric_data_buckets_and_statistics(hourly_data: tuple[datetime, datetime]) -> None:
    start, end = hourly_data
    queries = [stat_query(s.lower(), s) for s in ("Sum", "Maximum", "Minimum", "Average", "SampleCount")]
    queries.append(stat_query("nodims", "Sum", dimensions=[]))

    response = cloudwatch().get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end)

    hours = [start + timedelta(hours=3), start + timedelta(hours=1), start]  # newest first by default
    assert by_id(response) == {
        "sum": (hours, [10.0, 5.0, 3.0]),
        "maximum": (hours, [4.0, 5.0, 2.0]),
        "minimum": (hours, [1.0, 5.0, 1.0]),
        "average": (hours, [2.5, 5.0, 1.5]),
        "samplecount": (hours, [4.0, 1.0, 2.0]),
        "nodims": ([start], [7.0]),
    }
    assert {r["StatusCode"] for r in response["MetricDataResults"]} == {"Complete"}
    assert "NextToken" not in response
    assert response["MetricDataResults"][0]["Label"] == "Requests Sum"


def test_get_metric_data_ascending_percentile_and_unit(hourly_data: tuple[datetime, datetime]) -> None:
    start, end = hourly_data
    put(NAMESPACE, "Requests", FN, start + timedelta(minutes=30), Value=9.0, Unit="Seconds")
    with_unit = stat_query("seconds", "Sum")
    with_unit["MetricStat"]["Unit"] = "Seconds"

    response = cloudwatch().get_metric_data(
        MetricDataQueries=[stat_query("p50", "p50"), with_unit],
        StartTime=start,
        EndTime=end,
        ScanBy="TimestampAscending",
    )

    # The statistic set in hour 3 has no raw values, so it has no percentile.
    assert by_id(response) == {
        "p50": ([start, start + timedelta(hours=1)], [2.0, 5.0]),
        "seconds": ([start], [9.0]),
    }


def test_get_metric_data_pages_by_max_datapoints(hourly_data: tuple[datetime, datetime]) -> None:
    start, end = hourly_data
    queries = [stat_query("total", "Sum"), stat_query("bare", "Sum", dimensions=[])]
    client = cloudwatch()
    whole = by_id(client.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end))

    first = client.get_metric_data(MetricDataQueries=queries, StartTime=start, EndTime=end, MaxDatapoints=2)
    second = client.get_metric_data(
        MetricDataQueries=queries, StartTime=start, EndTime=end, MaxDatapoints=2, NextToken=first["NextToken"]
    )

    assert [(r["Id"], len(r["Values"]), r["StatusCode"]) for r in first["MetricDataResults"]] == [
        ("total", 2, "PartialData"),
        ("bare", 0, "PartialData"),
    ]
    assert "NextToken" not in second
    merged: dict[str, tuple[list[datetime], list[float]]] = {}
    for page in (first, second):
        for query_id, (stamps, values) in by_id(page).items():
            old_stamps, old_values = merged.get(query_id, ([], []))
            merged[query_id] = (old_stamps + stamps, old_values + values)
    assert merged == whole
    pages = list(
        client.get_paginator("get_metric_data").paginate(
            MetricDataQueries=queries, StartTime=start, EndTime=end, MaxDatapoints=3
        )
    )
    assert sum(len(r["Values"]) for p in pages for r in p["MetricDataResults"]) == 4
    assert len(pages) == 2


def test_get_metric_data_sees_data_put_after_an_earlier_query(hourly_data: tuple[datetime, datetime]) -> None:
    start, end = hourly_data
    client = cloudwatch()
    assert by_id(
        client.get_metric_data(MetricDataQueries=[stat_query("s", "Sum")], StartTime=start, EndTime=end)
    )["s"][1] == [10.0, 5.0, 3.0]

    # Older than everything indexed so far: the index must re-sort, not just append.
    put(NAMESPACE, "Requests", FN, start + timedelta(minutes=1), Value=4.0)
    put(NAMESPACE, "Requests", FN, start + timedelta(hours=2), Value=6.0)

    again = client.get_metric_data(MetricDataQueries=[stat_query("s", "Sum")], StartTime=start, EndTime=end)
    assert by_id(again)["s"][1] == [10.0, 6.0, 5.0, 7.0]


@pytest.mark.parametrize(
    ("age", "minute", "rounded_minute"),
    [(timedelta(days=20), 17, 15), (timedelta(days=100), 42, 0), (timedelta(days=3), 42, 42)],
)
def test_get_metric_data_rounds_start_time_like_aws_and_keeps_old_data(
    age: timedelta, minute: int, rounded_minute: int
) -> None:
    asked = (datetime.now(UTC) - age).replace(minute=minute, second=33, microsecond=0)
    rounded = asked.replace(minute=rounded_minute, second=0)
    put(NAMESPACE, "Requests", FN, rounded, Value=3.0)

    response = cloudwatch().get_metric_data(
        MetricDataQueries=[stat_query("s", "Sum", period=300)],
        StartTime=asked,
        EndTime=asked + timedelta(hours=1),
    )

    assert by_id(response)["s"] == ([rounded], [3.0])


def test_get_metric_data_expressions_still_use_moto(hourly_data: tuple[datetime, datetime]) -> None:
    start, end = hourly_data
    hidden = stat_query("raw", "Sum")
    hidden["ReturnData"] = False

    response = cloudwatch().get_metric_data(
        MetricDataQueries=[hidden, {"Id": "copy", "Expression": "raw", "Label": "copy of raw"}],
        StartTime=start,
        EndTime=end,
    )

    (result,) = response["MetricDataResults"]
    assert (result["Id"], result["Label"], result["Values"]) == ("copy", "copy of raw", [10.0, 5.0, 3.0])


@pytest.mark.parametrize(
    ("queries", "extra", "code"),
    [
        ([stat_query("Upper", "Sum")], {}, "ValidationError"),
        ([stat_query("same", "Sum"), stat_query("same", "Maximum")], {}, "ValidationError"),
        ([stat_query(f"q{i}", "Sum") for i in range(501)], {}, "ValidationError"),
        ([stat_query("s", "Sum")], {"NextToken": "not-a-token"}, "InvalidNextToken"),
    ],
)
def test_get_metric_data_refuses_what_aws_refuses(
    queries: list[dict[str, Any]], extra: dict[str, Any], code: str
) -> None:
    now = datetime.now(UTC)
    with pytest.raises(ClientError) as refused:
        cloudwatch().get_metric_data(
            MetricDataQueries=queries, StartTime=now - timedelta(hours=1), EndTime=now, **extra
        )
    assert error_of(refused)[0] == code
