"""Which functions anyone can invoke, read from their resource policies and function URLs.

A pure fact over the inventory, below collect in the layers: the concurrency collector uses it to
decide which reservations it must read (a "public and unlimited" finding never rests on an
inference), and the audit-iam and audit-concurrency checks select from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaops.inventory import FunctionInfo, Inventory, UrlConfig
from lambdaops.policy.invoke_access import AccessAnalysis, Reach, analyze_access

RESOURCE_POLICY = "resource-policy"
FUNCTION_URL = "function-url"


def policies_of(inv: Inventory, f: FunctionInfo) -> list[tuple[str | None, Any]]:
    """(qualifier, document) of every resource policy read for the function: the function's own, then
    each alias's and published version's (qualified policies are separate documents on AWS)."""
    out: list[tuple[str | None, Any]] = []
    if f.arn in inv.resource_policies:
        out.append((None, inv.resource_policies[f.arn]))
    qualifiers = [a.name for a in inv.aliases.get(f.arn, ())] + [
        v.version for v in inv.versions.get(f.arn, ())
    ]
    for q in qualifiers:
        key = f"{f.arn}:{q}"
        if key in inv.resource_policies and inv.resource_policies[key] is not None:
            out.append((q, inv.resource_policies[key]))
    return out


def url_reachable(
    inv: Inventory, f: FunctionInfo, url: UrlConfig, url_public: dict[str | None, bool]
) -> bool | None:
    """Whether an AuthType NONE URL can be called: a URL is authorised by the policy of the qualifier
    it belongs to (an alias's URL by the alias's policy); a policy not read leaves it unknown (None).

    `url_public`: qualifier -> whether that qualifier's policy grants URL invocation to anyone."""
    reachable = url_public.get(url.qualifier)
    if (
        reachable is None
        and url.qualifier is not None
        and f"{f.arn}:{url.qualifier}" in inv.resource_policies
    ):
        reachable = False  # read: the alias has no policy
    return reachable


@dataclass(frozen=True)
class FunctionExposure:
    """What one function's resource policies and URLs say about who can call it."""

    analyses: tuple[tuple[str | None, AccessAnalysis], ...]  # (qualifier, analysis) per policy read
    url_public: dict[str | None, bool]  # qualifier -> its policy lets anyone call the URL
    public: str | None  # RESOURCE_POLICY, FUNCTION_URL, or None (not public, or not read)


def function_exposure(
    inv: Inventory, f: FunctionInfo, known: frozenset[str] = frozenset()
) -> FunctionExposure:
    """The one reading of `f`'s exposure: public_functions and the IAM facts (analysis/iam.py) both
    build on it. `known`: the accounts a grant may name without being cross-account (it changes
    only the cross-account reach, never whether a grant is public)."""
    analyses: list[tuple[str | None, AccessAnalysis]] = []
    url_public: dict[str | None, bool] = {}
    public: str | None = None
    for qualifier, doc in policies_of(inv, f):
        if doc is None:
            url_public[qualifier] = False
            continue
        analysis = analyze_access(doc, f.account_id, known)
        analyses.append((qualifier, analysis))
        # unreadable statements may grant anything
        url_public[qualifier] = analysis.url_public or bool(analysis.errors)
        if public is None and any(g.reach is Reach.PUBLIC and not g.denied_by for g in analysis.grants):
            public = RESOURCE_POLICY
    if public is None:
        for url in inv.function_urls.get(f.arn, ()):
            if url.auth_type.upper() == "NONE" and url_reachable(inv, f, url, url_public) is not False:
                public = FUNCTION_URL
                break
    return FunctionExposure(tuple(analyses), url_public, public)


def public_functions(inv: Inventory) -> dict[str, str]:
    """Function ARN -> why anyone can invoke it: "resource-policy" or "function-url".

    Only functions whose resource policy / URL configuration was read appear; a function whose
    exposure could not be read is absent (unknown), never reported as private by omission. A grant
    to everyone does not depend on which accounts count as ours, so no settings are needed.
    """
    out: dict[str, str] = {}
    for f in inv.all_functions():
        public = function_exposure(inv, f).public
        if public is not None:
            out[f.arn] = public
    return out
