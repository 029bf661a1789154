"""The resource-policy checks on hand-built inventories: function URLs as AWS authorises them, service
principals without a source condition, accounts outside the run, and the policies of aliases."""

from __future__ import annotations

from typing import Any

import pytest

from lambdaops.inventory import AliasInfo, Inventory, UrlConfig, VersionInfo
from lambdaops.model import Severity
from lambdaops.policy import exposure
from lambdaops.settings import Settings
from tests.test_iam_checks import ACCOUNT, fn, inventory, role, run

F = fn("webhook", "arn:aws:iam::123456789012:role/app")
PARTNER = "210987654321"
URL = UrlConfig(url="https://abc.lambda-url.eu-west-1.on.aws/", auth_type="NONE")
URL_STATEMENT = {
    "Sid": "FunctionURLAllowPublicAccess",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunctionUrl",
    "Resource": F.arn,
    "Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}},
}
VIA_URL_STATEMENT = {
    "Sid": "FunctionURLAllowInvokeAction",
    "Effect": "Allow",
    "Principal": "*",
    "Action": "lambda:InvokeFunction",
    "Resource": F.arn,
    "Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}},
}
ACCESS_IDS = (
    "lambda-public-invoke",
    "lambda-public-url",
    "lambda-public-unlimited",
    "lambda-url-unreachable",
    "lambda-confused-deputy",
    "lambda-cross-account-invoke",
)


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def grant(principal: Any, sid: str = "s1", condition: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": principal,
        "Action": "lambda:InvokeFunction",
        "Resource": F.arn,
    }
    if condition:
        out["Condition"] = condition
    return out


def inv_with(**parts: Any) -> Inventory:
    return inventory([F], [role("app")], **parts)


def all_findings(inv: Inventory, settings: Settings | None = None) -> dict[str, list[Any]]:
    out = {cid: run(cid, inv, settings) for cid in ACCESS_IDS}
    return {cid: found for cid, found in out.items() if found}


def test_modern_public_url_is_public_url_only_never_public_invoke() -> None:
    inv = inv_with(
        resource_policies={F.arn: policy(URL_STATEMENT, VIA_URL_STATEMENT)},
        function_urls={F.arn: [URL]},
        reserved={F.arn: 5},
    )
    found = all_findings(inv)
    assert set(found) == {"lambda-public-url"}
    (url,) = found["lambda-public-url"]
    assert url.severity is Severity.HIGH and url.evidence["policy_grants_public"] is True
    assert exposure.public_functions(inv) == {F.arn: "function-url"}


def test_modern_public_url_without_a_limit_is_public_unlimited() -> None:
    inv = inv_with(
        resource_policies={F.arn: policy(URL_STATEMENT, VIA_URL_STATEMENT)},
        function_urls={F.arn: [URL]},
        reserved={F.arn: None},
    )
    assert set(all_findings(inv)) == {"lambda-public-url", "lambda-public-unlimited"}


@pytest.mark.parametrize(
    "doc",
    [
        None,  # no policy at all
        policy(VIA_URL_STATEMENT),  # only the InvokeFunction half: the URL still answers 403
        policy(grant({"AWS": f"arn:aws:iam::{ACCOUNT}:role/caller"}, "internal")),
        policy(
            {
                **URL_STATEMENT,
                "Condition": {
                    **URL_STATEMENT["Condition"],
                    "StringLike": {"aws:PrincipalOrgID": "o-abc123def4"},
                },
            }
        ),
    ],
    ids=["no policy", "invoke half only", "own account only", "narrowed to the organisation"],
)
def test_none_url_without_public_grant_is_unreachable_low(doc: Any) -> None:
    inv = inv_with(resource_policies={F.arn: doc}, function_urls={F.arn: [URL]}, reserved={F.arn: None})
    found = all_findings(inv)
    assert set(found) == {"lambda-url-unreachable"}
    (finding,) = found["lambda-url-unreachable"]
    assert finding.severity is Severity.LOW
    assert "403" in finding.message and "delete-function-url-config" in finding.remediation
    assert exposure.public_functions(inv) == {}


def test_none_url_whose_policy_was_not_read_is_still_public() -> None:
    # GetPolicy refused: reachability unknown, so the URL is reported as public (never silenced)
    inv = inv_with(function_urls={F.arn: [URL]})
    (finding,) = run("lambda-public-url", inv)
    assert finding.evidence["policy_grants_public"] is None
    assert "could not be read" in finding.message
    assert run("lambda-url-unreachable", inv) == []


