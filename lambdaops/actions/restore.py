"""`restore`: recreate a function from the archive `prune` wrote.

Plan first: one change per step (create the function from its oldest published version; republish
every archived version in order from its own code and configuration, each guarded by its
CodeSha256; put `$LATEST` back; reserved concurrency; aliases with their weights on the republished
versions; event invoke configs; resource-policy statements; provisioned concurrency; URL configs;
event source mappings re-pointed and re-enabled). The old -> new version mapping is reported.

Refused (exit 2, nothing written): the archive is from another account, or a function of that name
exists and differs from the archive (lambdaops.actions.restore_compare lists how): restore never
merges into a function it did not create. A function equal to the archive plans only `unchanged`
steps. Progress is journalled in the archive directory, so a rerun after an interruption resumes
the restore it started (and only that one).
"""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambdaops.actions.archive import LoadedArchive
from lambdaops.collect.archive import (
    FunctionState,
    list_event_source_mappings,
    qualifier_of,
    read_function_state,
)
from lambdaops.model import Change, ChangeStatus, Report

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

# CreateFunction's ZipFile is limited to 50 MB (larger packages must come from S3).
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
RESERVED_TAG_PREFIX = "aws:"  # AWS-managed tags (CloudFormation's) cannot be set by anyone else

_MAPPING_KEYS = (
    "BatchSize",
    "FilterCriteria",
    "KMSKeyArn",
    "MetricsConfig",
    "ScalingConfig",
    "MaximumBatchingWindowInSeconds",
    "ParallelizationFactor",
    "StartingPosition",
    "StartingPositionTimestamp",
    "DestinationConfig",
    "MaximumRecordAgeInSeconds",
    "BisectBatchOnFunctionError",
    "MaximumRetryAttempts",
    "TumblingWindowInSeconds",
    "Topics",
    "Queues",
    "SourceAccessConfigurations",
    "SelfManagedEventSource",
    "FunctionResponseTypes",
    "AmazonManagedKafkaEventSourceConfig",
    "SelfManagedKafkaEventSourceConfig",
    "DocumentDBEventSourceConfig",
    "ProvisionedPollerConfig",
)
_CONDITION_PARAMS = {
    "aws:sourcearn": "SourceArn",
    "aws:sourceaccount": "SourceAccount",
    "aws:principalorgid": "PrincipalOrgID",
    "lambda:functionurlauthtype": "FunctionUrlAuthType",
    "lambda:eventsourcetoken": "EventSourceToken",
    "lambda:invokedviafunctionurl": "InvokedViaFunctionUrl",
}


class Untranslatable(ValueError):
    """A resource-policy statement AddPermission cannot express."""


def _single(value: Any, what: str) -> Any:
    if isinstance(value, list):
        if len(value) != 1:
            raise Untranslatable(f"{what} has {len(value)} values; AddPermission takes one")
        return value[0]
    return value


def permission_params(statement: Mapping[str, Any]) -> dict[str, Any]:
    """AddPermission's parameters for one statement of a function's resource policy (GetPolicy form).

    Lambda writes every AddPermission as one Allow statement: a principal, an action, the function
    (or alias) as resource and the optional conditions below. Anything else cannot have come from
    AddPermission and is refused rather than recreated approximately.
    """
    sid = statement.get("Sid")
    if not sid:
        raise Untranslatable("statement has no Sid")
    if statement.get("Effect") != "Allow":
        raise Untranslatable(f"statement {sid}: only Allow statements can be recreated")
    if "NotAction" in statement or "NotPrincipal" in statement or "NotResource" in statement:
        raise Untranslatable(f"statement {sid}: NotAction/NotPrincipal/NotResource cannot be recreated")
    params: dict[str, Any] = {
        "StatementId": str(sid),
        "Action": str(_single(statement.get("Action"), f"statement {sid} Action")),
    }
    principal = statement.get("Principal")
    if isinstance(principal, dict):
        if len(principal) != 1:
            raise Untranslatable(f"statement {sid}: several principal kinds")
        kind, value = next(iter(principal.items()))
        value = str(_single(value, f"statement {sid} principal"))
        if kind == "AWS" and value.startswith("arn:") and value.endswith(":root"):
            value = value.split(":")[4]  # AddPermission was given the account id
        elif kind not in ("AWS", "Service"):
            raise Untranslatable(f"statement {sid}: principal kind {kind} cannot be recreated")
        params["Principal"] = value
    elif isinstance(principal, str) and principal:
        params["Principal"] = principal
    else:
        raise Untranslatable(f"statement {sid}: no principal")
    qualifier = qualifier_of(str(_single(statement.get("Resource"), f"statement {sid} Resource") or ""))
    if qualifier:
        params["Qualifier"] = qualifier
    # moto keeps FunctionUrlAuthType beside the statement instead of in a condition
    if statement.get("FunctionUrlAuthType"):
        params["FunctionUrlAuthType"] = str(statement["FunctionUrlAuthType"])
    for operator, block in (statement.get("Condition") or {}).items():
        for key, value in (block or {}).items():
            name = _CONDITION_PARAMS.get(str(key).lower())
            if name is None:
                raise Untranslatable(f"statement {sid}: condition {operator} {key} cannot be recreated")
            single = _single(value, f"statement {sid} condition {key}")
            if name == "InvokedViaFunctionUrl":
                params[name] = str(single).lower() == "true"
            else:
                params[name] = str(single)
    return params


