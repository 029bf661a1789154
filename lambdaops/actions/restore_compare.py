"""Is a function the same as its archive? The comparison restore uses before touching one that exists.

AWS numbers published versions itself, so a restored function's versions are compared by position
(the first published version with the first, ...), and everything that names a version (aliases,
routing weights, provisioned concurrency, qualified policies, event invoke configs, triggers) names
it by that position. Fields that change on their own or that AWS assigns (LastModified, RevisionId,
State, ARNs with the version number) are left out. The result is a flat list of differences, one
sentence each, never showing an environment value (only that one differs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdaops.collect.archive import FunctionState, qualifier_of

# The configuration a restore sets (CreateFunction / UpdateFunctionConfiguration / UpdateFunctionCode).
CONFIG_KEYS = (
    "Runtime",
    "Handler",
    "Role",
    "Description",
    "Timeout",
    "MemorySize",
    "PackageType",
    "CodeSha256",
    "Architectures",
    "KMSKeyArn",
)


def _sub(config: Mapping[str, Any], key: str, inner: str) -> Any:
    return (config.get(key) or {}).get(inner)


def config_projection(config: Mapping[str, Any]) -> dict[str, Any]:
    """The parts of a configuration a restore recreates, in a comparable form."""
    out: dict[str, Any] = {k: config.get(k) for k in CONFIG_KEYS}
    out["Description"] = config.get("Description") or ""
    out["KMSKeyArn"] = config.get("KMSKeyArn") or None
    out["Architectures"] = list(config.get("Architectures") or ["x86_64"])
    out["Environment"] = dict(_sub(config, "Environment", "Variables") or {})
    out["Layers"] = [str(layer.get("Arn")) for layer in config.get("Layers") or []]
    vpc = config.get("VpcConfig") or {}
    out["Vpc"] = (sorted(vpc.get("SubnetIds") or []), sorted(vpc.get("SecurityGroupIds") or []))
    out["DeadLetter"] = _sub(config, "DeadLetterConfig", "TargetArn") or None
    out["Tracing"] = _sub(config, "TracingConfig", "Mode") or "PassThrough"
    out["EphemeralStorage"] = int(_sub(config, "EphemeralStorage", "Size") or 512)
    out["SnapStart"] = _sub(config, "SnapStart", "ApplyOn") or "None"
    out["FileSystems"] = sorted(
        (str(fs.get("Arn")), str(fs.get("LocalMountPath"))) for fs in config.get("FileSystemConfigs") or []
    )
    out["ImageConfig"] = _sub(config, "ImageConfigResponse", "ImageConfig") or None
    return out


def _version_order(state: FunctionState) -> dict[str, int]:
    numbers = sorted(
        (str(v.get("Version")) for v in state.versions), key=lambda n: int(n) if n.isdigit() else 0
    )
    return {n: i + 1 for i, n in enumerate(numbers)}


def _qualifier(q: str | None, order: Mapping[str, int]) -> str:
    if q is None or q == "$LATEST":
        return "$LATEST"
    if q.isdigit():
        return f"version#{order.get(q, 0)}" if q in order else f"version {q} (not published)"
    return f"alias {q}"


def _configs(state: FunctionState) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    by_number = {str(v.get("Version")): v for v in state.versions}
    for number in sorted(by_number, key=lambda n: int(n) if n.isdigit() else 0):
        answer = state.version_functions.get(number) or {}
        out.append(config_projection(answer.get("Configuration") or by_number[number]))
    return out


def projection(state: FunctionState) -> dict[str, Any]:
    """Everything an archive restores, version numbers replaced by their position."""
    from lambdaops.actions.restore import Untranslatable, permission_params, restorable_tags

    order = _version_order(state)
    aliases = {}
    for alias in state.aliases:
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        aliases[str(alias["Name"])] = {
            "version": _qualifier(str(alias.get("FunctionVersion")), order),
            "weights": {_qualifier(str(v), order): float(w) for v, w in weights.items()},
            "description": alias.get("Description") or "",
        }
    statements: dict[str, Any] = {}
    policies = state.policies or {}
    docs: list[Any] = [policies.get("function")]
    docs += list((policies.get("aliases") or {}).values()) + list((policies.get("versions") or {}).values())
    for doc in docs:
        for statement in (doc or {}).get("Statement") or []:
            try:
                params = permission_params(statement)
            except Untranslatable:
                params = {"StatementId": statement.get("Sid"), "untranslatable": True}
            where = _qualifier(params.pop("Qualifier", None), order)
            statements[f"{where}/{params.get('StatementId')}"] = params
    mappings = sorted(
        (
            str(m.get("EventSourceArn") or ""),
            _qualifier(qualifier_of(str(m.get("FunctionArn") or "")), order),
            int(m.get("BatchSize") or 0),
            str(m.get("State")) in ("Enabled", "Enabling", "Creating", "Updating"),
        )
        for m in state.event_source_mappings
    )
    return {
        "configuration ($LATEST)": config_projection(state.configuration),
        "published versions": _configs(state),
        "aliases": aliases,
        "tags": restorable_tags(state.tags)[0],
        "reserved concurrency": state.reserved_concurrency,
        "provisioned concurrency": sorted(
            (
                _qualifier(qualifier_of(str(c.get("FunctionArn") or "")), order),
                int(c.get("RequestedProvisionedConcurrentExecutions") or 0),
            )
            for c in state.provisioned
        ),
        "event invoke configs": sorted(
            (
                _qualifier(qualifier_of(str(c.get("FunctionArn") or "")), order),
                c.get("MaximumRetryAttempts"),
                c.get("MaximumEventAgeInSeconds"),
                repr(c.get("DestinationConfig") or {}),
            )
            for c in state.event_invoke_configs
        ),
        "resource policy": statements,
        "function URLs": sorted(
            (
                _qualifier(qualifier_of(str(u.get("FunctionArn") or "")), order),
                str(u.get("AuthType")),
                repr(u.get("Cors") or {}),
                str(u.get("InvokeMode") or "BUFFERED"),
            )
            for u in state.url_configs
        ),
        "event source mappings": mappings,
    }


def _describe(path: str, want: Any, have: Any) -> list[str]:
    if want == have:
        return []
    if isinstance(want, dict) and isinstance(have, dict):
        out: list[str] = []
        for key in sorted(set(want) | set(have), key=str):
            sub = f"{path}.{key}"
            if key not in have:
                out.append(f"{sub}: archived, missing on the function")
            elif key not in want:
                out.append(f"{sub}: on the function, not in the archive")
            else:
                out += _describe(sub, want[key], have[key])
        return out
    if isinstance(want, list) and isinstance(have, list) and len(want) == len(have):
        out = []
        for i, (a, b) in enumerate(zip(want, have, strict=True)):
            out += _describe(f"{path}[{i + 1}]", a, b)
        return out
    if ".Environment" in path:  # values can be secrets: say that they differ, not what they are
        return [f"{path}: differs"]
    return [f"{path}: archive {want!r}, function {have!r}"]


def differences(archived: FunctionState, current: FunctionState) -> list[str]:
    """How `current` differs from the archive (empty: the function equals the archive)."""
    return _describe("function", projection(archived), projection(current))
