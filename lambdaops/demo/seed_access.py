"""The demo account's resource-policy cases: who may invoke a function, as AWS authorises it.

Each function here plants one case of docs/audit-iam.md's "Who may invoke a function":

* ACCESS_MODERN_URL: a public function URL created the way AWS asks since October 2025, with both
  statements (lambda:InvokeFunctionUrl with FunctionUrlAuthType NONE, and lambda:InvokeFunction with
  InvokedViaFunctionUrl true). lambda-public-url (high) only: the second statement allows invocation
  through the URL alone, so it is no lambda-public-invoke (critical). Reserved concurrency caps it, so
  no lambda-public-unlimited either.
* ACCESS_UNREACHABLE_URL: a URL with AuthType NONE and no resource policy at all: AWS answers its
  callers 403 (lambda-url-unreachable, low). Its callers show in UrlRequestCount / Url4xxCount.
* ACCESS_S3_TRIGGER: an S3 trigger with a SourceArn but no SourceAccount (lambda-confused-deputy, high:
  bucket ARNs name no account, Security Hub Lambda.1 fails it).
* ACCESS_PARTNER: a grant to an account outside the demo's (lambda-cross-account-invoke, medium), next
  to a public grant narrowed by aws:PrincipalOrgID (not a finding).
* ACCESS_ALIAS_PUBLIC: a public grant on alias `live` only; the function's own policy is empty
  (lambda-public-invoke, critical, qualifier live).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

ACCESS_REGION = "eu-west-1"
ACCESS_MODERN_URL = "marketing-landing-webhook"
ACCESS_UNREACHABLE_URL = "ops-status-page"
ACCESS_S3_TRIGGER = "media-upload-scanner"
ACCESS_PARTNER = "partner-orders-ingest"
ACCESS_ALIAS_PUBLIC = "payments-refund-api"
ACCESS_FUNCTIONS = (
    ACCESS_MODERN_URL,
    ACCESS_UNREACHABLE_URL,
    ACCESS_S3_TRIGGER,
    ACCESS_PARTNER,
    ACCESS_ALIAS_PUBLIC,
)
PARTNER_ACCOUNT = "210987654321"  # not the demo's account, not trusted
DEMO_ORG_ID = "o-demo1234567"
UPLOAD_BUCKET = "media-uploads-prod"
# The modern URL is capped, so the demo shows it with lambda-public-url alone (no critical at all); the
# alias-only grant is left unlimited (lambda-public-unlimited is true there: reservations are per function).
RESERVED = {ACCESS_MODERN_URL: 5}
TAGS = {"aws:cloudformation:stack-name": "access-demo", "team": "platform"}


ASSUME_LAMBDA = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", '
    '"Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
)


def seed_access(session: Any, zip_bytes: Any, now: datetime) -> None:
    """Create the functions above and their permissions (moto must be active, with the demo shims).

    Each function has a role of its own with no policy, so these cases add no IAM findings.
    """
    iam = session.client("iam", region_name="us-east-1")
    roles = {
        name: iam.create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=ASSUME_LAMBDA)["Role"]["Arn"]
        for name in ACCESS_FUNCTIONS
    }
    client = session.client("lambda", region_name=ACCESS_REGION)
    for name in ACCESS_FUNCTIONS:
        client.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=roles[name],
            Handler="handler.handler",
            Code={"ZipFile": zip_bytes(name)},
            MemorySize=256,
            Tags=TAGS,
        )
        if name in RESERVED:
            client.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=RESERVED[name])

    client.create_function_url_config(FunctionName=ACCESS_MODERN_URL, AuthType="NONE")
    client.add_permission(
        FunctionName=ACCESS_MODERN_URL,
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    client.add_permission(
        FunctionName=ACCESS_MODERN_URL,
        StatementId="FunctionURLAllowInvokeAction",
        Action="lambda:InvokeFunction",
        Principal="*",
        InvokedViaFunctionUrl=True,
    )

    client.create_function_url_config(FunctionName=ACCESS_UNREACHABLE_URL, AuthType="NONE")
    cw = session.client("cloudwatch", region_name=ACCESS_REGION)
    cw.put_metric_data(
        Namespace="AWS/Lambda",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": "FunctionName", "Value": ACCESS_UNREACHABLE_URL}],
                "Timestamp": now - timedelta(days=days),
                "Value": 40.0,
                "Unit": "Count",
            }
            for metric in ("UrlRequestCount", "Url4xxCount")
            for days in (1, 2, 3)
        ],
    )

    client.add_permission(
        FunctionName=ACCESS_S3_TRIGGER,
        StatementId="s3-uploads",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{UPLOAD_BUCKET}",
    )

    client.add_permission(
        FunctionName=ACCESS_PARTNER,
        StatementId="partner-push",
        Action="lambda:InvokeFunction",
        Principal=PARTNER_ACCOUNT,
    )
    client.add_permission(
        FunctionName=ACCESS_PARTNER,
        StatementId="org-accounts",
        Action="lambda:InvokeFunction",
        Principal="*",
        PrincipalOrgID=DEMO_ORG_ID,
    )

    client.publish_version(FunctionName=ACCESS_ALIAS_PUBLIC, Description="release 1")
    client.create_alias(FunctionName=ACCESS_ALIAS_PUBLIC, Name="live", FunctionVersion="1")
    client.add_permission(
        FunctionName=ACCESS_ALIAS_PUBLIC,
        StatementId="AllowAnyoneLive",
        Action="lambda:InvokeFunction",
        Principal="*",
        Qualifier="live",
    )
