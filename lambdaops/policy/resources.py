"""Resource ARN patterns: when does a Resource mean "everything"?

"All resources" is `*`, a fully wildcarded ARN (`arn:aws:*:*:*:*`, `arn:*:*`), or an ARN that matches
every resource of its service (`arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*`,
`arn:aws:logs:us-east-1:123456789012:*`). A literal region or account still counts as everything:
an execution role can only reach its own account's resources anyway, so `table/*` in that account is
every table the role could ever touch.
"""

from __future__ import annotations

import re

from lambdaops.policy.actions import glob_covers, glob_match, has_wildcard

PARTITIONS = ("aws", "aws-cn", "aws-us-gov")

# Services whose ARN resource part starts with the resource's own name (no "type/" prefix), so
# `arn:aws:s3:::my-bucket/*` is one bucket, not a resource type.
# Services whose resource part has no type prefix: `abc123def4/*` in execute-api is one API's
# every stage and route, not "every resource of type abc123def4".
UNTYPED_SERVICES = frozenset({"s3", "sqs", "sns", "execute-api", "execute-api-v2"})

_WILDCARD_ONLY = re.compile(r"[*?/:]*\*[*?/:]*")
_TYPE_HEAD = re.compile(r"[A-Za-z0-9_.-]+")
_NO_SERVICE = "zzqservice"


def _probes(partition: str, service: str, account: str = "000000000000") -> tuple[str, ...]:
    # Resource shapes ARNs come in: "type/name", ":::name" (s3) and "type:name" (lambda, logs).
    return (
        f"arn:{partition}:{service}:zz-west-9:{account}:zzqtype/zzq-name",
        f"arn:{partition}:{service}:::zzq-name/zzq-key",
        f"arn:{partition}:{service}:zz-west-9:{account}:zzqtype:zzq-name:zzq-qualifier",
    )


def _matches_all_probes(pattern: str, service: str) -> bool:
    return any(
        all(glob_match(pattern, probe, case_sensitive=True) for probe in _probes(partition, service))
        for partition in PARTITIONS
    )


def is_fully_wildcard(pattern: str) -> bool:
    """`*`, `arn:*`, `arn:aws:*:*:*:*` and the like: every resource of every service."""
    if pattern.strip("*") == "":
        return pattern != ""
    return _matches_all_probes(pattern, _NO_SERVICE)


def _split(pattern: str) -> list[str] | None:
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


def covers_service(pattern: str, service: str) -> bool:
    """Does `pattern` match every resource of `service` (lower-case, no wildcards)?"""
    if is_fully_wildcard(pattern):
        return True
    parts = _split(pattern)
    if parts is None:
        return pattern.startswith("arn:") and _matches_all_probes(pattern, service)
    _, partition, svc, _region, _account, res = parts
    if not glob_match(svc, service, case_sensitive=False):
        return False
    if not any(glob_match(partition, p, case_sensitive=True) for p in PARTITIONS):
        return False
    if _WILDCARD_ONLY.fullmatch(res):
        return True
    if service in UNTYPED_SERVICES or has_wildcard(svc):
        return False
    head, sep, tail = _split_type(res)
    return bool(sep) and _TYPE_HEAD.fullmatch(head) is not None and _WILDCARD_ONLY.fullmatch(tail) is not None


def _split_type(res: str) -> tuple[str, str, str]:
    m = re.search(r"[/:]", res)
    if m is None:
        return res, "", ""
    return res[: m.start()], res[m.start()], res[m.end() :]


def service_of(pattern: str) -> str | None:
    """The service segment of an ARN pattern, lower-case; None when it is not an ARN."""
    parts = pattern.split(":", 3)
    if len(parts) < 3 or parts[0] != "arn":
        return None
    return parts[2].lower()


def covers_own_service(pattern: str) -> bool:
    """Every resource of the service the ARN names (or of every service)."""
    if is_fully_wildcard(pattern):
        return True
    svc = service_of(pattern)
    return svc is not None and not has_wildcard(svc) and covers_service(pattern, svc)


def covers_services_matching(patterns: tuple[str, ...], service_pattern: str) -> bool:
    """Does some pattern cover every resource of a service that `service_pattern` (which may hold
    wildcards, e.g. `s3` or `s*`) names?"""
    for p in patterns:
        if is_fully_wildcard(p):
            return True
        svc = service_of(p)
        if svc is None:
            continue
        if has_wildcard(svc):
            if not has_wildcard(service_pattern) and covers_service(p, service_pattern):
                return True
            continue
        if glob_match(service_pattern, svc) and covers_service(p, svc):
            return True
    return False


def matches_any_role(pattern: str) -> bool:
    """Would `pattern` match every IAM role (of the account it names)?"""
    if is_fully_wildcard(pattern):
        return True
    parts = _split(pattern)
    account = "000000000000"
    if parts is not None and parts[4] and not has_wildcard(parts[4]):
        account = parts[4]
    for partition in PARTITIONS:
        probes = (
            f"arn:{partition}:iam::{account}:role/zzq-role",
            f"arn:{partition}:iam::{account}:role/zzq/path/zzq-role",
        )
        if all(glob_match(pattern, probe, case_sensitive=True) for probe in probes):
            return True
    return False


def resource_covers(outer: str, inner: str) -> bool:
    """Every resource `inner` matches is matched by `outer` (ARN matching is case-sensitive)."""
    return glob_covers(outer, inner, case_sensitive=True)
