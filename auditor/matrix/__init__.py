"""The capability matrix: what each edition of the docs says a hosting model supports.

Each edition is one JSON file in ``editions/``; every cell carries its value,
a short note and the public page (title, section, URL) it comes from, with the research
ids behind it (``basis``: shared/reference/capabilities.md sources) as secondary detail.
Rules read it only through :func:`supports`, so a new edition is a new file, not new code.
"""

from __future__ import annotations

import enum
import functools
import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from auditor import docs
from auditor.model import Hosting

DEFAULT_EDITION = "2026-09"


class MatrixError(ValueError):
    """An edition file is missing or malformed."""


class Feature(enum.StrEnum):
    INBOUND_ACCESS_RESTRICTIONS = "inbound_access_restrictions"
    PRIVATE_ENDPOINTS = "private_endpoints"
    SERVICE_ENDPOINT_RULES = "service_endpoint_rules"
    REGIONAL_VNET_INTEGRATION = "regional_vnet_integration"
    GATEWAY_VNET_INTEGRATION = "gateway_vnet_integration"
    VNET_TRIGGERS = "vnet_triggers"
    HYBRID_CONNECTIONS = "hybrid_connections"
    OUTBOUND_CONTROL = "outbound_control"


FEATURE_LABELS: dict[Feature, str] = {
    Feature.INBOUND_ACCESS_RESTRICTIONS: "Inbound access restrictions",
    Feature.PRIVATE_ENDPOINTS: "Private endpoints (inbound)",
    Feature.SERVICE_ENDPOINT_RULES: "Service-endpoint access rules",
    Feature.REGIONAL_VNET_INTEGRATION: "Regional VNet integration",
    Feature.GATEWAY_VNET_INTEGRATION: "Gateway-required VNet integration",
    Feature.VNET_TRIGGERS: "VNet triggers (non-HTTP)",
    Feature.HYBRID_CONNECTIONS: "Hybrid Connections",
    Feature.OUTBOUND_CONTROL: "Outbound control (NSG/UDR)",
}


class Support(enum.StrEnum):
    YES = "yes"
    NO = "no"
    # The edition does not say (hosting model absent, feature not listed):
    # drift judged against it must be unknown, never a guess.
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Cell:
    """One feature x hosting cell of an edition, with its qualifiers."""

    edition: str
    feature: Feature
    hosting: Hosting
    value: Support
    note: str
    doc: str  # public page title(s) and date(s)
    section: str
    url: str  # https://learn.microsoft.com/… of the first page
    basis: str  # the capabilities.md sources the cell was read from (S8 …), secondary detail
    supported_os: tuple[str, ...] = ()  # empty: any OS
    windows_containers: bool = True
    unsupported_tiers: tuple[str, ...] = ()  # plan sku.tier values excluded although the cell says yes
    requires_setting: str | None = None  # a siteConfig flag the feature needs to work as documented
    conflict: str | None = None  # capabilities.md section 6 id (C1 …) when the docs disagree

    @property
    def source(self) -> str:
        return f"{self.doc}, {self.section}" if self.section else self.doc

    def qualifiers(self) -> list[str]:
        """Human-readable conditions attached to a "yes"."""
        parts: list[str] = []
        if self.supported_os:
            parts.append(" or ".join(os_name.capitalize() for os_name in self.supported_os) + " only")
        if not self.windows_containers:
            parts.append("not Windows containers")
        if self.unsupported_tiers:
            parts.append("not " + ", ".join(self.unsupported_tiers))
        if self.requires_setting:
            parts.append(f"needs {self.requires_setting}")
        if self.conflict:
            parts.append("docs disagree")
        return parts

    def display(self) -> str:
        qualifiers = self.qualifiers()
        return f"{self.value.value} ({'; '.join(qualifiers)})" if qualifiers else self.value.value

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "feature": self.feature.value,
            "hosting": self.hosting.value,
            "value": self.value.value,
            "note": self.note,
            "doc": self.doc,
            "section": self.section,
            "url": self.url,
            "source": self.source,
            "basis": self.basis,
            "supported_os": list(self.supported_os),
            "windows_containers": self.windows_containers,
            "unsupported_tiers": list(self.unsupported_tiers),
            "requires_setting": self.requires_setting,
            "conflict": self.conflict,
        }


