"""IAM: every role and the managed policies it attaches, in one paginated pass per account.

GetAccountAuthorizationDetails returns each role with its inline policies and the default version
of every managed policy in a handful of pages: far fewer calls than GetRole / ListRolePolicies /
GetPolicyVersion per role, which would throttle on accounts with hundreds of functions.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lambdaops.inventory import IamDetails, InlinePolicy, ManagedPolicy, RoleInfo

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_iam.literals import EntityTypeType

OPERATIONS = ("iam:GetAccountAuthorizationDetails",)
FILTER: list[EntityTypeType] = ["Role", "LocalManagedPolicy", "AWSManagedPolicy"]


def parse_document(raw: Any) -> Any:
    """boto3 hands documents over parsed; text (plain or URL-encoded JSON) is parsed here, and text
    that is not JSON is kept as it is so the checks can report it rather than skip it."""
    if not isinstance(raw, str):
        return raw
    for text in (raw, urllib.parse.unquote(raw)):
        try:
            return json.loads(text)
        except ValueError:
            continue
    return raw


def policy_kind(arn: str) -> str:
    # AWS-managed policies live in the pseudo-account "aws" in every partition.
    return "aws-managed" if arn.split(":")[4:5] == ["aws"] else "customer-managed"


def _aware(moment: Any) -> datetime | None:
    """A role's CreateDate (boto3: an aware datetime); None when IAM did not say."""
    if not isinstance(moment, datetime):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _default_document(policy: dict[str, Any]) -> Any:
    versions = policy.get("PolicyVersionList") or []
    for version in versions:
        if version.get("IsDefaultVersion"):
            return parse_document(version.get("Document"))
    # No default version: None reaches the checks, which report it as iam-policy-unparseable
    # rather than judging some other version or passing the policy.
    return None


def collect_iam(client: IAMClient, account_id: str) -> IamDetails:
    """Roles (by ARN) and the managed policies of `account_id`. Raises botocore's ClientError when
    IAM refuses; the caller records it as an error of the account."""
    roles: dict[str, RoleInfo] = {}
    policies: dict[str, ManagedPolicy] = {}
    paginator = client.get_paginator("get_account_authorization_details")
    for page in paginator.paginate(Filter=FILTER):
        for role in page.get("RoleDetailList", []):
            arn = role["Arn"]
            roles[arn] = RoleInfo(
                arn=arn,
                name=role.get("RoleName") or arn.rsplit("/", 1)[-1],
                inline_policies=tuple(
                    InlinePolicy(name=p["PolicyName"], document=parse_document(p.get("PolicyDocument")))
                    for p in role.get("RolePolicyList", [])
                ),
                attached_policy_arns=tuple(p["PolicyArn"] for p in role.get("AttachedManagedPolicies", [])),
                created=_aware(role.get("CreateDate")),
            )
        for policy in page.get("Policies", []):
            arn = policy["Arn"]
            policies[arn] = ManagedPolicy(
                arn=arn,
                # moto leaves PolicyName out of these entries; the name is the ARN's last segment.
                name=policy.get("PolicyName") or arn.rsplit("/", 1)[-1],
                kind=policy_kind(arn),
                document=_default_document(dict(policy)),
                attachment_count=int(policy.get("AttachmentCount", 0)),
            )
    _ = account_id  # roles and policies carry their account in their ARNs
    return IamDetails(roles=roles, policies=policies)
