"""`restore`: recreate a function from the archive `prune` wrote.

Plan first: one change per step (create the function with its code, configuration and tags; reserved
concurrency; a republished version with the aliases on it; resource-policy statements; provisioned
concurrency; URL configs; event source mappings). Each step compares with what exists, so a rerun
after an interruption finishes the job and a completed restore plans nothing but `unchanged`.

Refused (exit 2, nothing written): the archive is from another account, or a function of that name
exists with other code (restoring over it would lose it).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from lambdaops.actions.archive import LoadedArchive
from lambdaops.collect.archive import (
    FunctionState,
    get_function,
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


def create_function_params(state: FunctionState, zip_bytes: bytes | None) -> dict[str, Any]:
    """CreateFunction's parameters from an archived GetFunction answer (configuration as it was)."""
    config = state.configuration
    params: dict[str, Any] = {
        "FunctionName": state.name,
        "Role": config["Role"],
        "Publish": False,
        "PackageType": state.package_type,
    }
    if state.package_type == "Zip":
        for key in ("Runtime", "Handler"):
            if config.get(key):
                params[key] = config[key]
        params["Code"] = {"ZipFile": zip_bytes or b""}
    else:
        code = state.get_function.get("Code") or {}
        params["Code"] = {"ImageUri": code["ImageUri"]}
        image_config = (config.get("ImageConfigResponse") or {}).get("ImageConfig")
        if image_config:
            params["ImageConfig"] = image_config
    for key in ("Description", "Timeout", "MemorySize", "KMSKeyArn", "Architectures", "LoggingConfig"):
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
    tags, _ = restorable_tags(state.tags)
    if tags:
        params["Tags"] = tags
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


@dataclass
class _Progress:
    """What later steps need from earlier ones (the republished version's number)."""

    version: str | None = None


@dataclass
class Step:
    change: Change
    run: Callable[[], object] | None = None  # the write; None when nothing is to be done


@dataclass
class RestorePlan:
    report: Report
    steps: list[Step] = field(default_factory=list)

    def add(
        self,
        action: str,
        arn: str,
        params: Mapping[str, Any],
        status: ChangeStatus,
        reason: str,
        run: Callable[[], object] | None = None,
    ) -> None:
        self.steps.append(Step(Change(action, arn, dict(params), status, reason), run))

    def sync(self) -> None:
        self.report.changes = [s.change for s in self.steps]


def plan_restore(
    client: LambdaClient,
    archive: LoadedArchive,
    account_id: str,
    region: str,
    now: datetime,
) -> RestorePlan:
    """The steps that would bring the archived function back, each `planned` or `unchanged`."""
    state = archive.state
    manifest = archive.manifest
    arn = state.arn
    name = state.name
    report = Report(command="restore", generated_at=now, accounts=[account_id], regions=[region], changes=[])
    plan = RestorePlan(report=report)
    base = {"function": name, "archive": str(archive.path)}

    if manifest["account_id"] != account_id:
        plan.add(
            "create-function",
            arn,
            base,
            ChangeStatus.REFUSED,
            f"the archive is of account {manifest['account_id']}; these credentials are for "
            f"{account_id}: use credentials for the archived account",
        )
        plan.sync()
        return plan

    current_fn = get_function(client, name)
    current: FunctionState | None = None
    if current_fn is not None:
        config = current_fn.get("Configuration") or {}
        if config.get("CodeSha256") != state.code_sha256 or config.get("Role") != state.configuration.get(
            "Role"
        ):
            plan.add(
                "create-function",
                arn,
                base,
                ChangeStatus.REFUSED,
                f"a function named {name} already exists with other code or role: restoring "
                "would replace it; delete or rename it first",
            )
            plan.sync()
            return plan
        current = read_function_state(client, name)
    progress = _Progress()
    _plan_create(plan, client, archive, current, base)
    _plan_tags(plan, client, state, current, base)
    _plan_reserved(plan, client, state, current, base)
    _plan_versions(plan, client, state, current, base, progress)
    _plan_permissions(plan, client, state, current, base, progress)
    _plan_provisioned(plan, client, state, current, base, progress)
    _plan_urls(plan, client, state, current, base)
    _plan_mappings(plan, client, state, base, progress)
    plan.sync()
    return plan


