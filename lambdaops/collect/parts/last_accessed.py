"""The `last_accessed` part: IAM's last-accessed report for every execution role in scope."""

from __future__ import annotations

from lambdaops.collect.context import GLOBAL_REGION
from lambdaops.collect.gather import AccountJob, account_collector
from lambdaops.collect.last_accessed import collect_last_accessed
from lambdaops.parts import Part
from lambdaops.policy.least_privilege import role_selected


# Needs IAM so that the analysis has the roles' policies next to their use; the reports are read for
# the roles the functions in scope use (in every region of the account), one job per role.
@account_collector(Part.LAST_ACCESSED, needs={Part.FUNCTIONS, Part.IAM})
def _last_accessed(job: AccountJob) -> None:
    account_id = job.account.account_id
    roles = {
        fn.role_arn
        for (acct, _), fns in job.inv.functions.items()
        if acct == account_id
        for fn in fns
        if fn.role_arn and role_selected(fn.role_arn, job.settings.role_filter)
    }
    if not roles:
        return
    client = job.client("iam", GLOBAL_REGION)
    job.inv.last_accessed.update(collect_last_accessed(client, account_id, roles, job.inv.errors))