@dataclass(frozen=True)
class Edition:
    name: str
    title: str
    sources: dict[str, str]
    hosting_models: tuple[Hosting, ...]
    cells: dict[tuple[Feature, Hosting], Cell]


def available_editions() -> tuple[str, ...]:
    folder = resources.files("auditor.matrix").joinpath("editions")
    return tuple(
        sorted(entry.name.removesuffix(".json") for entry in folder.iterdir() if entry.name.endswith(".json"))
    )


def _text(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        raise MatrixError(f"{where}: '{key}' must be a non-empty string")
    return value


def _parse_cell(edition: str, feature: Feature, hosting: Hosting, raw: Any) -> Cell:
    where = f"edition {edition}, {feature.value} x {hosting.value}"
    if not isinstance(raw, dict):
        raise MatrixError(f"{where}: cell must be an object")
    try:
        value = Support(str(raw.get("value")))
    except ValueError as error:
        raise MatrixError(f"{where}: value must be one of {[s.value for s in Support]}") from error
    supported_os = tuple(str(name).lower() for name in raw.get("os", ()))
    if any(name not in ("windows", "linux") for name in supported_os):
        raise MatrixError(f"{where}: os must list 'windows' and/or 'linux'")
    requires_setting = raw.get("requires_setting")
    conflict = raw.get("conflict")
    url = docs.learn_url(raw.get("url"))
    if url is None:
        raise MatrixError(f"{where}: 'url' must be a https://learn.microsoft.com/ address")
    return Cell(
        edition=edition,
        feature=feature,
        hosting=hosting,
        value=value,
        note=_text(raw, "note", where),
        doc=_text(raw, "doc", where),
        section=_text(raw, "section", where),
        url=url,
        basis=_text(raw, "basis", where),
        supported_os=supported_os,
        windows_containers=bool(raw.get("windows_containers", True)),
        unsupported_tiers=tuple(str(tier) for tier in raw.get("unsupported_tiers", ())),
        requires_setting=str(requires_setting) if requires_setting else None,
        conflict=str(conflict) if conflict else None,
    )


@functools.cache
def load_edition(edition: str) -> Edition:
    if edition not in available_editions():
        raise MatrixError(f"unknown edition {edition!r}; available: {', '.join(available_editions())}")
    path = resources.files("auditor.matrix").joinpath("editions", f"{edition}.json")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise MatrixError(f"edition {edition}: {error}") from error
    if raw.get("edition") != edition:
        raise MatrixError(f"edition file {edition}.json names edition {raw.get('edition')!r}")
    try:
        hosting_models = tuple(Hosting(name) for name in raw["hosting_models"])
    except (KeyError, ValueError) as error:
        raise MatrixError(f"edition {edition}: bad hosting_models: {error}") from error
    raw_cells = raw.get("cells", {})
    cells: dict[tuple[Feature, Hosting], Cell] = {}
    for feature in Feature:
        by_hosting = raw_cells.get(feature.value)
        if not isinstance(by_hosting, dict):
            raise MatrixError(f"edition {edition}: feature {feature.value} missing")
        unexpected = set(by_hosting) - {hosting.value for hosting in hosting_models}
        if unexpected:
            raise MatrixError(
                f"edition {edition}: {feature.value} has cells for unlisted {sorted(unexpected)}"
            )
        for hosting in hosting_models:
            if hosting.value not in by_hosting:
                raise MatrixError(f"edition {edition}: {feature.value} x {hosting.value} missing")
            cells[(feature, hosting)] = _parse_cell(edition, feature, hosting, by_hosting[hosting.value])
    unknown_features = set(raw_cells) - {feature.value for feature in Feature}
    if unknown_features:
        raise MatrixError(f"edition {edition}: unknown features {sorted(unknown_features)}")
    return Edition(
        name=edition,
        title=str(raw.get("title", edition)),
        sources={str(key): str(value) for key, value in raw.get("sources", {}).items()},
        hosting_models=hosting_models,
        cells=cells,
    )


def supports(edition: str, hosting: Hosting, feature: Feature) -> Cell:
    """The cell for ``feature`` on ``hosting``; an UNKNOWN cell when the edition has no such column."""
    loaded = load_edition(edition)
    cell = loaded.cells.get((feature, hosting))
    if cell is not None:
        return cell
    if hosting is Hosting.UNKNOWN:
        note = "The app's hosting model is unknown (its plan could not be read)."
    else:
        note = f"Edition {edition} has no column for {hosting.value}."
    return Cell(
        edition=edition,
        feature=feature,
        hosting=hosting,
        value=Support.UNKNOWN,
        note=note,
        doc=docs.FUNCTIONS_HOSTING.title,
        section="Overview of plans (not covered by this edition)",
        url=docs.FUNCTIONS_HOSTING.url(),
        basis=loaded.title,
    )


@functools.cache
def editions_documenting(feature: Feature, hosting: Hosting) -> tuple[str, ...]:
    """The editions whose cell for ``feature`` on ``hosting`` says yes or no (not unknown)."""
    return tuple(
        edition
        for edition in available_editions()
        if supports(edition, hosting, feature).value is not Support.UNKNOWN
    )


@functools.cache  # one text per cell: drift rules ask once per app judged against it
def undocumented_reason(cell: Cell) -> str:
    """Why a drift rule judged against an UNKNOWN cell stays unknown, and where it is judged instead."""
    reason = (
        f"edition {cell.edition} does not document {FEATURE_LABELS[cell.feature].lower()} "
        f"on {cell.hosting.value} ({cell.note.rstrip('.')}), so drift on it stays unknown, never a guess"
    )
    elsewhere = [
        edition for edition in editions_documenting(cell.feature, cell.hosting) if edition != cell.edition
    ]
    if elsewhere:
        reason += f"; edition {', '.join(elsewhere)} documents it (--edition {elsewhere[-1]})"
    return reason


MATRIX_LEGEND = (
    "unknown: the edition does not document the feature for that hosting model (or its sources "
    "conflict); drift rules judged against such a cell report unknown, never a guess."
)


def matrix_notes(edition: str = DEFAULT_EDITION) -> list[str]:
    """What ``auditor matrix`` prints under the table: the meaning of unknown, and the missing columns."""
    loaded = load_edition(edition)
    absent = [
        hosting.value
        for hosting in Hosting
        if hosting is not Hosting.UNKNOWN and hosting not in loaded.hosting_models
    ]
    notes = [MATRIX_LEGEND]
    if absent:
        notes.append(
            f"Edition {edition} has no column for {', '.join(absent)}: every drift rule on those apps "
            "reports unknown under this edition."
        )
    return notes


def matrix_rows(edition: str = DEFAULT_EDITION) -> list[dict[str, str]]:
    """One row per feature, one column per hosting model of the edition, for ``auditor matrix``."""
    loaded = load_edition(edition)
    rows: list[dict[str, str]] = []
    for feature in Feature:
        row = {"feature": FEATURE_LABELS[feature]}
        for hosting in loaded.hosting_models:
            row[hosting.value] = loaded.cells[(feature, hosting)].display()
        rows.append(row)
    return rows


@dataclass(frozen=True)
class SourceNote:
    number: int
    doc: str
    section: str
    url: str


def matrix_rows_with_sources(edition: str = DEFAULT_EDITION) -> tuple[list[dict[str, str]], list[SourceNote]]:
    """The rows of :func:`matrix_rows` with a ``[n]`` after each cell, and the numbered sources:
    one note per distinct page and section, so a reader of the table can open each one."""
    loaded = load_edition(edition)
    notes: dict[tuple[str, str, str], SourceNote] = {}
    rows: list[dict[str, str]] = []
    for feature in Feature:
        row = {"feature": FEATURE_LABELS[feature]}
        for hosting in loaded.hosting_models:
            cell = loaded.cells[(feature, hosting)]
            key = (cell.doc, cell.section, cell.url)
            note = notes.setdefault(key, SourceNote(len(notes) + 1, *key))
            row[hosting.value] = f"{cell.display()} [{note.number}]"
        rows.append(row)
    return rows, list(notes.values())


def matrix_cells(edition: str = DEFAULT_EDITION) -> list[dict[str, Any]]:
    """Every cell with its note and source, for ``auditor matrix --format json``."""
    loaded = load_edition(edition)
    return [
        loaded.cells[(feature, hosting)].as_dict() for feature in Feature for hosting in loaded.hosting_models
    ]
