"""A moto shim: PublishVersion honours `CodeSha256`, as AWS does.

AWS (Lambda API reference, PublishVersion, read 2026-12-06: "CodeSha256 - Only publish a version if
the hash value matches the value that's specified. Use this option to avoid publishing a version if
the function code has changed since you last updated it.") answers `PreconditionFailedException`
(HTTP 412) when the hash differs from `$LATEST`'s. moto 5.2.5 ignores the parameter and publishes
whatever `$LATEST` holds, so a restore that guards each republished version with the archived hash
would never see the refusal in the emulation. moto already returns the last version unchanged when
nothing changed since it was published (AWS's documented behaviour), so that part is left alone.
"""

from __future__ import annotations

import json
import threading
from typing import Any
from urllib.parse import unquote

_lock = threading.Lock()
_installed = threading.Event()


def install() -> None:
    with _lock:
        if _installed.is_set():
            return
        from moto.awslambda.responses import LambdaResponse

        original = LambdaResponse.publish_version

        def publish_version(self: Any) -> Any:
            from moto.awslambda.exceptions import PreconditionFailedException

            body = json.loads(self.body or "{}") if isinstance(self.body, str | bytes) else {}
            expected = body.get("CodeSha256")
            if expected:
                name = unquote(self.path.split("/")[-2])
                fn = self.backend.get_function(name, None)
                if str(fn.code_sha_256) != str(expected):
                    raise PreconditionFailedException(
                        f"CodeSha256 ({expected}) is different from current CodeSha256 in $LATEST "
                        f"({fn.code_sha_256}). Please try again with the CodeSha256 in $LATEST."
                    )
            return original(self)

        LambdaResponse.publish_version = publish_version
        _installed.set()