def _plan_create(
    plan: RestorePlan,
    client: LambdaClient,
    archive: LoadedArchive,
    current: FunctionState | None,
    base: dict[str, Any],
) -> None:
    state = archive.state
    config = state.configuration
    tags, skipped = restorable_tags(state.tags)
    params: dict[str, Any] = {
        **base,
        "package_type": state.package_type,
        "runtime": config.get("Runtime"),
        "handler": config.get("Handler"),
        "role": config.get("Role"),
        "memory_mb": config.get("MemorySize"),
        "timeout_s": config.get("Timeout"),
        "code_sha256": state.code_sha256,
        # names only: values can be secrets and are never printed
        "environment": sorted((config.get("Environment") or {}).get("Variables") or {}),
        "tags": len(tags),
    }
    if skipped:
        params["skipped_tags"] = skipped
    if current is not None:
        plan.add(
            "create-function", state.arn, params, ChangeStatus.UNCHANGED, "exists with the archived code"
        )
        return
    code_path = archive.code_path
    if (
        state.package_type == "Zip"
        and code_path is not None
        and code_path.stat().st_size > DIRECT_UPLOAD_LIMIT
    ):
        plan.add(
            "create-function",
            state.arn,
            params,
            ChangeStatus.FAILED,
            f"the code package is {code_path.stat().st_size} bytes, above CreateFunction's 50 MB "
            "direct upload: upload code.zip to S3 and create the function from there",
        )
        return

    def run() -> None:
        from botocore.exceptions import ClientError

        zip_bytes = code_path.read_bytes() if state.package_type == "Zip" and code_path else None
        try:
            client.create_function(**create_function_params(state, zip_bytes))
        except ClientError as exc:
            # A retry of a create whose answer was lost finds the function it made: if it holds the
            # archived code, the create happened and the restore goes on; anything else is a conflict.
            if exc.response.get("Error", {}).get("Code") != "ResourceConflictException":
                raise
            existing = client.get_function_configuration(FunctionName=state.name)
            if existing.get("CodeSha256") != state.code_sha256:
                raise
        client.get_waiter("function_active_v2").wait(FunctionName=state.name)

    reason = "recreate from the archive"
    if skipped:
        reason += f"; AWS-reserved tags cannot be set and are left out: {', '.join(skipped)}"
    plan.add("create-function", state.arn, params, ChangeStatus.PLANNED, reason, run=run)


def _plan_tags(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
) -> None:
    if current is None:
        return  # CreateFunction sets them
    wanted, _ = restorable_tags(state.tags)
    missing = {k: v for k, v in wanted.items() if current.tags.get(k) != v}
    if not missing:
        return
    plan.add(
        "tag-function",
        state.arn,
        {**base, "tags": sorted(missing)},
        ChangeStatus.PLANNED,
        "archived tags",
        run=lambda: client.tag_resource(Resource=state.arn, Tags=missing),
    )


def _plan_reserved(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
) -> None:
    reserved = state.reserved_concurrency
    if reserved is None:
        return
    params = {**base, "reserved_concurrency": reserved}
    if current is not None and current.reserved_concurrency == reserved:
        plan.add("put-function-concurrency", state.arn, params, ChangeStatus.UNCHANGED, "")
        return
    plan.add(
        "put-function-concurrency",
        state.arn,
        params,
        ChangeStatus.PLANNED,
        "archived reservation",
        run=lambda: client.put_function_concurrency(
            FunctionName=state.name, ReservedConcurrentExecutions=reserved
        ),
    )


def _referenced_versions(state: FunctionState) -> set[str]:
    """Published versions something pointed at: aliases, provisioned concurrency, mappings."""
    out = set()
    for alias in state.aliases:
        out.add(str(alias.get("FunctionVersion")))
        out.update(str(v) for v in ((alias.get("RoutingConfig") or {}).get("AdditionalVersionWeights") or {}))
    for config in state.provisioned:
        q = qualifier_of(str(config.get("FunctionArn", "")))
        if q and q.isdigit():
            out.add(q)
    for mapping in state.event_source_mappings:
        q = qualifier_of(str(mapping.get("FunctionArn", "")))
        if q and q.isdigit():
            out.add(q)
    return {v for v in out if v.isdigit()}


def _target(qualifier: str | None, progress: _Progress) -> str | None:
    """A qualifier of the archived function, as it is after the restore (versions are republished)."""
    if qualifier is not None and qualifier.isdigit():
        return progress.version
    return qualifier