def restorable_tags(tags: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    kept = {k: v for k, v in tags.items() if not k.lower().startswith(RESERVED_TAG_PREFIX)}
    return kept, sorted(k for k in tags if k not in kept)


_CONFIG_COPY = ("Description", "Timeout", "MemorySize", "KMSKeyArn", "LoggingConfig")


def config_params(config: Mapping[str, Any], package_type: str) -> dict[str, Any]:
    """The configuration part of CreateFunction / UpdateFunctionConfiguration, from an archived
    configuration (GetFunction's `Configuration` or a ListVersionsByFunction entry)."""
    params: dict[str, Any] = {"Role": config["Role"]}
    if package_type == "Zip":
        for key in ("Runtime", "Handler"):
            if config.get(key):
                params[key] = config[key]
    else:
        image_config = (config.get("ImageConfigResponse") or {}).get("ImageConfig")
        if image_config:
            params["ImageConfig"] = image_config
    for key in _CONFIG_COPY:
        if config.get(key) not in (None, "", [], {}):
            params[key] = copy.deepcopy(config[key])
    variables = (config.get("Environment") or {}).get("Variables")
    if variables:
        params["Environment"] = {"Variables": dict(variables)}
    vpc = config.get("VpcConfig") or {}
    if vpc.get("SubnetIds"):
        params["VpcConfig"] = {
            "SubnetIds": list(vpc["SubnetIds"]),
            "SecurityGroupIds": list(vpc.get("SecurityGroupIds") or []),
        }
        if "Ipv6AllowedForDualStack" in vpc:
            params["VpcConfig"]["Ipv6AllowedForDualStack"] = bool(vpc["Ipv6AllowedForDualStack"])
    target = (config.get("DeadLetterConfig") or {}).get("TargetArn")
    if target:
        params["DeadLetterConfig"] = {"TargetArn": target}
    mode = (config.get("TracingConfig") or {}).get("Mode")
    if mode:
        params["TracingConfig"] = {"Mode": mode}
    layers = [str(layer["Arn"]) for layer in config.get("Layers") or []]
    if layers:
        params["Layers"] = layers
    file_systems = [
        {"Arn": fs["Arn"], "LocalMountPath": fs["LocalMountPath"]}
        for fs in config.get("FileSystemConfigs") or []
    ]
    if file_systems:
        params["FileSystemConfigs"] = file_systems
    size = (config.get("EphemeralStorage") or {}).get("Size")
    if size:
        params["EphemeralStorage"] = {"Size": int(size)}
    apply_on = (config.get("SnapStart") or {}).get("ApplyOn")
    if apply_on and apply_on != "None":
        params["SnapStart"] = {"ApplyOn": apply_on}
    return params


def update_config_params(config: Mapping[str, Any], package_type: str) -> dict[str, Any]:
    """UpdateFunctionConfiguration's parameters: as config_params, with the emptiable settings
    given explicitly so a setting the target configuration lacks is cleared, not inherited."""
    params: dict[str, Any] = {"Description": "", "Environment": {"Variables": {}}}
    if package_type == "Zip":
        params["Layers"] = []
    params.update(config_params(config, package_type))
    return params


def image_uri(code: Mapping[str, Any]) -> str:
    """The image to deploy: its digest (ResolvedImageUri), never the tag, which may have moved."""
    return str(code.get("ResolvedImageUri") or code["ImageUri"])


def create_function_params(state: FunctionState, zip_bytes: bytes | None) -> dict[str, Any]:
    """CreateFunction's parameters from an archived GetFunction answer (configuration as it was)."""
    return create_params_for(state.name, state.get_function, state.tags, zip_bytes)


def create_params_for(
    name: str, answer: Mapping[str, Any], tags: Mapping[str, str], zip_bytes: bytes | None
) -> dict[str, Any]:
    config = answer.get("Configuration") or {}
    package_type = str(config.get("PackageType") or "Zip")
    params: dict[str, Any] = {
        "FunctionName": name,
        "Role": config["Role"],
        "Publish": False,
        "PackageType": package_type,
    }
    if package_type == "Zip":
        params["Code"] = {"ZipFile": zip_bytes or b""}
    else:
        params["Code"] = {"ImageUri": image_uri(answer.get("Code") or {})}
    params.update(config_params(config, package_type))
    if config.get("Architectures"):
        params["Architectures"] = list(config["Architectures"])
    kept, _ = restorable_tags(tags)
    if kept:
        params["Tags"] = kept
    return params


def _mapping_params(mapping: Mapping[str, Any], function_name: str) -> dict[str, Any]:
    params: dict[str, Any] = {"FunctionName": function_name}
    if mapping.get("EventSourceArn"):
        params["EventSourceArn"] = mapping["EventSourceArn"]
    params["Enabled"] = str(mapping.get("State", "Enabled")) in ("Enabled", "Enabling", "Creating")
    for key in _MAPPING_KEYS:
        if mapping.get(key) not in (None, "", [], {}):
            params[key] = copy.deepcopy(mapping[key])
    return params


JOURNAL = "restore-journal.json"
_ENABLED = ("Enabled", "Enabling", "Creating", "Updating")


@dataclass
class _Progress:
    """What later steps need from earlier ones, and what is written to the journal after each step:
    the archived version number -> the number AWS gave its republished copy."""

    version_map: dict[str, str] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)

    def target(self, qualifier: str | None) -> str | None:
        """A qualifier of the archived function, as it is after the restore (versions renumbered)."""
        if qualifier is not None and qualifier.isdigit():
            return self.version_map.get(qualifier)
        return qualifier


