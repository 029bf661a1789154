"""Two moto 5.2.5 behaviours that multi-account runs and the benchmarks need to be AWS-like.

* Lambda ``ListFunctions`` pages: moto ignores ``MaxItems`` and ``Marker`` and answers every function
  in one page. AWS answers at most 50 a page (``MaxItems`` 1 to 50, default 50) with ``NextMarker``;
  the shim does the same, so call counts measured against moto are the ones AWS would see, and
  building only the page's configurations keeps a 10,000-function emulation responsive. With
  ``FunctionVersion=ALL`` moto's listing (``LambdaStorage.all``) deep-copies every function's
  $LATEST on every call to give the copy a ``:$LATEST`` ARN, and moto's ``BaseModel`` keeps every
  instance it creates (``instances_tracked``), so each page cost a copy of the whole region and
  kept it for good (a 10,000-function benchmark's server grew to 6 GB); the shim reads the functions
  in place and writes the ``:$LATEST`` ARN into the page's configurations instead.
* STS ``AssumeRole`` into a role that does not exist: moto hands out credentials for any role ARN
  ("the role does not need to exist"). AWS refuses with ``AccessDenied``, which is how an
  organization member without the scanning role shows up. The shim refuses an ARN whose role is not
  in the target account's IAM (moto's Organizations ``CreateAccount`` creates the
  ``OrganizationAccountAccessRole``, or the ``RoleName`` given, as AWS does). Trust policies are not
  evaluated, and the answer's HTTP status is moto's 400 for errors the STS model does not declare
  (AWS: 403); botocore reads the code either way.

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
        from moto.awslambda.responses import LambdaResponse
        from moto.sts.models import STSBackend

        LambdaResponse.list_functions = _list_functions
        original = STSBackend.assume_role

        def assume_role(self: Any, **kwargs: Any) -> Any:
            _require_role(str(kwargs.get("role_arn") or ""))
            return original(self, **kwargs)

        STSBackend.assume_role = assume_role
        _done.set()


def _list_functions(self: Any) -> str:
    import json

    from lambdaops.demo.moto_shims import _encode_offset, _page_bounds, _query_param

    offset, max_items = _page_bounds(self)
    version = _query_param(self, "FunctionVersion")
    functions = (
        _all_versions(self.backend) if version == "ALL" else list(self.backend.list_functions(version))
    )
    body: dict[str, Any] = {
        "Functions": [_configuration(fn) for fn in functions[offset : offset + max_items]]
    }
    if offset + max_items < len(functions):
        body["NextMarker"] = _encode_offset(offset + max_items, "lambda")
    return json.dumps(body)


_LATEST = object()  # marks a $LATEST entry of _all_versions


def _all_versions(backend: Any) -> list[Any]:
    """moto's ``list_functions("ALL")`` order ($LATEST, then its published versions, per function)
    without its deep copies (module doc): $LATEST entries are (_LATEST, function) pairs."""
    out: list[Any] = []
    for group in list(backend._lambdas._functions.values()):
        if group["latest"] is not None:
            out.append((_LATEST, group["latest"]))
        out.extend(group["versions"])
    return out


def _configuration(entry: Any) -> dict[str, Any]:
    if isinstance(entry, tuple) and entry[0] is _LATEST:
        config: dict[str, Any] = entry[1].get_configuration()
        config["FunctionArn"] = f"{entry[1].function_arn}:$LATEST"  # what moto's copy would say
        return config
    return dict(entry.get_configuration())


def _require_role(arn: str) -> None:
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends
    from moto.sts.exceptions import STSClientError

    # arn:<partition>:iam::<account>:role/<path/>name
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith("role/"):
        return  # moto's own validation answers malformed ARNs
    account_id, name = parts[4], parts[5].rsplit("/", 1)[-1]
    try:
        iam_backends[account_id]["global"].get_role(name)
    except NotFoundException:
        raise STSClientError(
            "AccessDenied",
            f"User is not authorized to perform: sts:AssumeRole on resource: {arn} (no such role)",
        ) from None
