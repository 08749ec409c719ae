"""Typed access to the canonical result (auditor/schemas/result.schema.json, spec/output.md).

The keys and value types of what :func:`auditor.evaluate.evaluate` builds; a test keeps each
TypedDict's keys equal to its schema object's properties. Nested detail that only one reporter
reads (access rules, inbound and outbound detail, subnets, evidence) stays ``dict[str, Any]``.
"""

# No ``from __future__ import annotations``: TypedDict reads NotRequired from evaluated annotations.
from typing import Any, Literal, NotRequired, TypedDict

HostingName = Literal[
    "consumption", "flex_consumption", "premium", "dedicated", "ase", "container_apps", "unknown"
]
ExposureName = Literal["public", "restricted", "private", "internal", "unknown"]
OutboundName = Literal["controlled", "uncontrolled", "unknown"]
SeverityName = Literal["high", "medium", "low", "info"]
StatusName = Literal["fail", "unknown", "pass", "not_applicable"]
CategoryName = Literal["risk", "drift"]


class Tool(TypedDict):
    name: str
    version: str


class SubscriptionScan(TypedDict):
    id: str
    status: str  # ok or error
    error: str | None


class Inbound(TypedDict):
    main: ExposureName
    scm: ExposureName


class Resource(TypedDict):
    id: str
    name: str
    slot: str | None
    subscription_id: str
    resource_group: str
    location: str | None
    kind: str | None
    os: str | None
    is_container: bool
    hosting: HostingName
    plan: dict[str, Any] | None
    ase: dict[str, Any] | None
    public_network_access: str | None
    https_only: bool | None
    inbound: Inbound
    inbound_detail: dict[str, dict[str, Any]]
    access_rules: dict[str, Any] | None
    outbound: OutboundName
    outbound_detail: dict[str, Any]
    vnet_integration: dict[str, Any]
    private_endpoints: list[dict[str, Any]] | None
    hybrid_connections: list[dict[str, Any]] | None
    functions: list[dict[str, Any]] | None
    subnet: dict[str, Any] | None
    missing: dict[str, str]
    not_read: dict[str, str]


class WaiverMark(TypedDict):
    reason: str
    owner: str
    expires: str


class Finding(TypedDict):
    rule_id: str
    category: CategoryName
    severity: SeverityName
    status: StatusName
    resource_id: str
    resource_name: str
    title: str
    message: str
    evidence: dict[str, Any]
    reference: dict[str, Any]
    remediation: str
    fingerprint: str
    matrix_cell: NotRequired[dict[str, Any]]
    fix: NotRequired[dict[str, Any]]
    waived: NotRequired[WaiverMark]
    waiver_expired: NotRequired[WaiverMark]


class Gap(TypedDict):
    subscription_id: str
    resource_id: str | None
    operation: str
    status: int | None
    reason: str
    affects: list[str]
    rules_unknown: list[str]


class Summary(TypedDict):
    resources: int
    failing: int
    unknown: int
    waived: int
    by_severity: dict[str, int]
    by_hosting: dict[str, int]
    by_status: dict[str, int]
    by_category: dict[str, int]
    arm_calls: int


class PolicySection(TypedDict):
    path: str
    requirements: list[str]


class WaiverEntry(TypedDict):
    rule_id: str
    resource: str
    reason: str
    owner: str
    expires: str
    status: Literal["active", "expired", "stale"]
    matches: int
    line: int


class Result(TypedDict):
    schema_version: int
    tool: Tool
    edition: str
    started_at: str
    finished_at: str
    subscriptions: list[SubscriptionScan]
    resources: list[Resource]
    findings: list[Finding]
    gaps: list[Gap]
    summary: Summary
    cloud: NotRequired[str]
    policy: NotRequired[PolicySection]
    waivers: NotRequired[list[WaiverEntry]]