@dataclass
class Step:
    change: Change
    key: str = ""
    run: Callable[[], str | None] | None = None  # the write; returns a note for the reason, or None


@dataclass
class RestorePlan:
    report: Report
    steps: list[Step] = field(default_factory=list)
    progress: _Progress = field(default_factory=_Progress)
    journal: Path | None = None
    archive_path: Path | None = None

    def add(
        self,
        action: str,
        arn: str,
        params: Mapping[str, Any],
        status: ChangeStatus,
        reason: str,
        run: Callable[[], str | None] | None = None,
        key: str = "",
    ) -> None:
        self.steps.append(Step(Change(action, arn, dict(params), status, reason), key or action, run))

    def sync(self) -> None:
        self.report.changes = [s.change for s in self.steps]


def _conflict(exc: Exception) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
        "ResourceConflictException",
        "ResourceInUseException",
    )


def _b64_sha256(path: Path) -> str:
    import base64
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


def read_journal(path: Path) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads((path / JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_journal(path: Path, data: Mapping[str, Any]) -> None:
    """Atomically, owner-only: it names the function and its versions (no configuration)."""
    import json
    import os

    tmp = path / f".{JOURNAL}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(dict(data), fh, indent=2, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path / JOURNAL)


def _version_numbers(state: FunctionState) -> list[str]:
    return sorted((str(v["Version"]) for v in state.versions if str(v.get("Version", "")).isdigit()), key=int)


def _deploy_params(name: str, answer: Mapping[str, Any], code_file: Path | None) -> dict[str, Any]:
    """What the plan shows for one deployment: computed from the file it uploads, never a value."""
    config = answer.get("Configuration") or {}
    out: dict[str, Any] = {
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "memory_mb": config.get("MemorySize"),
        "timeout_s": config.get("Timeout"),
        "description": config.get("Description") or "",
        "environment": sorted((config.get("Environment") or {}).get("Variables") or {}),
    }
    if code_file is not None:
        out["code_sha256"] = _b64_sha256(code_file)
        out["code_file"] = code_file.name
    else:
        out["image"] = image_uri(answer.get("Code") or {})
    return out


def plan_restore(
    client: LambdaClient,
    archive: LoadedArchive,
    account_id: str,
    region: str,
    now: datetime,
) -> RestorePlan:
    """The steps that would bring the archived function back.

    No function of that name: every step `planned`. A function that equals the archive: every step
    `unchanged`. A function this restore created and did not finish (its journal says so): the steps
    not yet done are `planned`. Any other existing function: one `refused` change with the
    differences; restore never merges into a function it did not create."""
    from lambdaops.actions.restore_compare import differences

    state = archive.state
    manifest = archive.manifest
    report = Report(command="restore", generated_at=now, accounts=[account_id], regions=[region], changes=[])
    plan = RestorePlan(report=report, journal=archive.path / JOURNAL, archive_path=archive.path)
    base = {"function": state.name, "archive": str(archive.path)}

    if manifest["account_id"] != account_id:
        plan.add(
            "create-function",
            state.arn,
            base,
            ChangeStatus.REFUSED,
            f"the archive is of account {manifest['account_id']}; these credentials are for "
            f"{account_id}: use credentials for the archived account",
        )
        plan.sync()
        return plan

    current = read_function_state(client, state.name)
    journal = read_journal(archive.path)
    resuming = False
    if current is not None:
        diff = differences(state, current)
        in_progress = bool(
            journal and journal.get("in_progress") and journal.get("function_arn") == state.arn
        )
        if in_progress and journal is not None:
            ours = set((journal.get("version_map") or {}).values())
            theirs = {str(v["Version"]) for v in current.versions}
            if current.configuration.get("Role") == state.configuration.get("Role") and theirs <= ours:
                resuming = True
                plan.progress.version_map = {str(k): str(v) for k, v in journal["version_map"].items()}
                plan.progress.done = [str(k) for k in journal.get("done") or []]
        if not resuming and diff:
            shown = diff[:40] + ([f"... and {len(diff) - 40} more"] if len(diff) > 40 else [])
            plan.add(
                "create-function",
                state.arn,
                {**base, "differences": shown},
                ChangeStatus.REFUSED,
                f"a function named {state.name} already exists and differs from the archive in {len(diff)} "
                "place(s) (see differences): restore never merges into a function it did not create; "
                "delete or rename it first",
            )
            plan.sync()
            return plan
        if not resuming:
            if journal:
                plan.progress.version_map = {
                    str(k): str(v) for k, v in (journal.get("version_map") or {}).items()
                }
            _build_steps(plan, client, archive, base)
            for step in plan.steps:
                if step.change.status is ChangeStatus.PLANNED:
                    step.change = replace(
                        step.change, status=ChangeStatus.UNCHANGED, reason="exists and equals the archive"
                    )
                    step.run = None
            plan.sync()
            return plan
    _build_steps(plan, client, archive, base)
    if resuming:
        for step in plan.steps:
            if step.key in plan.progress.done and step.change.status is ChangeStatus.PLANNED:
                step.change = replace(
                    step.change, status=ChangeStatus.UNCHANGED, reason="done by the interrupted restore"
                )
                step.run = None
    plan.sync()
    return plan


def _build_steps(
    plan: RestorePlan, client: LambdaClient, archive: LoadedArchive, base: dict[str, Any]
) -> None:
    state = archive.state
    numbers = _version_numbers(state)
    _plan_create(plan, client, archive, base, numbers)
    _plan_versions(plan, client, archive, base, numbers)
    _plan_reserved(plan, client, state, base)
    _plan_aliases(plan, client, state, base)
    _plan_invoke_configs(plan, client, state, base)
    _plan_permissions(plan, client, state, base)
    _plan_provisioned(plan, client, state, base)
    _plan_urls(plan, client, state, base)
    _plan_mappings(plan, client, state, base)


def _code_file(archive: LoadedArchive, number: str | None) -> Path | None:
    if number is None:
        return archive.code_path
    name = (archive.manifest.get("version_code") or {}).get(number)
    return archive.path / str(name) if name else None


def _answer(state: FunctionState, number: str | None) -> dict[str, Any]:
    if number is None:
        return state.get_function
    return state.version_functions.get(number) or {}


def _plan_create(
    plan: RestorePlan, client: LambdaClient, archive: LoadedArchive, base: dict[str, Any], numbers: list[str]
) -> None:
    """Create the function with the first thing to publish: the oldest version, or $LATEST."""
    state = archive.state
    first = numbers[0] if numbers else None
    answer = _answer(state, first)
    if first is not None and not answer:
        plan.add(
            "create-function",
            state.arn,
            base,
            ChangeStatus.FAILED,
            "this archive (schema 1) does not hold the published versions' code; restore it with the "
            "lambdaops version that wrote it",
        )
        return
    code_path = _code_file(archive, first)
    package_type = str((answer.get("Configuration") or {}).get("PackageType") or "Zip")
    tags, skipped = restorable_tags(state.tags)
    params: dict[str, Any] = {
        **base,
        "from": f"version {first}" if first else "$LATEST",
        "package_type": package_type,
        "role": (answer.get("Configuration") or {}).get("Role"),
        **_deploy_params(state.name, answer, code_path if package_type == "Zip" else None),
        "tags": len(tags),
    }
    if skipped:
        params["skipped_tags"] = skipped
    if package_type == "Zip" and code_path is not None and code_path.stat().st_size > DIRECT_UPLOAD_LIMIT:
        plan.add(
            "create-function",
            state.arn,
            params,
            ChangeStatus.FAILED,
            f"the code package is {code_path.stat().st_size} bytes, above CreateFunction's 50 MB "
            "direct upload: upload it to S3 and create the function from there",
        )
        return
    expected = str((answer.get("Configuration") or {}).get("CodeSha256") or "")

    def run() -> str | None:
        from botocore.exceptions import ClientError

        zip_bytes = code_path.read_bytes() if package_type == "Zip" and code_path else None
        note = None
        try:
            client.create_function(**create_params_for(state.name, answer, state.tags, zip_bytes))
        except ClientError as exc:
            # A retry of a create whose answer was lost meets the function it made: done, if it holds
            # the code this restore uploads; anything else is a conflict.
            if not _conflict(exc):
                raise
            existing = client.get_function_configuration(FunctionName=state.name)
            if existing.get("CodeSha256") != expected:
                raise
            note = "the answer to CreateFunction was lost; the function was found created"
        client.get_waiter("function_active_v2").wait(FunctionName=state.name)
        return note

    reason = "recreate from the archive"
    if skipped:
        reason += f"; AWS-reserved tags cannot be set and are left out: {', '.join(skipped)}"
    plan.add("create-function", state.arn, params, ChangeStatus.PLANNED, reason, run=run, key="create")


def _deploy(client: LambdaClient, name: str, answer: Mapping[str, Any], code_path: Path | None) -> None:
    """Make $LATEST hold `answer`'s code and configuration (only what differs is updated)."""
    from lambdaops.actions.restore_compare import config_projection

    config = answer.get("Configuration") or {}
    package_type = str(config.get("PackageType") or "Zip")
    waiter = client.get_waiter("function_updated_v2")
    current = client.get_function_configuration(FunctionName=name)
    if current.get("CodeSha256") != config.get("CodeSha256"):
        kwargs: dict[str, Any] = {"FunctionName": name}
        if package_type == "Zip":
            assert code_path is not None
            kwargs["ZipFile"] = code_path.read_bytes()
        else:
            kwargs["ImageUri"] = image_uri(answer.get("Code") or {})
        if config.get("Architectures"):
            kwargs["Architectures"] = list(config["Architectures"])
        client.update_function_code(**kwargs)
        waiter.wait(FunctionName=name)
        current = client.get_function_configuration(FunctionName=name)
    want = config_projection(config)
    have = config_projection(current)
    if {k: v for k, v in want.items() if k != "CodeSha256"} != {
        k: v for k, v in have.items() if k != "CodeSha256"
    }:
        client.update_function_configuration(FunctionName=name, **update_config_params(config, package_type))
        waiter.wait(FunctionName=name)


def _plan_versions(
    plan: RestorePlan, client: LambdaClient, archive: LoadedArchive, base: dict[str, Any], numbers: list[str]
) -> None:
    """Republish each archived version in order from its own code and configuration, then put
    $LATEST back as it was."""
    state = archive.state
    progress = plan.progress
    for number in numbers:
        answer = _answer(state, number)
        if not answer:
            return  # schema 1: _plan_create said so
        code_path = _code_file(archive, number)
        config = answer.get("Configuration") or {}
        package_type = str(config.get("PackageType") or "Zip")
        params = {
            **base,
            "archived_version": number,
            **_deploy_params(state.name, answer, code_path if package_type == "Zip" else None),
        }

        def run(
            number: str = number, answer: Mapping[str, Any] = answer, code_path: Path | None = code_path
        ) -> None:
            cfg = answer.get("Configuration") or {}
            _deploy(client, state.name, answer, code_path)
            # CodeSha256 makes AWS refuse to publish anything but the archived code; a version whose
            # code and configuration equal the last published one is not published again (AWS answers
            # that version): the mapping says so.
            resp = client.publish_version(
                FunctionName=state.name,
                CodeSha256=str(cfg.get("CodeSha256")),
                Description=str(cfg.get("Description") or ""),
            )
            progress.version_map[number] = str(resp["Version"])
            client.get_waiter("published_version_active").wait(
                FunctionName=state.name, Qualifier=progress.version_map[number]
            )

        plan.add(
            "publish-version",
            f"{state.arn}:{number}",
            params,
            ChangeStatus.PLANNED,
            f"republish version {number} from its own archived code and configuration (AWS numbers it)",
            run=_noted(run),
            key=f"version:{number}",
        )
    if numbers:
        code_path = archive.code_path
        params = {
            **base,
            **_deploy_params(
                state.name, state.get_function, code_path if state.package_type == "Zip" else None
            ),
        }
        plan.add(
            "update-function",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "put $LATEST's archived code and configuration back (only what differs from the last version)",
            run=_noted(lambda: _deploy(client, state.name, state.get_function, code_path)),
            key="latest",
        )


def _noted(fn: Callable[[], object]) -> Callable[[], str | None]:
    def run() -> str | None:
        fn()
        return None

    return run


def _plan_reserved(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]
) -> None:
    reserved = state.reserved_concurrency
    if reserved is None:
        return
    plan.add(
        "put-function-concurrency",
        state.arn,
        {**base, "reserved_concurrency": reserved},
        ChangeStatus.PLANNED,
        "archived reservation",
        run=_noted(
            lambda: client.put_function_concurrency(
                FunctionName=state.name, ReservedConcurrentExecutions=reserved
            )
        ),
        key="reserved",
    )


def _plan_aliases(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]
) -> None:
    progress = plan.progress
    for alias in sorted(state.aliases, key=lambda a: str(a["Name"])):
        alias_name = str(alias["Name"])
        weights = (alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}
        params = {
            **base,
            "alias": alias_name,
            "archived_version": str(alias.get("FunctionVersion")),
            "routing": {str(k): float(v) for k, v in weights.items()},
        }

        def run(alias: Mapping[str, Any] = alias, weights: Mapping[str, Any] = weights) -> str | None:
            version = progress.target(str(alias.get("FunctionVersion")))
            kwargs: dict[str, Any] = {
                "FunctionName": state.name,
                "Name": str(alias["Name"]),
                "FunctionVersion": str(version),
                "Description": str(alias.get("Description") or ""),
            }
            if weights:
                kwargs["RoutingConfig"] = {
                    "AdditionalVersionWeights": {
                        str(progress.target(str(k))): float(v) for k, v in weights.items()
                    }
                }
            try:
                client.create_alias(**kwargs)
            except Exception as exc:
                if not _conflict(exc):
                    raise
                got = client.get_alias(FunctionName=state.name, Name=str(alias["Name"]))
                if str(got.get("FunctionVersion")) != str(version):
                    raise
                return "the answer to CreateAlias was lost; the alias was found created"
            return None

        plan.add(
            "create-alias",
            f"{state.arn}:{alias_name}",
            params,
            ChangeStatus.PLANNED,
            "pointing at the republished copy of the version it pointed at (weights likewise)",
            run=run,
            key=f"alias:{alias_name}",
        )


