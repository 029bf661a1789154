"""Two moto 5.2.5 differences from AWS that the per-function read cache and reservations depend on.

* ``RevisionId``: AWS's ``ListFunctions`` returns each function's (and, with FunctionVersion=ALL,
  each published version's) ``RevisionId``; moto 5.2.5 omits it from function configurations. The
  shim gives every function and version a revision of its own, reported everywhere
  (ListFunctions, GetFunction, GetFunctionConfiguration), moved by every configuration or code
  update, and by PublishVersion (which also gives the new version its own), as AWS does. It is NOT
  moved by AddPermission/RemovePermission: since November 2025 AWS keeps the resource policy's
  revision apart from the function's (``lambdaops.collect.revision_cache`` has the evidence), so the
  emulation must not hide a cache that trusted the function's revision to cover its policy. The
  policy keeps moto's own revision (GetPolicy's ``RevisionId``), which RemovePermission moves too.
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
_REVISION = "_lambdaops_revision_id"  # the function's (or version's) RevisionId, kept by the shim


def install() -> None:
    with _lock:
        if _done.is_set():
            return
        from moto.awslambda.models import LambdaFunction, LambdaStorage
        from moto.moto_api._internal import mock_random

        get_configuration = LambdaFunction.get_configuration
        get_code = LambdaFunction.get_code
        update_configuration = LambdaFunction.update_configuration
        update_function_code = LambdaFunction.update_function_code
        publish_version = LambdaStorage.publish_version

        def revision_of(fn: Any) -> str:
            found = fn.__dict__.get(_REVISION)
            if found is None:
                found = fn.__dict__[_REVISION] = str(mock_random.uuid4())
            return str(found)

        def configuration(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
            config = dict(get_configuration(self, *args, **kwargs))
            config["RevisionId"] = revision_of(self)
            return config

        def code(self: Any) -> dict[str, Any]:
            resp = dict(get_code(self))
            if self.reserved_concurrency is not None:
                resp["Concurrency"] = {"ReservedConcurrentExecutions": int(self.reserved_concurrency)}
            return resp

        def new_revision(method: Any) -> Any:
            def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
                result = method(self, *args, **kwargs)
                self.__dict__[_REVISION] = str(mock_random.uuid4())
                return result

            return wrapper

        def publish(self: Any, name_or_arn: str, *args: Any, **kwargs: Any) -> Any:
            name = self.get_function_by_name_or_arn_forbid_qualifier(name_or_arn).function_name
            published = len(self._functions[name]["versions"]) if name in self._functions else 0
            version = publish_version(self, name_or_arn, *args, **kwargs)
            if version is not None and len(self._functions[name]["versions"]) > published:
                # A new version: a revision of its own, and $LATEST's moves (moto copies the object).
                version.__dict__[_REVISION] = str(mock_random.uuid4())
                latest = self._functions[version.function_name]["latest"]
                latest.__dict__[_REVISION] = str(mock_random.uuid4())
            return version

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
        LambdaStorage.publish_version = publish
        _done.set()
