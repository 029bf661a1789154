"""Reads for `prune` and `restore`: everything needed to recreate a function, and its code package.

`read_function_state` gathers one function's full state (GetFunction and the calls around it);
`download_code` fetches the code package from GetFunction's presigned `Code.Location` and checks it
against `CodeSha256`. Nothing here writes to AWS; the writes are in lambdaops.actions and are
declared in WRITE_OPERATIONS below (the reads, needed only by those commands, in REMEDIATION_OPERATIONS)
so the generated IAM policy includes them.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

# Reads only prune, restore and prune-versions make (no read-only command needs them): the generated
# policy puts them with the writes, in `lambdaops iam-policy --with-remediation`.
REMEDIATION_OPERATIONS = (
    "lambda:GetFunction",
    "lambda:GetFunctionConfiguration",  # restore's waiters poll it until the function is active
    "lambda:ListTags",
    "lambda:GetPolicy",
    "lambda:GetFunctionConcurrency",
    "lambda:ListProvisionedConcurrencyConfigs",
    "lambda:ListAliases",
    "lambda:ListVersionsByFunction",
    "lambda:ListEventSourceMappings",
    "lambda:ListFunctionUrlConfigs",
    "lambda:ListFunctionEventInvokeConfigs",
    "lambda:GetLayerVersion",  # prune's plan: does each layer version a restore needs still exist
    "ecr:DescribeImages",  # prune's plan: does the image tag still resolve to the archived digest
)
WRITE_OPERATIONS = (
    "lambda:DeleteFunction",
    "lambda:CreateFunction",
    "iam:PassRole",  # CreateFunction hands the execution role to Lambda
    "lambda:TagResource",
    "lambda:AddPermission",
    "lambda:PutFunctionConcurrency",
    "lambda:PutProvisionedConcurrencyConfig",
    "lambda:PublishVersion",
    "lambda:CreateAlias",
    "lambda:CreateFunctionUrlConfig",
    "lambda:CreateEventSourceMapping",
    "lambda:UpdateEventSourceMapping",  # prune disables triggers before the delete; restore re-enables
    "lambda:UpdateFunctionCode",  # restore republishes each archived version from its own code
    "lambda:UpdateFunctionConfiguration",  # ... and its own configuration
    "lambda:PutFunctionEventInvokeConfig",
)

DOWNLOAD_TIMEOUT_S = 60
CHUNK = 1 << 20


class DownloadError(Exception):
    """The code package could not be fetched or did not match CodeSha256. The message never holds
    the URL: a presigned URL is a credential for as long as it lives."""


@dataclass
class FunctionState:
    """One function as it is now: what an archive stores and a restore recreates.

    `get_function` is GetFunction's answer without `Code.Location` (a short-lived credential, useless
    later) and without `Tags` (kept in `tags`); the location is kept apart in `code_location`.
    Environment values are in `get_function`: a restore needs them. They are written to the archive
    with owner-only permissions and never printed.
    """

    arn: str
    name: str
    get_function: dict[str, Any]
    code_location: str | None
    tags: dict[str, str]
    policies: dict[str, Any]  # {"function": doc | None, "aliases": {alias: doc}}
    reserved_concurrency: int | None
    provisioned: list[dict[str, Any]]
    aliases: list[dict[str, Any]]
    versions: list[dict[str, Any]]  # published versions (not $LATEST)
    event_source_mappings: list[dict[str, Any]]
    url_configs: list[dict[str, Any]]
    errors: list[str] = field(default_factory=list)
    # GetFunction(Qualifier=N) of each published version, without Code.Location and Tags: its own
    # code (CodeSha256, ImageUri/ResolvedImageUri) and configuration, by version number.
    version_functions: dict[str, dict[str, Any]] = field(default_factory=dict)
    version_code_locations: dict[str, str] = field(default_factory=dict)
    # ListFunctionEventInvokeConfigs: retries, max event age, destinations (function and qualified)
    event_invoke_configs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def configuration(self) -> dict[str, Any]:
        return dict(self.get_function.get("Configuration") or {})

    @property
    def code_sha256(self) -> str:
        return str(self.configuration.get("CodeSha256") or "")

    @property
    def package_type(self) -> str:
        return str(self.configuration.get("PackageType") or "Zip")


def _clean(resp: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


def _error_code(exc: Exception) -> str:
    from botocore.exceptions import ClientError

    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "")
    return ""


def is_not_found(exc: Exception) -> bool:
    return _error_code(exc) == "ResourceNotFoundException"


def qualifier_of(arn: str) -> str | None:
    """arn:aws:lambda:r:a:function:name:qualifier -> qualifier (None when unqualified)."""
    parts = arn.split(":")
    return parts[7] if len(parts) > 7 and parts[7] else None


def get_policy(client: LambdaClient, name: str, qualifier: str | None = None) -> Any:
    """The resource policy document, or None when the function (or alias) has none."""
    import json

    from botocore.exceptions import ClientError

    kwargs: dict[str, Any] = {"FunctionName": name}
    if qualifier:
        kwargs["Qualifier"] = qualifier
    try:
        resp = client.get_policy(**kwargs)
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise
    return json.loads(resp["Policy"])


def get_function(client: LambdaClient, name: str) -> dict[str, Any] | None:
    """GetFunction's answer, or None when there is no such function."""
    from botocore.exceptions import ClientError

    try:
        return _clean(client.get_function(FunctionName=name))
    except ClientError as exc:
        if is_not_found(exc):
            return None
        raise


