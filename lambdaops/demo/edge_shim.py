"""moto drops a cache behaviour's LambdaFunctionAssociations; CloudFront returns them.

AWS's ListDistributions answers each behaviour's associations (CloudFront API Reference,
DistributionSummary / DefaultCacheBehavior.LambdaFunctionAssociations); moto 5 always answers
`{"Quantity": 0}`. Keeping what the distribution was created with makes the demo's @edge function
visible as AWS would show it.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from moto.cloudfront import models

    cls: Any = models.DefaultCacheBehaviour  # CacheBehaviour inherits its __init__
    if getattr(cls, "_lambdaops_edge_shim", False):
        return
    original = cls.__init__

    def init(self: Any, config: dict[str, Any]) -> None:
        original(self, config)
        associations = config.get("LambdaFunctionAssociations")
        if associations and int(associations.get("Quantity", 0)):
            self.lambda_function_associations = associations

    cls.__init__ = init
    cls._lambdaops_edge_shim = True
