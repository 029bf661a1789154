"""Which AWS services a function's resource-based policy lets invoke it asynchronously.

Pure: a policy document in, service principals out. Shared by the collect layer (which reads a
function's event invoke configs only where an asynchronous trigger exists) and by
lambda-async-no-failure-destination.

AWS Lambda Developer Guide, "Invoking Lambda with events from other AWS services" (lambda-services)
and "Invoking a Lambda function asynchronously" (invocation-async), read 2026-12-06: Amazon S3,
Amazon SNS, Amazon EventBridge (and CloudWatch Events), CloudWatch Logs subscriptions, Amazon SES,
AWS IoT, AWS CodeCommit, AWS Config and AWS CloudFormation invoke functions asynchronously; they are
granted through the function's resource-based policy (lambda:InvokeFunction to the service
principal). Synchronous callers (API Gateway, ALB, Cognito, Lex, ...) and event source mappings
(SQS, Kinesis, DynamoDB streams, which poll with the execution role) are not asynchronous.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdaops.policy.actions import action_matches
from lambdaops.policy.document import PolicyParseError, parse_policy

ASYNC_SERVICE_PRINCIPALS = frozenset(
    {
        "s3.amazonaws.com",
        "sns.amazonaws.com",
        "events.amazonaws.com",
        "logs.amazonaws.com",
        "ses.amazonaws.com",
        "iot.amazonaws.com",
        "codecommit.amazonaws.com",
        "config.amazonaws.com",
        "cloudformation.amazonaws.com",
    }
)


def async_trigger_services(policy: Any) -> frozenset[str] | None:
    """The asynchronous services the policy allows to invoke the function (lower-case principals);
    empty for no policy (None); None when the document cannot be parsed (unknown)."""
    if policy is None:
        return frozenset()
    try:
        doc = parse_policy(policy, "resource")
    except PolicyParseError:
        return None
    found: set[str] = set()
    for st in doc.statements:
        if not st.is_allow or st.actions is None or st.principal is None:
            continue
        if not any(action_matches(p, "lambda:invokefunction") for p in st.action_patterns):
            continue
        for service in st.principal.get("Service", ()):
            # Regional forms exist for a few services (logs.<region>.amazonaws.com).
            name = service.lower()
            base = name.split(".", 1)[0] + ".amazonaws.com"
            if name in ASYNC_SERVICE_PRINCIPALS or base in ASYNC_SERVICE_PRINCIPALS:
                found.add(base)
    return frozenset(found)


def async_grants(policies: Mapping[str, Any], function_arn: str) -> dict[str | None, frozenset[str]] | None:
    """{qualifier (None: the function itself): the asynchronous services its policy lets invoke it},
    from the function's policy and its aliases' and versions' (keyed `<arn>:<qualifier>`); None when
    the function's policy was not read or one of them cannot be parsed (unknown)."""
    if function_arn not in policies:
        return None
    out: dict[str | None, frozenset[str]] = {}
    prefix = function_arn + ":"
    for key, policy in policies.items():
        if key != function_arn and not key.startswith(prefix):
            continue
        services = async_trigger_services(policy)
        if services is None:
            return None
        if services:
            out[None if key == function_arn else key[len(prefix) :]] = services
    return out
