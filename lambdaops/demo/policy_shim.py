"""Make moto's Lambda resource policies look like AWS's.

moto 5.2.5 stores `AddPermission`'s `FunctionUrlAuthType` as a top-level statement element, where AWS
writes it as a condition (`"Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}`).
A statement element IAM does not know is (rightly) unparseable for lambdaops' policy engine, so the
demo's function-URL permission would read as a broken policy instead of the public URL it is.

The same for the other AddPermission spellings AWS rewrites (read against "Control access to Lambda
function URLs" and the AddPermission API reference, 2026-12-06), and for what moto does not model:

* `InvokedViaFunctionUrl=true` (the statement new public URLs need since October 2025) becomes
  `"Condition": {"Bool": {"lambda:InvokedViaFunctionUrl": "true"}}` (moto: a top-level element).
* A bare account id as Principal becomes `{"AWS": "arn:aws:iam::<id>:root"}`, as AWS stores it.
* `Qualifier`: on AWS every alias and published version has a resource policy of its own, and
  `GetPolicy --qualifier live` returns only the alias's statements. moto keeps one policy per function
  and answers every qualifier with it; the shim keeps a policy per (function, qualifier) on the backend.
* Function URLs on an alias (`CreateFunctionUrlConfig --qualifier live`): moto refuses a qualifier and
  keeps one URL per function; the shim keeps the alias's URL config and `ListFunctionUrlConfigs` lists
  it (FunctionArn qualified, as AWS answers).
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
        from moto.awslambda.policy import Policy

        original = Policy.decode_policy

        def decode_policy(self: Any, obj: dict[str, Any]) -> Any:
            auth_type = obj.pop("FunctionUrlAuthType", None)
            via_url = obj.pop("InvokedViaFunctionUrl", None)
            principal = obj.get("Principal")
            if isinstance(principal, str) and len(principal) == 12 and principal.isdigit():
                obj["Principal"] = {"AWS": f"arn:aws:iam::{principal}:root"}
            policy = original(self, obj)
            # After moto's own merge (which replaces a whole operator block for SourceAccount).
            stmt = policy.statements[0]
            if auth_type is not None:
                condition = stmt.setdefault("Condition", {})
                condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth_type
            if via_url is not None:
                condition = stmt.setdefault("Condition", {})
                condition.setdefault("Bool", {})["lambda:InvokedViaFunctionUrl"] = str(via_url).lower()
            return policy

        Policy.decode_policy = decode_policy
        _install_qualified()
        _done.set()


def _qualified_store(backend: Any) -> dict[tuple[str, str], Any]:
    store: dict[tuple[str, str], Any] | None = getattr(backend, "_lambdaops_qualified_policies", None)
    if store is None:
        store = {}
        backend._lambdaops_qualified_policies = store
    return store


def _url_store(backend: Any) -> dict[tuple[str, str], dict[str, Any]]:
    store: dict[tuple[str, str], dict[str, Any]] | None = getattr(backend, "_lambdaops_qualified_urls", None)
    if store is None:
        store = {}
        backend._lambdaops_qualified_urls = store
    return store


def _install_qualified() -> None:
    import json
    from urllib.parse import unquote

    from moto.awslambda.models import LambdaBackend
    from moto.awslambda.policy import Policy
    from moto.awslambda.responses import LambdaResponse
    from moto.moto_api._internal import mock_random

    add_permission = LambdaBackend.add_permission
    get_policy = LambdaBackend.get_policy

    def qualified_add_permission(self: Any, function_name: str, qualifier: str | None, raw: str) -> Any:
        if not qualifier or qualifier == "$LATEST":
            return add_permission(self, function_name, qualifier, raw)
        fn = self.get_function(function_name, qualifier)  # ResourceNotFound for an unknown qualifier
        key = (fn.function_name, qualifier)
        store = _qualified_store(self)
        if key not in store:
            store[key] = Policy(fn)
            store[key].parent = self._lambdas.get_function_by_name_or_arn_with_qualifier(fn.function_name)
        statement, _ = store[key].add_statement(raw, qualifier)
        return statement

    def qualified_get_policy(self: Any, function_name: str, qualifier: str | None = None) -> str:
        if not qualifier or qualifier == "$LATEST":
            return str(get_policy(self, function_name, qualifier))
        fn = self._lambdas.get_function_by_name_or_arn_with_qualifier(function_name, qualifier)
        policy = _qualified_store(self).get((fn.function_name, qualifier))
        if policy is None:
            from moto.awslambda.exceptions import GenericResourcNotFound

            raise GenericResourcNotFound()
        return str(policy.wire_format())

    LambdaBackend.add_permission = qualified_add_permission
    LambdaBackend.get_policy = qualified_get_policy

    create_url = LambdaResponse.create_function_url_config
    list_urls = LambdaResponse.list_function_url_configs

    def create_function_url_config(self: Any) -> Any:
        qualifier = self.querystring.get("Qualifier", [None])[0]
        if not qualifier or qualifier == "$LATEST":
            return create_url(self)
        name = unquote(self.path.split("/")[-2])
        fn = self.backend._lambdas.get_function_by_name_or_arn_with_qualifier(name, qualifier)
        base = self.backend._lambdas.get_function_by_name_or_arn_with_qualifier(fn.function_name)
        body = self.json_body
        config = {
            "FunctionUrl": f"https://{mock_random.uuid4().hex}.lambda-url.{self.region}.on.aws/",
            "FunctionArn": f"{base.function_arn}:{qualifier}",
            "AuthType": body.get("AuthType"),
            "Cors": body.get("Cors"),
            "CreationTime": "2026-01-01T00:00:00.000+0000",
            "LastModifiedTime": "2026-01-01T00:00:00.000+0000",
            "InvokeMode": body.get("InvokeMode") or "BUFFERED",
        }
        _url_store(self.backend)[(fn.function_name, qualifier)] = config
        return 201, {"status": 201, "content-type": "application/json"}, json.dumps(config)

    def list_function_url_configs(self: Any) -> Any:
        status, headers, text = list_urls(self)
        name = unquote(self.path.split("/")[-2])
        base = self.backend._lambdas.get_function_by_name_or_arn_with_qualifier(name)
        extra = [
            c for (fname, _), c in sorted(_url_store(self.backend).items()) if fname == base.function_name
        ]
        if extra and status == 200:
            body = json.loads(text)
            if not body.get("NextMarker"):  # the alias URLs come after the function's own, on the last page
                body["FunctionUrlConfigs"] = list(body.get("FunctionUrlConfigs", [])) + extra
            text = json.dumps(body)
        return status, headers, text

    LambdaResponse.create_function_url_config = create_function_url_config
    LambdaResponse.list_function_url_configs = list_function_url_configs
