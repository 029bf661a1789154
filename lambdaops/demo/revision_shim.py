"""Two moto 5.2.5 differences from AWS that the per-function read cache and reservations depend on.

* ``RevisionId``: AWS's ``ListFunctions`` returns each function's ``RevisionId``, and the resource
  policy shares the function's revision (AddPermission/RemovePermission move it: see
  ``lambdaops.collect.revision_cache``). moto 5.2.5 omits ``RevisionId`` from function
  configurations and keeps a separate revision for the policy. The shim reports the policy's
  revision as the function's everywhere (ListFunctions, GetFunction, GetFunctionConfiguration) and
  moves it on every configuration or code update too, as AWS does.
* ``GetFunction`` hides a reserved concurrency of 0 (``if self.reserved_concurrency:``); AWS
  returns ``Concurrency: {ReservedConcurrentExecutions: 0}`` for a function switched off. The shim
  returns it.

Installed by :func:`lambdaops.demo.moto_shims.install`.
"""

from __future__ import annotations

import threading
from typing import Any

_lock = threading.Lock()
_done = threading.Event()


def install() -> None:
    with _lock:
        if _done.is_set():
            return
        from moto.awslambda.models import LambdaFunction
        from moto.moto_api._internal import mock_random

        get_configuration = LambdaFunction.get_configuration
        get_code = LambdaFunction.get_code
        update_configuration = LambdaFunction.update_configuration
        update_function_code = LambdaFunction.update_function_code

        def configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
            config = dict(get_configuration(self, *args, **kwargs))
            config["RevisionId"] = self.policy.revision
            return config

        def code(self: Any) -> dict[str, Any]:
            resp = dict(get_code(self))
            if self.reserved_concurrency is not None:
                resp["Concurrency"] = {"ReservedConcurrentExecutions": int(self.reserved_concurrency)}
            return resp

        def new_revision(method: Any) -> Any:
            def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                result = method(self, *args, **kwargs)
                self.policy.revision = str(mock_random.uuid4())
                return result

            return wrapper

        from moto.awslambda.policy import Policy

        del_statement = Policy.del_statement

        def remove(self: Any, sid: str, revision: str = "") -> None:
            del_statement(self, sid, revision)
            self.revision = str(mock_random.uuid4())

        Policy.del_statement = remove
        LambdaFunction.get_configuration = configuration
        LambdaFunction.get_code = code
        LambdaFunction.update_configuration = new_revision(update_configuration)
        LambdaFunction.update_function_code = new_revision(update_function_code)
        _done.set()