def test_alias_url_is_authorised_by_the_alias_policy() -> None:
    live_url = UrlConfig(url="https://live.lambda-url.eu-west-1.on.aws/", auth_type="NONE", qualifier="live")
    inv = inv_with(
        resource_policies={F.arn: policy(URL_STATEMENT), f"{F.arn}:live": None},
        function_urls={F.arn: [live_url]},
        aliases={F.arn: [AliasInfo("live", "1")]},
        versions={F.arn: [VersionInfo("1", 10, F.last_modified)]},
    )
    # the function's own policy grants the URL, but the URL belongs to alias live, which has no policy
    assert set(all_findings(inv)) == {"lambda-url-unreachable"}
    inv.resource_policies = {F.arn: None, f"{F.arn}:live": policy(URL_STATEMENT)}
    (finding,) = run("lambda-public-url", inv)
    assert finding.evidence["qualifier"] == "live"


def test_public_grant_on_an_alias_only_is_public_invoke() -> None:
    inv = inv_with(
        resource_policies={F.arn: None, f"{F.arn}:live": policy(grant("*", "AllowAnyoneLive"))},
        aliases={F.arn: [AliasInfo("live", "1")]},
        versions={F.arn: [VersionInfo("1", 10, F.last_modified)]},
        reserved={F.arn: None},
    )
    (finding,) = run("lambda-public-invoke", inv)
    assert finding.severity is Severity.CRITICAL
    assert "(qualifier live)" in finding.message
    assert finding.evidence["qualifier"] == "live"
    assert "--qualifier live" in finding.remediation
    assert finding.detail == "resource-policy:live#AllowAnyoneLive"
    assert exposure.public_functions(inv) == {F.arn: "resource-policy"}
    assert len(run("lambda-public-unlimited", inv)) == 1


def test_public_grant_on_a_published_version_is_public_invoke() -> None:
    inv = inv_with(
        resource_policies={F.arn: None, f"{F.arn}:3": policy(grant("*"))},
        versions={F.arn: [VersionInfo("3", 10, F.last_modified)]},
    )
    (finding,) = run("lambda-public-invoke", inv)
    assert finding.evidence["qualifier"] == "3"


def test_a_policy_kept_for_an_alias_that_is_gone_is_not_read() -> None:
    # only aliases and versions that exist count (a stale key would otherwise raise a ghost finding)
    inv = inv_with(resource_policies={F.arn: None, f"{F.arn}:old": policy(grant("*"))})
    assert run("lambda-public-invoke", inv) == []


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, 1),
        ({"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::uploads"}}, 1),  # a bucket ARN names no account
        ({"StringEquals": {"AWS:SourceAccount": ACCOUNT}}, 0),
        ({"StringEquals": {"aws:sourceaccount": ACCOUNT}}, 0),
    ],
)
def test_s3_grant_without_source_account_is_confused_deputy(condition: Any, expected: int) -> None:
    inv = inv_with(resource_policies={F.arn: policy(grant({"Service": "s3.amazonaws.com"}, "s3", condition))})
    found = run("lambda-confused-deputy", inv)
    assert len(found) == expected
    assert run("lambda-public-invoke", inv) == []
    if found:
        assert found[0].severity is Severity.HIGH
        assert "--source-account 123456789012" in found[0].remediation
        assert "AWS:SourceAccount" in found[0].message


def test_sns_grant_with_source_arn_is_not_confused_deputy() -> None:
    condition = {"ArnLike": {"AWS:SourceArn": f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"}}
    inv = inv_with(
        resource_policies={F.arn: policy(grant({"Service": "sns.amazonaws.com"}, "sns", condition))}
    )
    assert run("lambda-confused-deputy", inv) == []


def test_cross_account_grant_is_medium_unless_trusted_or_in_the_run() -> None:
    inv = inv_with(resource_policies={F.arn: policy(grant({"AWS": f"arn:aws:iam::{PARTNER}:root"}))})
    (finding,) = run("lambda-cross-account-invoke", inv)
    assert finding.severity is Severity.MEDIUM
    assert finding.evidence["accounts"] == [PARTNER]
    assert "trusted_accounts" in finding.remediation
    assert run("lambda-cross-account-invoke", inv, Settings(trusted_accounts=(PARTNER,))) == []
    inv.accounts = [ACCOUNT, PARTNER]  # --org / --accounts: an account of the run is one of ours
    assert run("lambda-cross-account-invoke", inv) == []


def test_org_condition_narrows_public_and_cross_account_grants() -> None:
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}
    inv = inv_with(
        resource_policies={F.arn: policy(grant("*", "org", org), grant({"AWS": PARTNER}, "partner", org))},
        reserved={F.arn: None},
    )
    assert all_findings(inv) == {}


def test_new_checks_are_registered_with_their_severity() -> None:
    from tests.test_iam_checks import check

    assert check("lambda-url-unreachable").severity is Severity.LOW
    assert check("lambda-confused-deputy").severity is Severity.HIGH
    assert check("lambda-cross-account-invoke").severity is Severity.MEDIUM
    assert check("lambda-public-url").needs >= {"resource_policies", "function_urls"}
