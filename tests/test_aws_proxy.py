"""The call-counting, fault-injecting proxy, in front of a real moto server, driven by boto3."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError
from botocore.parsers import create_parser

from lambdaops.demo.server import running_server
from tests.support.aws_proxy import (
    AwsProxy,
    RequestInfo,
    _cbor_text_map,
    _render_error,
    _throttle_error,
    identify_request,
)
from tests.support.seeds import SEEDED_FUNCTION

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with running_server(seed="tests.support.seeds:one_function") as url:
        yield url


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore waits up to a second before retrying a throttle; the retry itself is what is under test.
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0.0)


NO_RETRIES = {"mode": "standard", "total_max_attempts": 1}


def aws(service: str, url: str, region: str = "us-east-1", retries: Any = None, **config: Any) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries=retries or NO_RETRIES, **config),
    )


def error_of(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[str, int]:
    response: Any = excinfo.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------- counting


def test_counts_calls_per_operation_and_connections_with_keep_alive(moto_url: str) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with AwsProxy(moto_url, latency_ms=1, new_conn_ms=2) as proxy:
        lam, cw, iam = aws("lambda", proxy.url), aws("cloudwatch", proxy.url), aws("iam", proxy.url)
        lam.list_functions()
        lam.get_function(FunctionName=SEEDED_FUNCTION)
        lam.get_account_settings()
        lam.list_provisioned_concurrency_configs(FunctionName=SEEDED_FUNCTION)
        lam.get_function_concurrency(FunctionName=SEEDED_FUNCTION)
        cw.put_metric_data(
            Namespace="Proxy/Test", MetricData=[{"MetricName": "m", "Value": 1.0, "Timestamp": now}]
        )
        cw.get_metric_data(
            MetricDataQueries=[
                {
                    "Id": "m",
                    "MetricStat": {
                        "Metric": {"Namespace": "Proxy/Test", "MetricName": "m"},
                        "Period": 60,
                        "Stat": "Sum",
                    },
                }
            ],
            StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=1),
        )
        iam.list_roles()
        iam.get_role(RoleName="seeded-role")
        iam.list_roles()
        aws("ec2", proxy.url).describe_regions()
        aws("sts", proxy.url).get_caller_identity()

        assert proxy.counts() == {
            "lambda:ListFunctions": 1,
            "lambda:GetFunction": 1,
            "lambda:GetAccountSettings": 1,
            "lambda:ListProvisionedConcurrencyConfigs": 1,
            "lambda:GetFunctionConcurrency": 1,
            "cloudwatch:PutMetricData": 1,
            "cloudwatch:GetMetricData": 1,
            "iam:ListRoles": 2,
            "iam:GetRole": 1,
            "ec2:DescribeRegions": 1,
            "sts:GetCallerIdentity": 1,
        }
        # One kept-alive connection per client, so the handshake cost is paid five times, not twelve.
        assert proxy.connections() == 5
        assert proxy.injected_delay_ms() == 12 * 1 + 5 * 2
        assert proxy.faults_injected() == {}

        proxy.reset()
        lam.get_account_settings()
        assert proxy.counts() == {"lambda:GetAccountSettings": 1}
        assert proxy.connections() == 0  # reused the connection opened before the reset
        assert proxy.injected_delay_ms() == 1


def test_latency_is_added_per_request_and_per_new_connection(moto_url: str) -> None:
    slept: list[float] = []
    with AwsProxy(moto_url, latency_ms=20, new_conn_ms=50, sleep=slept.append) as proxy:
        first = aws("lambda", proxy.url)
        for _ in range(3):
            first.get_account_settings()
        aws("lambda", proxy.url).get_account_settings()

        assert slept == [0.07, 0.02, 0.02, 0.07]
        assert proxy.injected_delay_ms() == 180


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("fault", ["throttle", "5xx", "drop"])
@pytest.mark.usefixtures("no_backoff")
def test_injected_fault_is_retried_and_the_call_succeeds(moto_url: str, fault: str) -> None:
    with AwsProxy(
        moto_url, fault_rate=1.0, faults=(fault,), max_faults=2, fault_operations=["lambda:ListFunctions"]
    ) as proxy:
        # As lambdaops configures its clients: botocore's max_attempts=10 means up to 11 attempts.
        lam = aws("lambda", proxy.url, retries={"mode": "standard", "max_attempts": 10})
        lam.get_account_settings()  # not a chosen operation: untouched
        response = lam.list_functions()

        assert SEEDED_FUNCTION in {f["FunctionName"] for f in response["Functions"]}
        assert response["ResponseMetadata"]["RetryAttempts"] == 2
        assert proxy.counts() == {"lambda:GetAccountSettings": 1, "lambda:ListFunctions": 3}
        assert proxy.faults_injected() == {fault: 2}
        # A dropped connection cannot be reused: the client has to open a new one each time.
        assert proxy.connections() == (3 if fault == "drop" else 1)


@pytest.mark.usefixtures("no_backoff")
def test_a_lost_answer_reaches_the_emulator_and_the_retry_repeats_the_call(moto_url: str) -> None:
    with AwsProxy(
        moto_url, fault_rate=1.0, faults=("lost",), max_faults=1, fault_operations=["lambda:CreateAlias"]
    ) as proxy:
        lam = aws("lambda", proxy.url, retries={"mode": "standard", "total_max_attempts": 3})
        # The first attempt creates the alias, its answer is lost; the retry finds it made already.
        with pytest.raises(ClientError) as conflict:
            lam.create_alias(FunctionName=SEEDED_FUNCTION, Name="lost-answer", FunctionVersion="$LATEST")
        assert error_of(conflict)[0].endswith("ConflictException")  # moto: ConflictException
        assert lam.get_alias(FunctionName=SEEDED_FUNCTION, Name="lost-answer")["Name"] == "lost-answer"
        assert proxy.counts()["lambda:CreateAlias"] == 2
        assert proxy.faults_injected() == {"lost": 1}
        lam.delete_alias(FunctionName=SEEDED_FUNCTION, Name="lost-answer")


def test_replay_answers_a_read_seen_before_without_asking_the_emulator(moto_url: str) -> None:
    """Two proxies in a row: the outer one replays, the inner one counts what reaches the emulator."""
    with AwsProxy(moto_url) as inner, AwsProxy(inner.url, replay=True, quotas="aws") as outer:
        lam = aws("lambda", outer.url)
        first = lam.get_function(FunctionName=SEEDED_FUNCTION)["Configuration"]
        again = lam.get_function(FunctionName=SEEDED_FUNCTION)["Configuration"]
        assert again == first
        lam.list_functions()
        # a write is never replayed, and neither is the read after it (a different request: no
        # match) nor a read of another region (another signing scope)
        lam.tag_resource(Resource=first["FunctionArn"], Tags={"replay": "test"})
        lam.untag_resource(Resource=first["FunctionArn"], TagKeys=["replay"])
        aws("lambda", outer.url, region="eu-west-1").list_functions()
        assert outer.counts()["lambda:GetFunction"] == 2  # every call is counted and quota-checked
        assert inner.counts()["lambda:GetFunction"] == 1  # the emulator answered once
        assert inner.counts()["lambda:TagResource"] == 1 and inner.counts()["lambda:UntagResource"] == 1
        assert inner.counts()["lambda:ListFunctions"] == 2
        assert outer.replayed() == 1
        assert sum(outer.admitted().values()) == 6
        # an error answer of a read is the account's answer too (a function without a policy)
        for _ in range(2):
            with pytest.raises(ClientError):
                lam.get_policy(FunctionName=SEEDED_FUNCTION)
        assert inner.counts()["lambda:GetPolicy"] == 1 and outer.replayed() == 2


@pytest.mark.parametrize(
    ("service", "call", "fault", "expected"),
    [
        ("lambda", "list_functions", "throttle", {("TooManyRequestsException", 429)}),
        ("iam", "list_roles", "throttle", {("Throttling", 400)}),
        ("cloudwatch", "list_metrics", "throttle", {("Throttling", 400)}),
        ("ec2", "describe_regions", "throttle", {("RequestLimitExceeded", 503)}),
        ("lambda", "list_functions", "5xx", {("ServiceException", 500), ("ServiceException", 503)}),
        ("sts", "get_caller_identity", "5xx", {("InternalFailure", 500), ("ServiceUnavailable", 503)}),
    ],
)
def test_faults_come_in_the_services_own_error_format(
    moto_url: str, service: str, call: str, fault: str, expected: set[tuple[str, int]]
) -> None:
    with AwsProxy(moto_url, fault_rate=1.0, faults=(fault,)) as proxy, pytest.raises(ClientError) as failed:
        getattr(aws(service, proxy.url), call)()
    assert error_of(failed) in expected


def test_dropped_connection_reaches_botocore_as_a_closed_connection(moto_url: str) -> None:
    with AwsProxy(moto_url, fault_rate=1.0, faults=("drop",)) as proxy, pytest.raises(ConnectionClosedError):
        aws("lambda", proxy.url).list_functions()


@pytest.mark.usefixtures("no_backoff")
def test_slow_answer_times_the_client_out_and_stop_does_not_wait_for_it(moto_url: str) -> None:
    proxy = AwsProxy(moto_url, fault_rate=1.0, faults=("slow",), max_faults=1, slow_ms=60_000)
    with proxy:
        lam = aws(
            "lambda", proxy.url, retries={"mode": "standard", "total_max_attempts": 3}, read_timeout=0.3
        )
        response = lam.get_account_settings()

        assert response["ResponseMetadata"]["RetryAttempts"] == 1
        assert proxy.faults_injected() == {"slow": 1}
        assert proxy.injected_delay_ms() == 60_000
    # Still asleep in the slow answer when the proxy stopped: stop() woke it and joined its thread.
    assert proxy.open_connections() == 0


def test_fault_sequence_is_fixed_by_the_seed(moto_url: str) -> None:
    def outcomes(seed: int) -> list[str]:
        with AwsProxy(moto_url, fault_rate=0.5, faults=("throttle", "5xx"), seed=seed) as proxy:
            lam = aws("lambda", proxy.url)
            seen = []
            for _ in range(12):
                try:
                    lam.get_account_settings()
                    seen.append("ok")
                except ClientError as error:
                    seen.append(str(error.response["ResponseMetadata"]["HTTPStatusCode"]))
            return seen

    first = outcomes(seed=3)
    assert outcomes(seed=3) == first
    assert outcomes(seed=4) != first
    assert "ok" in first
    assert len(set(first)) > 1


# --------------------------------------------------------------------------- denials


def test_denied_operations_and_regions_answer_access_denied_every_time(moto_url: str) -> None:
    with AwsProxy(
        moto_url, deny_operations=["lambda:ListFunctions", "IAM:*"], deny_regions=["eu-west-1"]
    ) as proxy:
        lam = aws("lambda", proxy.url, retries={"mode": "standard", "total_max_attempts": 5})
        lam.get_account_settings()
        for _ in range(2):
            with pytest.raises(ClientError) as listed:
                lam.list_functions()
            assert error_of(listed) == ("AccessDeniedException", 403)
        with pytest.raises(ClientError) as roles:
            aws("iam", proxy.url).list_roles()
        assert error_of(roles) == ("AccessDenied", 403)

        denied_region = {
            ("lambda", "get_account_settings"): ("AccessDeniedException", 403),
            ("cloudwatch", "list_metrics"): ("AccessDenied", 403),
            ("ec2", "describe_regions"): ("UnauthorizedOperation", 403),
        }
        for (service, call), expected in denied_region.items():
            with pytest.raises(ClientError) as refused:
                getattr(aws(service, proxy.url, region="eu-west-1"), call)()
            assert error_of(refused) == expected
        aws("cloudwatch", proxy.url, region="us-east-1").list_metrics()

        # Denials are not retried, even by a client that would retry.
        assert proxy.counts()["lambda:ListFunctions"] == 2
        assert proxy.faults_injected() == {"deny": 6}


def test_an_operation_can_be_denied_in_one_region_only(moto_url: str) -> None:
    with AwsProxy(moto_url, deny_operations=["lambda:GetAccountSettings@eu-west-1"]) as proxy:
        aws("lambda", proxy.url, region="eu-central-1").get_account_settings()
        aws("lambda", proxy.url, region="eu-west-1").list_functions()
        with pytest.raises(ClientError) as refused:
            aws("lambda", proxy.url, region="eu-west-1").get_account_settings()
        assert error_of(refused) == ("AccessDeniedException", 403)
        assert proxy.faults_injected() == {"deny": 1}


# --------------------------------------------------------------------------- identifying requests


def headers_for(service: str, region: str = "us-east-1", **extra: str) -> dict[str, str]:
    scope = f"Credential=AKIDEXAMPLE/20261127/{region}/{service}/aws4_request"
    return {"authorization": f"AWS4-HMAC-SHA256 {scope}, SignedHeaders=host, Signature=0", **extra}


@pytest.mark.parametrize(
    ("method", "target", "operation"),
    [
        ("GET", "/2015-03-31/functions/", "ListFunctions"),
        ("GET", "/2015-03-31/functions/?MaxItems=50&Marker=abc", "ListFunctions"),
        ("GET", "/2015-03-31/functions/fn", "GetFunction"),
        (
            "GET",
            "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Afn/configuration",
            "GetFunctionConfiguration",
        ),
        (
            "GET",
            "/2019-09-30/functions/fn/provisioned-concurrency?List=ALL",
            "ListProvisionedConcurrencyConfigs",
        ),
        (
            "GET",
            "/2019-09-30/functions/fn/provisioned-concurrency?Qualifier=live",
            "GetProvisionedConcurrencyConfig",
        ),
        (
            "PUT",
            "/2019-09-30/functions/fn/provisioned-concurrency?Qualifier=1",
            "PutProvisionedConcurrencyConfig",
        ),
        ("GET", "/2016-08-19/account-settings", "GetAccountSettings"),
        ("GET", "/2021-10-31/functions/fn/urls", "ListFunctionUrlConfigs"),
        ("DELETE", "/2017-10-31/functions/fn/concurrency", "DeleteFunctionConcurrency"),
    ],
)
def test_identifies_lambda_rest_operations_from_method_and_path(
    method: str, target: str, operation: str
) -> None:
    info = identify_request(method, target, headers_for("lambda"), b"")
    assert (info.key, info.protocol) == (f"lambda:{operation}", "rest-json")


def test_identifies_json_cbor_query_and_ec2_requests() -> None:
    form = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    cases = {
        identify_request(
            "POST",
            "/",
            headers_for("monitoring", **{"x-amz-target": "GraniteServiceVersion20100801.GetMetricData"}),
            b"{}",
        ): ("cloudwatch:GetMetricData", "json", "us-east-1"),
        identify_request(
            "POST",
            "/service/GraniteServiceVersion20100801/operation/ListMetrics",
            headers_for("monitoring", "eu-west-1", **{"smithy-protocol": "rpc-v2-cbor"}),
            b"",
        ): ("cloudwatch:ListMetrics", "cbor", "eu-west-1"),
        identify_request("POST", "/", headers_for("iam", **form), b"Action=ListRoles&Version=2010-05-08"): (
            "iam:ListRoles",
            "query",
            "us-east-1",
        ),
        identify_request("POST", "/", headers_for("ec2", "ap-south-1", **form), b"Action=DescribeRegions"): (
            "ec2:DescribeRegions",
            "ec2",
            "ap-south-1",
        ),
        identify_request(
            "POST",
            "/",
            headers_for("organizations", **{"x-amz-target": "AWSOrganizationsV20161128.ListAccounts"}),
            b"{}",
        ): ("organizations:ListAccounts", "json", "us-east-1"),
    }
    assert {info: (info.key, info.protocol, info.region) for info in cases} == cases


def test_cbor_errors_parse_in_botocore_with_the_query_compatible_code() -> None:
    info = RequestInfo("cloudwatch", "GetMetricData", "us-east-1", "cbor", "cloudwatch")
    headers, body = _render_error(info, _throttle_error(info), {})
    assert body == _cbor_text_map({"__type": "ThrottlingException", "message": "Rate exceeded"})
    output = (
        botocore.session.get_session()
        .get_service_model("cloudwatch")
        .operation_model("GetMetricData")
        .output_shape
    )
    parsed = create_parser("smithy-rpc-v2-cbor").parse(
        {"status_code": 400, "headers": {k.lower(): v for k, v in headers.items()}, "body": body}, output
    )
    assert parsed["Error"]["Code"] == "Throttling"


# --------------------------------------------------------------------------- as a script


def test_script_writes_counts_on_sigterm(moto_url: str, tmp_path: Path) -> None:
    counts_file = tmp_path / "counts.json"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.aws_proxy",
            "--upstream",
            moto_url,
            "--counts-file",
            str(counts_file),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    ready = threading.Event()

    def read_ready_line() -> None:
        lines.append(process.stdout.readline() if process.stdout else "")
        ready.set()

    threading.Thread(target=read_ready_line, daemon=True).start()
    try:
        assert ready.wait(30), "the proxy script never said ready"
        assert lines[0].startswith("ready http://127.0.0.1:")
        aws("lambda", lines[0].split()[1]).get_account_settings()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
        process.stdout.close()

    report = json.loads(counts_file.read_text())
    assert report["calls"] == {"lambda:GetAccountSettings": 1}
    assert report["connections"] == 1
    assert report["faults"] == {}