def _plan_versions(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
    progress: _Progress,
) -> None:
    referenced = _referenced_versions(state)
    if not referenced:
        return
    by_version = {str(v.get("Version")): v for v in state.versions}
    differing = sorted(
        (v for v in referenced if by_version.get(v, {}).get("CodeSha256") not in (None, state.code_sha256)),
        key=int,
    )
    note = "aliases and version-qualified settings move to one version published from the archived code" + (
        f"; versions {', '.join(differing)} had other code, which the archive does not keep"
        if differing
        else ""
    )
    params = {**base, "replaces_versions": sorted(referenced, key=int)}
    if current is not None:
        same = [
            str(v["Version"])
            for v in current.versions
            if v.get("CodeSha256") == state.code_sha256 and str(v.get("Version", "")).isdigit()
        ]
        if same:
            progress.version = max(same, key=int)
            plan.add(
                "publish-version",
                state.arn,
                {**params, "version": progress.version},
                ChangeStatus.UNCHANGED,
                "published earlier",
            )
            _plan_aliases(plan, client, state, current, base, progress)
            return

    def run() -> None:
        newest = max(referenced, key=int)
        description = str(by_version.get(newest, {}).get("Description") or "")
        resp = client.publish_version(FunctionName=state.name, Description=description)
        progress.version = str(resp["Version"])
        client.get_waiter("published_version_active").wait(
            FunctionName=state.name, Qualifier=progress.version
        )

    plan.add("publish-version", state.arn, params, ChangeStatus.PLANNED, note, run=run)
    _plan_aliases(plan, client, state, current, base, progress)


def _plan_aliases(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
    progress: _Progress,
) -> None:
    existing = {str(a["Name"]) for a in (current.aliases if current else [])}
    for alias in sorted(state.aliases, key=lambda a: str(a["Name"])):
        alias_name = str(alias["Name"])
        params = {**base, "alias": alias_name, "was_version": str(alias.get("FunctionVersion"))}
        arn = f"{state.arn}:{alias_name}"
        if alias_name in existing:
            plan.add("create-alias", arn, params, ChangeStatus.UNCHANGED, "exists")
            continue

        def run(alias: Mapping[str, Any] = alias) -> None:
            assert progress.version is not None, "publish-version runs first"
            client.create_alias(
                FunctionName=state.name,
                Name=str(alias["Name"]),
                FunctionVersion=progress.version,
                Description=str(alias.get("Description") or ""),
            )

        plan.add(
            "create-alias", arn, params, ChangeStatus.PLANNED, "pointing at the republished version", run=run
        )


def _statements(state: FunctionState) -> list[tuple[str | None, dict[str, Any]]]:
    """(alias or None, statement) for every statement of the function's and its aliases' policies.

    A statement belongs to the qualifier its Resource names; an emulator that answers an alias's
    GetPolicy with the function's policy therefore does not duplicate statements.
    """
    out: list[tuple[str | None, dict[str, Any]]] = []
    policies = state.policies or {}
    docs: list[tuple[str | None, Any]] = [(None, policies.get("function"))]
    docs += sorted((policies.get("aliases") or {}).items())
    for alias, doc in docs:
        for statement in (doc or {}).get("Statement") or []:
            resource = statement.get("Resource")
            qualifier = qualifier_of(str(resource)) if isinstance(resource, str) else None
            if qualifier == alias:
                out.append((alias, statement))
    return out


def _plan_permissions(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
    progress: _Progress,
) -> None:
    existing: set[tuple[str | None, str]] = set()
    if current is not None:
        for alias, statement in _statements(current):
            existing.add((alias, str(statement.get("Sid"))))
    for alias, statement in _statements(state):
        sid = str(statement.get("Sid"))
        params: dict[str, Any] = {**base, "statement": sid}
        if alias:
            params["alias"] = alias
        try:
            permission = permission_params(statement)
        except Untranslatable as exc:
            plan.add("add-permission", state.arn, params, ChangeStatus.FAILED, str(exc))
            continue
        params["principal"] = permission["Principal"]
        params["action"] = permission["Action"]
        if (alias, sid) in existing:
            plan.add("add-permission", state.arn, params, ChangeStatus.UNCHANGED, "exists")
            continue

        def run(permission: dict[str, Any] = permission) -> None:
            kwargs = dict(permission)
            qualifier = kwargs.get("Qualifier")
            if qualifier is not None:
                kwargs["Qualifier"] = _target(qualifier, progress)
            client.add_permission(FunctionName=state.name, **kwargs)

        plan.add(
            "add-permission", state.arn, params, ChangeStatus.PLANNED, "archived policy statement", run=run
        )