def _plan_invoke_configs(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]
) -> None:
    progress = plan.progress
    for config in state.event_invoke_configs:
        qualifier = qualifier_of(str(config.get("FunctionArn") or ""))
        params = {
            **base,
            "qualifier": qualifier or "$LATEST",
            "maximum_retry_attempts": config.get("MaximumRetryAttempts"),
            "maximum_event_age_s": config.get("MaximumEventAgeInSeconds"),
            "destinations": {
                k: (v or {}).get("Destination") for k, v in (config.get("DestinationConfig") or {}).items()
            },
        }

        def run(config: Mapping[str, Any] = config, qualifier: str | None = qualifier) -> None:
            kwargs: dict[str, Any] = {"FunctionName": state.name}
            target = progress.target(qualifier)
            if target and target != "$LATEST":
                kwargs["Qualifier"] = target
            for key in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
                if config.get(key) is not None:
                    kwargs[key] = copy.deepcopy(config[key])
            client.put_function_event_invoke_config(**kwargs)

        plan.add(
            "put-event-invoke-config",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "archived retries, maximum event age and destinations",
            run=_noted(run),
            key=f"invoke:{qualifier or '$LATEST'}",
        )


def _statements(state: FunctionState) -> list[tuple[str | None, dict[str, Any]]]:
    """(qualifier or None, statement) for every statement of the function's, its aliases' and its
    versions' policies. A statement belongs to the qualifier its Resource names; an emulator that
    answers a qualified GetPolicy with the function's policy therefore does not duplicate them."""
    out: list[tuple[str | None, dict[str, Any]]] = []
    policies = state.policies or {}
    docs: list[tuple[str | None, Any]] = [(None, policies.get("function"))]
    docs += sorted((policies.get("aliases") or {}).items())
    docs += sorted((policies.get("versions") or {}).items())
    for qualifier, doc in docs:
        for statement in (doc or {}).get("Statement") or []:
            resource = statement.get("Resource")
            named = qualifier_of(str(resource)) if isinstance(resource, str) else None
            if named == qualifier:
                out.append((qualifier, statement))
    return out


