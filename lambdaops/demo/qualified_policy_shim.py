"""Make moto keep one resource policy per version and alias, as AWS does.

AWS keeps a separate resource-based policy for the function (unqualified / `$LATEST`), for each
published version and for each alias: `AddPermission(Qualifier=N)` adds a statement to version N's
policy only, and `GetPolicy(Qualifier=N)` returns only that policy (AWS Lambda API reference,
AddPermission and GetPolicy, "Qualifier"). moto 5.2.x stores every statement in one list shared by
all qualifiers, so a trigger pinned to version 3 would show on every version and on the function.

This shim filters at read time: a statement belongs to the qualifier its `Resource` ARN ends with
(moto writes `function:name:N` for a qualified permission and the bare function ARN otherwise).
"""

from __future__ import annotations

import json
import threading
from typing import Any

_lock = threading.Lock()
_done = threading.Event()


def _qualifier_of(resource: str) -> str | None:
    parts = resource.split(":")
    return parts[7] if len(parts) > 7 and parts[7] not in ("", "$LATEST") else None


def install() -> None:
    with _lock:
        if _done.is_set():
            return
        from moto.awslambda.exceptions import GenericResourcNotFound
        from moto.awslambda.models import LambdaBackend

        original = LambdaBackend.get_policy

        def get_policy(self: Any, function_name: str, qualifier: str | None = None) -> str:
            wire = json.loads(original(self, function_name, qualifier))
            wanted = None if qualifier in (None, "", "$LATEST") else qualifier
            policy = json.loads(wire["Policy"])
            statements = [
                st
                for st in policy.get("Statement", [])
                if _qualifier_of(str(st.get("Resource", ""))) == wanted
            ]
            if not statements:
                raise GenericResourcNotFound()
            policy["Statement"] = statements
            wire["Policy"] = json.dumps(policy)
            return json.dumps(wire)

        LambdaBackend.get_policy = get_policy
        _done.set()
