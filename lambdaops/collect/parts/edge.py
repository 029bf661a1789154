"""The `edge` inventory part: Lambda@Edge associations and the replicas' Invocations (collect/edge.py).

An account part: it runs once per account after the region parts, because it reads the account's
us-east-1 functions and their `invocations` (only edge functions idle at home have their replicas'
metrics read), and its reads are global (CloudFront) or span every enabled region (the replicas).
"""

from __future__ import annotations

from lambdaops.collect.edge import record_account_edge
from lambdaops.collect.gather import AccountJob, account_collector
from lambdaops.parts import Part


@account_collector(Part.EDGE, needs=(Part.FUNCTIONS, Part.INVOCATIONS))
def collect_edge(job: AccountJob) -> None:
    record_account_edge(job.client, job.account.account_id, job.inv, job.now, job.inv.window_days)
