"""The AWS reads of audit-code: which code each function version runs, and where to fetch it.

GetFunction (with a Qualifier for a published version) answers the version's configuration
(CodeSha256, CodeSize, PackageType, Runtime, Layers) and `Code.Location`, a presigned URL "valid for
10 minutes" (Lambda API reference, FunctionCodeLocation, read 2026-12-06): it is used at once, never
stored. GetLayerVersion answers a layer version's `Content` (CodeSha256, CodeSize, Location) the same
way. Neither URL is ever printed: a presigned URL is a credential while it lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

OPERATIONS = (
    "lambda:GetFunction",
    "lambda:GetLayerVersion",
    "lambda:ListAliases",
    "lambda:ListProvisionedConcurrencyConfigs",
)


@dataclass(frozen=True)
class CodeAt:
    """One package and where to fetch it now."""

    code_sha256: str
    size: int
    location: str | None


@dataclass(frozen=True)
class VersionCode:
    qualifier: str
    package_type: str
    runtime: str | None
    code: CodeAt | None  # None for a container image
    layers: tuple[str, ...]


def get_version_code(client: Any, name: str, qualifier: str) -> VersionCode:
    kwargs: dict[str, Any] = {"FunctionName": name}
    if qualifier != "$LATEST":
        kwargs["Qualifier"] = qualifier
    resp = client.get_function(**kwargs)
    config = resp.get("Configuration") or {}
    code = resp.get("Code") or {}
    package_type = str(config.get("PackageType") or "Zip")
    at = None
    if package_type == "Zip" and config.get("CodeSha256"):
        location = code.get("Location")
        at = CodeAt(
            str(config["CodeSha256"]), int(config.get("CodeSize") or 0), str(location) if location else None
        )
    layers = tuple(str(layer["Arn"]) for layer in config.get("Layers") or [] if layer.get("Arn"))
    return VersionCode(qualifier, package_type, config.get("Runtime"), at, layers)


def get_layer_code(client: Any, layer_version_arn: str) -> CodeAt:
    layer_arn, _, number = layer_version_arn.rpartition(":")
    resp = client.get_layer_version(LayerName=layer_arn, VersionNumber=int(number))
    content = resp.get("Content") or {}
    location = content.get("Location")
    return CodeAt(
        str(content.get("CodeSha256") or ""),
        int(content.get("CodeSize") or 0),
        str(location) if location else None,
    )


def alias_versions(client: Any, name: str) -> dict[str, list[str]]:
    """version -> the aliases routing to it (both sides of a weighted alias)."""
    out: dict[str, list[str]] = {}
    for page in client.get_paginator("list_aliases").paginate(FunctionName=name):
        for alias in page.get("Aliases", []):
            targets = [str(alias.get("FunctionVersion") or "")]
            weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
            targets += [str(v) for v in weights]
            for version in targets:
                if version:
                    out.setdefault(version, []).append(str(alias["Name"]))
    return out


def provisioned_versions(client: Any, name: str) -> set[str]:
    """Published versions with provisioned concurrency configured on them directly (by number)."""
    out: set[str] = set()
    for page in client.get_paginator("list_provisioned_concurrency_configs").paginate(FunctionName=name):
        for config in page.get("ProvisionedConcurrencyConfigs", []):
            qualifier = str(config.get("FunctionArn") or "").rsplit(":", 1)[-1]
            if qualifier.isdigit():
                out.add(qualifier)
    return out