def _plan_permissions(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]
) -> None:
    progress = plan.progress
    for qualifier, statement in _statements(state):
        sid = str(statement.get("Sid"))
        params: dict[str, Any] = {**base, "statement": sid}
        if qualifier:
            params["qualifier"] = qualifier
        try:
            permission = permission_params(statement)
        except Untranslatable as exc:
            plan.add("add-permission", state.arn, params, ChangeStatus.FAILED, str(exc))
            continue
        params["principal"] = permission["Principal"]
        params["action"] = permission["Action"]

        def run(permission: dict[str, Any] = permission) -> str | None:
            kwargs = dict(permission)
            if kwargs.get("Qualifier") is not None:
                kwargs["Qualifier"] = progress.target(str(kwargs["Qualifier"]))
            try:
                client.add_permission(FunctionName=state.name, **kwargs)
            except Exception as exc:
                if not _conflict(exc):
                    raise
                return "the statement was found in place (an earlier answer was lost)"
            return None

        plan.add(
            "add-permission",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "archived policy statement",
            run=run,
            key=f"permission:{qualifier or ''}:{sid}",
        )


def _plan_provisioned(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]
) -> None:
    progress = plan.progress
    for config in state.provisioned:
        qualifier = qualifier_of(str(config.get("FunctionArn", "")))
        requested = int(config.get("RequestedProvisionedConcurrentExecutions") or 0)
        params = {**base, "qualifier": qualifier, "provisioned_concurrency": requested}

        def run(qualifier: str | None = qualifier, requested: int = requested) -> None:
            client.put_provisioned_concurrency_config(
                FunctionName=state.name,
                Qualifier=str(progress.target(qualifier)),
                ProvisionedConcurrentExecutions=requested,
            )

        plan.add(
            "put-provisioned-concurrency",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "archived configuration",
            run=_noted(run),
            key=f"provisioned:{qualifier}",
        )


