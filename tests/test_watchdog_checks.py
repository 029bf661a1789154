"""The security watchdog checks (issue 17) on hand-built inventories: each fires on its case, stays
silent on the case that must not fire, and says nothing where the data is unknown."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from lambdaops.checks.awslambda import (
    lambda_async_no_failure_destination,
    lambda_env_no_cmk,
    lambda_error_rate_high,
    lambda_secret_in_environment,
    lambda_timeouts,
    lambda_tracing_disabled,
    lambda_url_cors_wildcard,
    lambda_vpc_single_az,
)
from lambdaops.checks.registry import select
from lambdaops.env_secrets import EnvSecret
from lambdaops.inventory import InvocationMetrics, InvokeConfig, UrlConfig, VersionInfo
from lambdaops.settings import Settings
from tests.support.inventory import function, function_arn, inventory

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def names(findings: Any) -> list[str]:
    return sorted(f.resource_name for f in findings)


# --------------------------------------------------------------------------- secrets


def test_secret_fires_per_variable_and_never_holds_the_value() -> None:
    leaky = function(
        "leaky",
        env_secrets=(
            EnvSecret("DB_PASSWORD", "Secret Keyword"),
            EnvSecret("STRIPE", "Stripe Access Key"),
            EnvSecret("STRIPE", "Secret Keyword"),
        ),
    )
    clean = function("clean", env_secrets=())
    inv = inventory([leaky, clean], window_days=10)
    found = list(lambda_secret_in_environment.run(inv, Settings()))
    assert [(f.resource_name, f.evidence["variable"]) for f in found] == [
        ("leaky", "DB_PASSWORD"),
        ("leaky", "STRIPE"),
    ]
    stripe = found[1]
    assert stripe.evidence["detectors"] == ["Secret Keyword", "Stripe Access Key"]
    assert found[0].fingerprint != found[1].fingerprint  # one finding per variable
    assert stripe.severity is lambda_secret_in_environment.INFO.severity


def test_secret_in_a_published_version_only_is_reported_with_the_version() -> None:
    fn = function("f", env_secrets=())
    old = VersionInfo("3", 1, NOW, env_secrets=(EnvSecret("API_KEY", "Secret Keyword"),))
    inv = inventory([fn], versions={fn.arn: [old]})
    (finding,) = lambda_secret_in_environment.run(inv, Settings())
    assert finding.evidence["versions"] == ["3"]
    assert "version 3" in finding.message


def test_secret_unknown_environment_is_no_finding() -> None:
    inv = inventory([function("never-read")])  # env_secrets None: not read
    assert list(lambda_secret_in_environment.run(inv, Settings())) == []


# --------------------------------------------------------------------------- async failures

S3_GRANT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "s3",
            "Effect": "Allow",
            "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "*",
            "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}},
        }
    ],
}
APIGW_GRANT = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "apigateway.amazonaws.com"},
            "Action": "lambda:InvokeFunction",
            "Resource": "*",
        }
    ],
}


def _async_inv(**over: Any) -> Any:
    fn = function(over.pop("name", "f"), dead_letter_arn=over.pop("dlq", ""))
    policies = over.pop("policies", {fn.arn: S3_GRANT})
    configs = over.pop("configs", {fn.arn: []})
    return inventory([fn], resource_policies=policies, invoke_configs=configs)


def test_async_trigger_without_dlq_or_destination_fires() -> None:
    (finding,) = lambda_async_no_failure_destination.run(_async_inv(), Settings())
    assert finding.evidence["async_services"] == ["s3.amazonaws.com"]
    assert finding.evidence["qualifiers"] == ["$LATEST"]


@pytest.mark.parametrize(
    "case",
    [
        {"dlq": "arn:aws:sqs:eu-west-1:123456789012:dlq"},  # a DLQ keeps the failures
        {"configs": {function_arn("f"): [InvokeConfig(None, "arn:aws:sqs:eu-west-1:1:q")]}},
        {"policies": {function_arn("f"): APIGW_GRANT}},  # synchronous caller only
        {"policies": {function_arn("f"): None}},  # no policy at all
    ],
    ids=["dlq", "on-failure-destination", "sync-caller", "no-policy"],
)
def test_async_must_not_fire(case: dict[str, Any]) -> None:
    assert list(lambda_async_no_failure_destination.run(_async_inv(**case), Settings())) == []


def test_async_destination_on_another_alias_does_not_cover_the_function() -> None:
    configs = {function_arn("f"): [InvokeConfig("live", "arn:aws:sqs:eu-west-1:1:q")]}
    assert len(list(lambda_async_no_failure_destination.run(_async_inv(configs=configs), Settings()))) == 1


@pytest.mark.parametrize(
    "case",
    [
        {"configs": {}},  # invoke configs not read
        {"policies": {}},  # policy not read
        {"policies": {function_arn("f"): "not json"}},  # unparseable
        {"dlq": None},  # DeadLetterConfig not read
    ],
    ids=["configs-unread", "policy-unread", "policy-unparseable", "dlq-unread"],
)
def test_async_unknown_is_no_finding(case: dict[str, Any]) -> None:
    assert list(lambda_async_no_failure_destination.run(_async_inv(**case), Settings())) == []


# --------------------------------------------------------------------------- errors and timeouts


def _metrics(**kw: Any) -> InvocationMetrics:
    return InvocationMetrics(window_sum=kw.get("span_invocations", 0.0), last_invocation=None, **kw)


def test_error_rate_fires_above_the_threshold_with_enough_invocations() -> None:
    bad, ok, few = function("bad"), function("ok"), function("few")
    inv = inventory(
        [bad, ok, few],
        window_days=10,
        invocations={
            bad.arn: _metrics(errors=12.0, span_invocations=200.0),  # 6%
            ok.arn: _metrics(errors=10.0, span_invocations=200.0),  # 5%: not above
            few.arn: _metrics(errors=50.0, span_invocations=99.0),  # under 100 invocations
        },
    )
    found = list(lambda_error_rate_high.run(inv, Settings()))
    assert names(found) == ["bad"]
    assert found[0].evidence["error_rate_percent"] == 6.0
    assert names(lambda_error_rate_high.run(inv, Settings(error_rate_min_invocations=50))) == ["bad", "few"]
    assert names(lambda_error_rate_high.run(inv, Settings(error_rate_percent=10))) == []


def test_error_rate_unknown_is_no_finding() -> None:
    f = function("f")
    inv = inventory([f], invocations={f.arn: _metrics(errors=None, span_invocations=500.0)})
    assert list(lambda_error_rate_high.run(inv, Settings())) == []
    assert list(lambda_error_rate_high.run(inventory([f]), Settings())) == []


def test_timeouts_fire_at_95_percent_of_the_timeout() -> None:
    near, far = function("near", timeout_s=10), function("far", timeout_s=10)
    inv = inventory(
        [near, far],
        window_days=10,
        invocations={near.arn: _metrics(max_duration_ms=9_500.0), far.arn: _metrics(max_duration_ms=9_400.0)},
    )
    found = list(lambda_timeouts.run(inv, Settings()))
    assert names(found) == ["near"]
    assert found[0].evidence["percent_of_timeout"] == 95.0
    assert names(lambda_timeouts.run(inv, Settings(timeout_near_percent=90))) == ["far", "near"]


def test_timeouts_unknown_is_no_finding() -> None:
    no_timeout, unread = function("a"), function("b", timeout_s=3)
    inv = inventory(
        [no_timeout, unread],
        invocations={
            no_timeout.arn: _metrics(max_duration_ms=9e9),
            unread.arn: _metrics(max_duration_ms=None),
        },
    )
    assert list(lambda_timeouts.run(inv, Settings())) == []


# --------------------------------------------------------------------------- VPC


def test_vpc_single_az() -> None:
    one = function("one", subnet_ids=("subnet-a", "subnet-a2"))
    two = function("two", subnet_ids=("subnet-a", "subnet-b"))
    outside = function("outside", subnet_ids=())
    lost = function("lost", subnet_ids=("subnet-a", "subnet-gone"))  # a subnet not returned: unknown
    zones = {"subnet-a": "eu-west-1a", "subnet-a2": "eu-west-1a", "subnet-b": "eu-west-1b"}
    inv = inventory([one, two, outside, lost], subnets={one.scope: zones})
    found = list(lambda_vpc_single_az.run(inv, Settings()))
    assert names(found) == ["one"]
    assert found[0].evidence["availability_zones"] == ["eu-west-1a"]
    assert lambda_vpc_single_az.INFO.controls == ("FSBP Lambda.5",)


def test_vpc_subnets_unread_is_no_finding() -> None:
    inv = inventory([function("one", subnet_ids=("subnet-a",))])  # DescribeSubnets not read
    assert list(lambda_vpc_single_az.run(inv, Settings())) == []


# --------------------------------------------------------------------------- CORS


def _url(
    origins: tuple[str, ...] | None, credentials: bool | None, qualifier: str | None = None
) -> UrlConfig:
    return UrlConfig(
        url="https://x.lambda-url.eu-west-1.on.aws/",
        auth_type="AWS_IAM",
        qualifier=qualifier,
        cors_allow_origins=origins,
        cors_allow_credentials=credentials,
    )


def test_cors_wildcard_with_credentials() -> None:
    fns = [function(n) for n in ("wild", "no-creds", "listed", "unknown")]
    urls = {
        fns[0].arn: [_url(("*",), True, "live")],
        fns[1].arn: [_url(("*",), False)],
        fns[2].arn: [_url(("https://app.example.com",), True)],
        fns[3].arn: [_url(None, None)],  # read from an older cache: unknown
    }
    found = list(lambda_url_cors_wildcard.run(inventory(fns, function_urls=urls), Settings()))
    assert names(found) == ["wild"]
    assert found[0].evidence["qualifier"] == "live"


def test_url_config_read_back_from_the_json_cache_keeps_a_tuple() -> None:
    url = UrlConfig(url="u", auth_type="NONE", cors_allow_origins=["*"], cors_allow_credentials=True)  # type: ignore[arg-type]
    assert url.cors_allow_origins == ("*",)


# --------------------------------------------------------------------------- off by default


def test_tracing_and_cmk() -> None:
    plain = function("plain", tracing_mode="PassThrough", kms_key_arn="", env_var_names=("A",))
    careful = function(
        "careful", tracing_mode="Active", kms_key_arn="arn:aws:kms:eu-west-1:1:key/k", env_var_names=("A",)
    )
    bare = function("bare", tracing_mode="PassThrough", kms_key_arn="", env_var_names=())
    unread = function("unread")
    inv = inventory([plain, careful, bare, unread])
    assert names(lambda_tracing_disabled.run(inv, Settings())) == ["bare", "plain"]
    assert names(lambda_env_no_cmk.run(inv, Settings())) == ["plain"]  # bare has nothing to encrypt


def test_off_by_default_checks_run_only_when_enabled() -> None:
    off = {"lambda-tracing-disabled", "lambda-env-no-cmk"}
    assert not off & {c.id for c in select()}
    assert not off & {c.id for c in select(["lambda-*"])}  # a glob does not switch them on
    assert {c.id for c in select(["lambda-tracing-disabled"])} == {"lambda-tracing-disabled"}  # named
    assert off <= {c.id for c in select(enabled=["lambda-tracing-disabled", "lambda-env-*"])}
    with pytest.raises(ValueError, match="unknown check id"):
        select(enabled=["lambda-tracing-disabld"])


def test_compliance_selects_exactly_the_mapped_checks() -> None:
    chosen = select(framework="fsbp")
    assert chosen and all(c.controls_of("fsbp") for c in chosen)
    mapped = {c.id for c in select(["*"]) if any(x.startswith("FSBP ") for x in c.controls)}
    assert {c.id for c in chosen} == mapped
    assert {"lambda-public-invoke", "lambda-deprecated-runtime", "lambda-vpc-single-az"} <= mapped


def test_a_url_cached_without_cors_is_read_again(tmp_path: Any) -> None:
    from lambdaops.collect.parts.access import _cached
    from lambdaops.collect.revision_cache import POLICY, URLS, RevisionCache

    fn = function("f", revision_id="rev-1")
    cache = RevisionCache(tmp_path)
    old = {"url": "u", "auth_type": "AWS_IAM", "qualifier": None}  # written before CORS was kept
    cache.put(POLICY, fn.arn, "rev-1", None)  # URLs are served from the cache only without a policy
    cache.put(URLS, fn.arn, "rev-1", [old])
    reads: list[int] = []

    def read() -> list[UrlConfig]:
        reads.append(1)
        return [_url(("*",), True)]

    assert _cached(cache, URLS, fn, read)[0].cors_allow_origins == ("*",)
    assert _cached(cache, URLS, fn, read)[0].cors_allow_credentials is True
    assert len(reads) == 1  # read once, then served from the cache
