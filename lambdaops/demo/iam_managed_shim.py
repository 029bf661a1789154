"""Speed only: moto's IAM loads AWS's managed policies once per partition, not once per backend.

moto 5.2 builds an IAM backend for every partition of an account (``aws``, ``aws-cn``, ``aws-us-gov``,
``aws-iso``, ``aws-iso-b``, ``aws-eusc``) as soon as the account is touched, and with
``MOTO_IAM_LOAD_MANAGED_POLICIES`` each one parses moto's 1 MB policy file and builds ~1,300 policy
objects: 0.15 s each, six times per account, again on every reset. The demo account and the tests
live in the commercial partition only, so the other partitions' backends get no AWS managed policies,
and the file is parsed once per process. Nothing the emulation answers in the ``aws`` partition
changes. Installed by :func:`lambdaops.demo.moto_shims.install`.
"""

from __future__ import annotations

import json
import threading
from typing import Any

COMMERCIAL = "aws"

_lock = threading.Lock()
_parsed: dict[str, Any] | None = None


def _policy_data() -> dict[str, Any]:
    global _parsed  # noqa: PLW0603 - parsed once per process, read by every backend
    with _lock:
        if _parsed is None:
            from moto.iam.aws_managed_policies import aws_managed_policies_data

            _parsed = json.loads(aws_managed_policies_data)
        return _parsed


def install() -> None:
    from moto.iam import models
    from moto.iam.models import AWSManagedPolicy, IAMBackend

    def init_aws_policies(self: Any) -> list[Any]:
        if not models.load_iam_aws_managed_policies() or self.region_name != COMMERCIAL:
            return []
        return [
            AWSManagedPolicy.from_data(name, self.account_id, self.region_name, data)
            for name, data in _policy_data().items()
        ]

    IAMBackend._init_aws_policies = init_aws_policies