def _plan_provisioned(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
    progress: _Progress,
) -> None:
    existing = {
        qualifier_of(str(c.get("FunctionArn", ""))): c.get("RequestedProvisionedConcurrentExecutions")
        for c in (current.provisioned if current else [])
    }
    for config in state.provisioned:
        qualifier = qualifier_of(str(config.get("FunctionArn", "")))
        requested = int(config.get("RequestedProvisionedConcurrentExecutions") or 0)
        params = {**base, "qualifier": qualifier, "provisioned_concurrency": requested}
        target = _target(qualifier, progress)
        if target is not None and existing.get(target) == requested:
            plan.add("put-provisioned-concurrency", state.arn, params, ChangeStatus.UNCHANGED, "exists")
            continue

        def run(qualifier: str | None = qualifier, requested: int = requested) -> None:
            client.put_provisioned_concurrency_config(
                FunctionName=state.name,
                Qualifier=str(_target(qualifier, progress)),
                ProvisionedConcurrentExecutions=requested,
            )

        plan.add(
            "put-provisioned-concurrency",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "archived configuration",
            run=run,
        )


def _plan_urls(
    plan: RestorePlan,
    client: LambdaClient,
    state: FunctionState,
    current: FunctionState | None,
    base: dict[str, Any],
) -> None:
    existing = {qualifier_of(str(u.get("FunctionArn", ""))) for u in (current.url_configs if current else [])}
    for config in state.url_configs:
        qualifier = qualifier_of(str(config.get("FunctionArn", "")))
        params = {**base, "qualifier": qualifier, "auth_type": config.get("AuthType")}
        if qualifier in existing:
            plan.add("create-function-url", state.arn, params, ChangeStatus.UNCHANGED, "exists")
            continue
        kwargs: dict[str, Any] = {"FunctionName": state.name, "AuthType": config["AuthType"]}
        if qualifier:
            kwargs["Qualifier"] = qualifier
        for key in ("Cors", "InvokeMode"):
            if config.get(key):
                kwargs[key] = copy.deepcopy(config[key])

        def run(kwargs: dict[str, Any] = kwargs) -> None:
            client.create_function_url_config(**kwargs)

        plan.add(
            "create-function-url",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "a new URL: function URLs cannot be chosen, so callers need the new one",
            run=run,
        )


def _plan_mappings(
    plan: RestorePlan, client: LambdaClient, state: FunctionState, base: dict[str, Any], progress: _Progress
) -> None:
    if not state.event_source_mappings:
        return
    # AWS keeps a function's event source mappings when the function is deleted: most are still there.
    present = {
        (str(m.get("EventSourceArn")), str(m.get("FunctionArn")))
        for m in list_event_source_mappings(client)
        if str(m.get("FunctionArn", "")).startswith(state.arn)
    }
    for mapping in state.event_source_mappings:
        source = str(mapping.get("EventSourceArn") or "")
        fn_arn = str(mapping.get("FunctionArn") or state.arn)
        params = {**base, "event_source": source or "(self-managed)", "uuid": mapping.get("UUID")}
        if (source, fn_arn) in present:
            plan.add("create-event-source-mapping", state.arn, params, ChangeStatus.UNCHANGED, "still exists")
            continue

        def run(mapping: Mapping[str, Any] = mapping) -> None:
            qualifier = _target(qualifier_of(str(mapping.get("FunctionArn") or "")), progress)
            name = f"{state.name}:{qualifier}" if qualifier else state.name
            client.create_event_source_mapping(**_mapping_params(mapping, name))

        plan.add(
            "create-event-source-mapping",
            state.arn,
            params,
            ChangeStatus.PLANNED,
            "archived trigger",
            run=run,
        )


def apply_restore(plan: RestorePlan, account_id: str, region: str) -> None:
    """Run the planned steps in order; after a failure the rest are not attempted (a rerun resumes)."""
    from botocore.exceptions import BotoCoreError, ClientError, WaiterError

    from lambdaops.collect.guard import error_record

    failed = False
    for i, step in enumerate(plan.steps):
        if step.change.status is not ChangeStatus.PLANNED or step.run is None:
            continue
        if failed:
            plan.steps[i] = replace(
                step,
                change=replace(
                    step.change, status=ChangeStatus.FAILED, reason="not attempted: an earlier step failed"
                ),
            )
            continue
        try:
            step.run()
        except (ClientError, BotoCoreError) as exc:
            if isinstance(exc, WaiterError):
                reason = f"did not become active: {exc}"
            else:
                rec = error_record(exc, account_id, region, f"lambda:{step.change.action}")
                reason = f"{rec.code}: {rec.message}"
            plan.steps[i] = replace(
                step, change=replace(step.change, status=ChangeStatus.FAILED, reason=reason)
            )
            failed = True
            continue
        plan.steps[i] = replace(step, change=replace(step.change, status=ChangeStatus.APPLIED))
    plan.sync()
