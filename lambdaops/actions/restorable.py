"""Can an archive bring this function back? What `prune` cannot archive, and why a restore would fail.

Two lists per function, both shown in prune's plan:

* `not_archived`: state lambdaops does not hold in the archive, so a restore depends on it still
  existing elsewhere (a container image stays in ECR and its digest may be deleted; a layer version is
  referenced by ARN, never copied; a code signing configuration is not read). prune refuses such a
  function unless `--accept-incomplete-archive`, and then the plan lists exactly these items.
* `restore_warnings`: reasons a restore would fail on AWS today (issue 13.6): a runtime past its
  block-create date (CreateFunction refuses it), a layer version that no longer exists, an image tag
  that no longer resolves to the archived digest (restore uses the digest, `ResolvedImageUri`, so it
  needs that digest to still be in the repository).

Pure functions over GetFunction / ListVersionsByFunction answers; the two existence checks are
passed in (lambdaops.collect.archive reads them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from lambdaops.runtimes import runtime_info

# Configuration keys a restore cannot recreate (read-only results of a signing configuration).
_UNSUPPORTED = {
    "SigningProfileVersionArn": "code signing configuration (not archived: attach it again after a restore)",
}


# Every configuration key GetFunction / ListVersionsByFunction answered when this was written (Lambda
# API reference, FunctionConfiguration, read 2026-12-06), split into those a restore recreates or AWS
# assigns itself, and those it cannot. A key not listed at all is a Lambda feature newer than
# lambdaops: refused (unsupported property) rather than silently lost.
_RESTORED_OR_ASSIGNED = frozenset(
    {
        "FunctionName", "FunctionArn", "Runtime", "Role", "Handler", "CodeSize", "Description",
        "Timeout", "MemorySize", "LastModified", "CodeSha256", "Version", "VpcConfig",
        "DeadLetterConfig", "Environment", "KMSKeyArn", "TracingConfig", "RevisionId", "Layers",
        "State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason",
        "LastUpdateStatusReasonCode", "FileSystemConfigs", "PackageType", "ImageConfigResponse",
        "Architectures", "EphemeralStorage", "SnapStart", "LoggingConfig", "ConfigSha256",
        "MasterArn",  # a Lambda@Edge replica's origin: read-only
        "RuntimeVersionConfig",  # the runtime version AWS picked: a restore gets automatic updates
        "SigningJobArn",  # reported with SigningProfileVersionArn below
    }
)  # fmt: skip


def _layers(configs: Iterable[Mapping[str, Any]]) -> list[str]:
    seen: list[str] = []
    for config in configs:
        for layer in config.get("Layers") or []:
            arn = str(layer.get("Arn") or "")
            if arn and arn not in seen:
                seen.append(arn)
    return seen


def image_reference(code: Mapping[str, Any]) -> str:
    """The image a restore deploys: the digest (`ResolvedImageUri`), never the mutable tag."""
    return str(code.get("ResolvedImageUri") or code.get("ImageUri") or "")


def not_archived(
    config: Mapping[str, Any], code: Mapping[str, Any], versions: Iterable[Mapping[str, Any]]
) -> list[str]:
    """What a restore could not bring back from the archive alone (empty: the archive is complete)."""
    configs = [config, *versions]
    out: list[str] = []
    if any(str(c.get("PackageType") or "Zip") == "Image" for c in configs):
        out.append(
            f"container image {image_reference(code) or '(unknown)'}: stays in ECR, not archived; "
            "restore fails if that digest is deleted"
        )
    for arn in _layers(configs):
        out.append(f"layer version {arn}: referenced, not archived; restore needs it to still exist")
    for key, what in _UNSUPPORTED.items():
        if any(c.get(key) for c in configs):
            out.append(what)
    unknown = sorted(
        {str(k) for c in configs for k, v in c.items() if v not in (None, "", [], {})}
        - _RESTORED_OR_ASSIGNED
        - set(_UNSUPPORTED)
    )
    for key in unknown:
        out.append(f"unsupported property {key}: lambdaops cannot recreate it (newer than lambdaops?)")
    return out


def restore_warnings(
    config: Mapping[str, Any],
    code: Mapping[str, Any],
    versions: Iterable[Mapping[str, Any]],
    today: date,
    layer_exists: Callable[[str], bool | None],
    tag_digest: Callable[[str], str | None] | None,
) -> list[str]:
    """Why restoring this function would fail on AWS today, one sentence each."""
    configs = [config, *versions]
    out: list[str] = []
    for runtime in sorted({str(c.get("Runtime")) for c in configs if c.get("Runtime")}):
        info = runtime_info(runtime)
        if info is None or info.block_create_date is None or info.block_create_date > today:
            continue
        successor = f"to {info.successor}" if info.successor else "to a supported runtime"
        out.append(
            f"runtime {runtime}: AWS refuses new functions on it since {info.block_create_date}; "
            f"restore would need a runtime change ({successor})"
        )
    for arn in _layers(configs):
        exists = layer_exists(arn)
        if exists is False:
            out.append(f"layer version {arn} no longer exists: restore would fail")
        elif exists is None:
            out.append(f"layer version {arn} could not be checked: restore fails if it is gone")
    if str(config.get("PackageType") or "Zip") == "Image" and tag_digest is not None:
        tag_uri = str(code.get("ImageUri") or "")
        resolved = str(code.get("ResolvedImageUri") or "")
        archived = resolved.rpartition("@")[2]
        if "@" not in tag_uri and archived:
            try:
                now = tag_digest(tag_uri)
            except Exception:  # an unreadable repository: unknown, said so, never "still resolves"
                out.append(f"image {tag_uri}: its repository could not be read; restore needs {resolved}")
            else:
                if now != archived:
                    where = f"now resolves to {now}" if now else "no longer exists"
                    out.append(
                        f"image tag {tag_uri} {where}, not the archived {archived}: restore deploys "
                        f"the digest, which must still be in the repository"
                    )
    return out
