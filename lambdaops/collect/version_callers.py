"""Who still calls a published version, as far as Lambda's own APIs can tell (prune-versions).

A trigger pinned to a version (an S3 notification, an SNS subscription, an EventBridge target or an
API Gateway integration naming `function:name:N`) needs a statement in *that version's* resource
policy (AddPermission with `Qualifier=N`): AWS keeps one policy per version and alias, and a grant on
the function does not cover a version-qualified ARN. So a version whose own policy allows anything
is called by someone. Function URLs attach to `$LATEST` or an alias (CreateFunctionUrlConfig's
Qualifier is an alias name): a URL on an alias calls the alias's versions, which the alias already
protects; a URL qualifier naming a version number is honoured all the same, defensively.

Sources (read 2026-12-06): AWS Lambda API reference, AddPermission ("Qualifier: specify a version
or alias to add permissions to a published version of the function") and GetPolicy (Qualifier);
developer guide, "Creating and managing Lambda function URLs" (URLs on an alias or $LATEST only).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

# Reads only prune-versions makes (declared with the other remediation reads).
REMEDIATION_OPERATIONS = ("lambda:GetPolicy", "lambda:ListFunctionUrlConfigs")
NOT_FOUND = "ResourceNotFoundException"


def version_policy(client: LambdaClient, function_name: str, version: str) -> dict[str, Any] | str | None:
    """The resource policy of one published version; None when it has none (or no longer exists).

    Other errors are raised for the caller to record: an unreadable policy keeps the version."""
    try:
        response = client.get_policy(FunctionName=function_name, Qualifier=version)
    except ClientError as exc:
        if str(exc.response.get("Error", {}).get("Code", "")) == NOT_FOUND:
            return None
        raise
    text = response.get("Policy")
    if not text:
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return text  # unparseable: kept as text, so the version is kept
    return doc if isinstance(doc, dict) else text


def _principal(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        parts = [str(p) for v in value.values() for p in (v if isinstance(v, list) else [v])]
        return ", ".join(sorted(parts))
    return str(value)


def policy_callers(doc: dict[str, Any] | str | None) -> list[str] | None:
    """ "Sid (principal)" for every Allow statement of a version's policy; [] when nothing is allowed.

    None when the policy text could not be parsed: the caller keeps the version (never delete on a
    policy it cannot read)."""
    if doc is None:
        return []
    if not isinstance(doc, dict):
        return None
    statements = doc.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return None
    out: list[str] = []
    for i, st in enumerate(statements):
        if not isinstance(st, dict):
            return None
        if st.get("Effect", "Allow") != "Allow":
            continue
        sid = str(st.get("Sid") or f"statement {i + 1}")
        out.append(f"{sid} ({_principal(st.get('Principal', '?'))})")
    return out