def list_aliases_raw(client: LambdaClient, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("list_aliases").paginate(FunctionName=name):
        out.extend(dict(a) for a in page.get("Aliases", []))
    return out


def list_published_versions(client: LambdaClient, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("list_versions_by_function").paginate(FunctionName=name):
        out.extend(dict(v) for v in page.get("Versions", []) if v.get("Version") != "$LATEST")
    return out


def list_event_source_mappings(client: LambdaClient, name: str | None = None) -> list[dict[str, Any]]:
    """Mappings of one function (by name), or of the whole region (name None)."""
    kwargs: dict[str, Any] = {"FunctionName": name} if name else {}
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("list_event_source_mappings").paginate(**kwargs):
        out.extend(dict(m) for m in page.get("EventSourceMappings", []))
    return out


def list_provisioned(client: LambdaClient, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    paginator = client.get_paginator("list_provisioned_concurrency_configs")
    for page in paginator.paginate(FunctionName=name):
        out.extend(dict(c) for c in page.get("ProvisionedConcurrencyConfigs", []))
    return out


def list_url_configs(client: LambdaClient, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in client.get_paginator("list_function_url_configs").paginate(FunctionName=name):
        out.extend(dict(c) for c in page.get("FunctionUrlConfigs", []))
    return out


def list_event_invoke_configs(client: LambdaClient, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    paginator = client.get_paginator("list_function_event_invoke_configs")
    for page in paginator.paginate(FunctionName=name):
        out.extend(dict(c) for c in page.get("FunctionEventInvokeConfigs", []))
    return out


def function_mappings(client: LambdaClient, name: str, arn: str) -> list[dict[str, Any]]:
    """The event source mappings of a function and of its aliases and versions.

    ListEventSourceMappings(FunctionName=name) answers only the mappings of that exact (unqualified)
    function on some implementations, so the region's mappings are listed and matched by ARN.
    """
    return [
        m
        for m in list_event_source_mappings(client)
        if str(m.get("FunctionArn") or "") == arn or str(m.get("FunctionArn") or "").startswith(arn + ":")
    ]


def list_tags(client: LambdaClient, arn: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in client.list_tags(Resource=arn).get("Tags", {}).items()}


def get_reserved(client: LambdaClient, name: str) -> int | None:
    value = client.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    return None if value is None else int(value)


def read_function_state(client: LambdaClient, name: str) -> FunctionState | None:
    """Everything a restore needs, read now; None when the function no longer exists.

    Any other refusal raises (botocore's ClientError/BotoCoreError): an archive that misses a part
    must never be taken for a complete one.
    """
    got = get_function(client, name)
    if got is None:
        return None
    code = dict(got.get("Code") or {})
    location = code.pop("Location", None)
    got["Code"] = code
    # GetFunction carries the tags on AWS; moto leaves the key out when there are none: ask then.
    had_tags = "Tags" in got
    tags = {str(k): str(v) for k, v in (got.pop("Tags", None) or {}).items()}
    got.pop("TagsError", None)
    config = got.get("Configuration") or {}
    arn = str(config["FunctionArn"])
    aliases = list_aliases_raw(client, name)
    policies: dict[str, Any] = {
        "function": get_policy(client, name),
        "aliases": {},
    }
    for alias in aliases:
        doc = get_policy(client, name, str(alias["Name"]))
        if doc is not None:
            policies["aliases"][str(alias["Name"])] = doc
    versions = list_published_versions(client, name)
    version_functions: dict[str, dict[str, Any]] = {}
    version_locations: dict[str, str] = {}
    policies["versions"] = {}
    for ver in versions:
        number = str(ver["Version"])
        answer = _clean(client.get_function(FunctionName=name, Qualifier=number))
        vcode = dict(answer.get("Code") or {})
        vlocation = vcode.pop("Location", None)
        answer["Code"] = vcode
        answer.pop("Tags", None)
        answer.pop("TagsError", None)
        version_functions[number] = answer
        if vlocation:
            version_locations[number] = str(vlocation)
        doc = get_policy(client, name, number)
        if doc is not None:
            policies["versions"][number] = doc
    return FunctionState(
        arn=arn,
        name=str(config["FunctionName"]),
        get_function=got,
        code_location=str(location) if location else None,
        tags=tags if had_tags else list_tags(client, arn),
        policies=policies,
        reserved_concurrency=get_reserved(client, name),
        provisioned=list_provisioned(client, name),
        aliases=aliases,
        versions=versions,
        event_source_mappings=function_mappings(client, name, arn),
        url_configs=list_url_configs(client, name),
        version_functions=version_functions,
        version_code_locations=version_locations,
        event_invoke_configs=list_event_invoke_configs(client, name),
    )


def code_sha256_b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _emulator_hosts() -> set[str]:
    """Hosts botocore was pointed at (AWS_ENDPOINT_URL[_LAMBDA]): an emulator may serve code over http."""
    hosts = set()
    for key in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL_S3"):
        value = os.environ.get(key)
        if value:
            host = urlsplit(value).hostname
            if host:
                hosts.add(host)
    return hosts


def check_url(url: str) -> None:
    """Only https, or http on loopback or to the emulator the user configured; never file:, ftp:..."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return
    if parts.scheme == "http" and parts.hostname:
        if _is_loopback(parts.hostname) or parts.hostname in _emulator_hosts():
            return
        raise DownloadError("code location is plain http to a remote host; refusing to download over it")
    raise DownloadError(f"code location has an unsupported scheme {parts.scheme or '(none)'!r}")


class _CheckedRedirect(urllib.request.HTTPRedirectHandler):
    """Follows redirects only to URLs check_url accepts (urllib alone would follow to ftp:)."""

    def http_error_302(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any
    ) -> Any:
        target = headers.get("location") or headers.get("uri")
        if target:
            check_url(urljoin(req.full_url, target))
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def _opener(url: str) -> urllib.request.OpenerDirector:
    host = urlsplit(url).hostname or ""
    # A loopback emulator must not be sent through a proxy; real S3 URLs honour the environment's.
    proxy = urllib.request.ProxyHandler({}) if _is_loopback(host) else urllib.request.ProxyHandler()
    opener = urllib.request.OpenerDirector()
    for handler in (
        proxy,
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        _CheckedRedirect(),
        urllib.request.HTTPDefaultErrorHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


def download_code(
    url: str,
    expected_sha256: str,
    out: IO[bytes],
    max_bytes: int | None = None,
    timeout: float = DOWNLOAD_TIMEOUT_S,
) -> int:
    """Stream the package at `url` into `out`; return its size. Raises DownloadError when it cannot be
    fetched, is larger than `max_bytes`, or its sha256 (base64, as Lambda's CodeSha256) differs."""
    check_url(url)
    digest = hashlib.sha256()
    size = 0
    try:
        with _opener(url).open(urllib.request.Request(url, method="GET"), timeout=timeout) as resp:
            while True:
                chunk = resp.read(CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if max_bytes is not None and size > max_bytes:
                    raise DownloadError(f"code download is larger than the {max_bytes} bytes announced")
                digest.update(chunk)
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"code download failed: HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise DownloadError(f"code download failed: {exc.reason}") from None
    except (OSError, ValueError) as exc:
        detail = str(exc).replace(url, "<code location>")
        raise DownloadError(f"code download failed: {type(exc).__name__}: {detail}") from None
    got = code_sha256_b64(digest.digest())
    if got != expected_sha256:
        raise DownloadError(
            f"code download does not match CodeSha256 (got {got}, expected {expected_sha256})"
        )
    return size


def json_default(value: Any) -> Any:
    """JSON for the few non-JSON values boto3 returns (ESM LastModified is a datetime)."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"cannot archive a {type(value).__name__}")


def layer_version_exists(client: LambdaClient, layer_version_arn: str) -> bool | None:
    """Whether a layer version still exists: False when AWS says it does not, None when unreadable
    (another account's layer without permission): the caller says so rather than guessing."""
    from botocore.exceptions import BotoCoreError, ClientError

    # GetLayerVersion by the layer's ARN and number (the same permission as GetLayerVersionByArn).
    layer_arn, _, number = layer_version_arn.rpartition(":")
    if not number.isdigit():
        return None
    try:
        client.get_layer_version(LayerName=layer_arn, VersionNumber=int(number))
    except ClientError as exc:
        return False if is_not_found(exc) else None
    except BotoCoreError:
        return None
    return True


def image_tag_digest(ecr_client: Any, image_uri: str) -> str | None:
    """The digest an ECR image tag resolves to now (`sha256:...`), or None when the tag is gone.

    `image_uri` is `<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`. Raises ClientError when
    the repository cannot be read (the caller reports it as unknown, never as "still resolves").
    """
    from botocore.exceptions import ClientError

    host, _, rest = image_uri.partition("/")
    repo, _, tag = rest.rpartition(":")
    if not repo or "@" in rest:
        return None
    registry = host.split(".", 1)[0]
    try:
        resp = ecr_client.describe_images(
            registryId=registry, repositoryName=repo, imageIds=[{"imageTag": tag}]
        )
    except ClientError as exc:
        if _error_code(exc) in ("ImageNotFoundException", "RepositoryNotFoundException"):
            return None
        raise
    details = resp.get("imageDetails") or []
    return str(details[0]["imageDigest"]) if details else None