def _plan_urls(plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]) -> None:
    for config in state.url_configs:
        qualifier = qualifier_of(str(config.get("FunctionArn", "")))
        params = {**base, "qualifier": qualifier, "auth_type": config.get("AuthType")}
        kwargs: dict[str, Any] = {"FunctionName": state.name, "AuthType": config["AuthType"]}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        for key in ("Cors", "InvokeMode"):
            if config.get(key):
                kwargs[key] = copy.deepcopy(config[key])

        def run(kwargs: dict[str, Any] = kwargs) -> str | None:
            try:
                client.create_function_url_config(**kwargs)
            except Exception as exc:
                if not _conflict(exc):
                    raise
                return "the URL config was found in place (an earlier answer was lost)"
            return None

        plan.add(
            "create-function-url",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "a new URL: function URLs cannot be chosen, so callers need the new one",
            run=run,
            key=f"url:{qualifier}",
        )


def _plan_mappings(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any]
) -> None:
    """Re-enable (pointing at the republished version) the mappings prune disabled and AWS kept;
    recreate those that are gone."""
    if not state.event_source_mappings:
        return
    progress = plan.progress
    present = {str(m.get("UUID")): m for m in list_event_source_mappings(client)}
    for mapping in state.event_source_mappings:
        uuid = str(mapping.get("UUID"))
        source = str(mapping.get("EventSourceArn") or "")
        enabled = str(mapping.get("State", "Enabled")) in _ENABLED
        params = {**base, "event_source": source or "(self-managed)", "uuid": uuid, "enabled": enabled}
        qualifier = qualifier_of(str(mapping.get("FunctionArn") or ""))

        def name_for(qualifier: str | None = qualifier) -> str:
            target = progress.target(qualifier)
            return f"{state.name}:{target}" if target else state.name

        if uuid in present:

            def update(
                uuid: str = uuid, enabled: bool = enabled, name_for: Callable[[], str] = name_for
            ) -> None:
                client.update_event_source_mapping(UUID=uuid, FunctionName=name_for(), Enabled=enabled)

            plan.add(
                "update-event-source-mapping",
                state.arn,
                params,
                ChangeStatus.PLANNED,
                "kept by AWS after the delete (prune disabled it): point it at the function again, "
                + ("enabled" if enabled else "disabled as archived"),
                run=_noted(update),
                key=f"mapping:{uuid}",
            )
            continue

        def create(
            mapping: Mapping[str, Any] = mapping, name_for: Callable[[], str] = name_for, source: str = source
        ) -> str | None:
            wanted = name_for()
            for m in list_event_source_mappings(client):  # a lost answer: never create it twice
                if str(m.get("EventSourceArn") or "") == source and str(m.get("FunctionArn", "")).endswith(
                    f":function:{wanted}"
                ):
                    return "found in place (an earlier answer was lost)"
            client.create_event_source_mapping(**_mapping_params(mapping, wanted))
            return None

        plan.add(
            "create-event-source-mapping",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "archived trigger (no longer exists)",
            run=create,
            key=f"mapping:{uuid}",
        )


