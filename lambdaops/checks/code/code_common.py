"""Which function versions and layers carry each package (helpers for the code-* checks)."""

from __future__ import annotations

from dataclasses import dataclass

from lambdaops.inventory import FunctionInfo, Inventory

# The AWS SDKs a Lambda runtime already provides (Lambda Developer Guide, "Building Lambda functions
# with Python": the runtime includes the AWS SDK for Python (Boto3); "Building Lambda functions with
# Node.js": Node.js 18 and later include the AWS SDK for JavaScript v3, earlier runtimes v2; and the
# AWS Developer Tools Blog, "Why and how you should use AWS SDK for JavaScript (v3) on Node.js 18";
# read 2026-12-06). Shipping one anyway is sometimes deliberate (pinning a newer version).
PYTHON_SDKS = frozenset({"boto3", "botocore", "s3transfer"})
NODE_V2 = "aws-sdk"
NODE_V3 = "@aws-sdk"


def node_major(runtime: str) -> int | None:
    """nodejs20.x -> 20; nodejs4.3 -> 4; `nodejs` (0.10) -> 0; None for other runtimes."""
    if not runtime.startswith("nodejs"):
        return None
    rest = runtime.removeprefix("nodejs").split(".", 1)[0]
    return int(rest) if rest.isdigit() else 0


def runtime_provides(runtime: str | None, sdk: str) -> bool:
    if not runtime:
        return False
    if runtime.startswith("python"):
        return sdk in PYTHON_SDKS
    major = node_major(runtime)
    if major is None:
        return False
    return sdk == NODE_V3 if major >= 18 else sdk == NODE_V2


@dataclass(frozen=True)
class Use:
    fn: FunctionInfo
    qualifier: str
    via: str  # "code" or the layer version ARN


def uses_by_package(inv: Inventory) -> dict[str, list[Use]]:
    """CodeSha256 -> every (function version, code or layer) that carries it, in a stable order."""
    functions = {fn.arn: fn for fn in inv.all_functions()}
    out: dict[str, list[Use]] = {}
    for key in sorted(inv.code):
        deployed = inv.code[key]
        fn = functions.get(deployed.function_arn)
        if fn is None:
            continue
        if deployed.code_sha256:
            out.setdefault(deployed.code_sha256, []).append(Use(fn, deployed.qualifier, "code"))
        for layer in deployed.layers:
            sha = inv.layer_code.get(layer)
            if sha:
                out.setdefault(sha, []).append(Use(fn, deployed.qualifier, layer))
    return out


def shown(use: Use) -> str:
    return f"{use.fn.name}:{use.qualifier}"
