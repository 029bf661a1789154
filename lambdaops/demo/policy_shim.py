"""Make moto's Lambda resource policies look like AWS's.

moto 5.2.5 stores `AddPermission`'s `FunctionUrlAuthType` as a top-level statement element, where AWS
writes it as a condition (`"Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}`).
A statement element IAM does not know is (rightly) unparseable for lambdaops' policy engine, so the
demo's function-URL permission would read as a broken policy instead of the public URL it is.
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
            if auth_type is not None:
                condition = obj.setdefault("Condition", {})
                condition.setdefault("StringEquals", {})["lambda:FunctionUrlAuthType"] = auth_type
            return original(self, obj)

        Policy.decode_policy = decode_policy
        _done.set()