def apply_restore(plan: RestorePlan, account_id: str, region: str) -> None:
    """Run the planned steps in order, recording each in the archive's restore journal; after a
    failure the rest are not attempted (a rerun resumes from the journal)."""
    from botocore.exceptions import BotoCoreError, ClientError, WaiterError

    from lambdaops.collect.guard import error_record

    todo = [s for s in plan.steps if s.change.status is ChangeStatus.PLANNED and s.run is not None]
    if not todo:
        plan.sync()
        return
    arn = plan.steps[0].change.resource_arn
    progress = plan.progress

    def journal(in_progress: bool) -> None:
        if plan.journal is not None:
            write_journal(
                plan.journal.parent,
                {
                    "function_arn": arn,
                    "in_progress": in_progress,
                    "version_map": progress.version_map,
                    "done": progress.done,
                },
            )

    failed = False
    try:
        journal(True)
    except OSError as exc:
        failed = True
        first = plan.steps.index(todo[0])
        plan.steps[first].change = replace(
            plan.steps[first].change,
            status=ChangeStatus.FAILED,
            reason=f"cannot write the restore journal in the archive directory: {exc.strerror or exc}",
        )
    for step in plan.steps:
        if step.change.status is not ChangeStatus.PLANNED or step.run is None:
            continue
        if failed:
            step.change = replace(
                step.change, status=ChangeStatus.FAILED, reason="not attempted: an earlier step failed"
            )
            continue
        try:
            note = step.run()
        except (ClientError, BotoCoreError) as exc:
            if isinstance(exc, WaiterError):
                reason = f"did not become ready: {exc}"
            else:
                rec = error_record(exc, account_id, region, f"lambda:{step.change.action}")
                reason = f"{rec.code}: {rec.message}"
            step.change = replace(step.change, status=ChangeStatus.FAILED, reason=reason)
            failed = True
            continue
        progress.done.append(step.key)
        reason = step.change.reason + (f" ({note})" if note else "")
        params = dict(step.change.params)
        if step.key.startswith("version:"):  # the old -> new version number mapping, reported
            params["restored_as_version"] = progress.version_map.get(step.key.split(":", 1)[1])
        step.change = replace(step.change, params=params, status=ChangeStatus.APPLIED, reason=reason)
        with contextlib.suppress(OSError):
            journal(True)
    if not failed:
        with contextlib.suppress(OSError):
            journal(False)
    plan.sync()
