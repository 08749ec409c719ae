"""The capability matrix editions: complete, sourced, and read through supports()."""

from __future__ import annotations

import re

import pytest

from auditor.matrix import (
    DEFAULT_EDITION,
    Feature,
    MatrixError,
    Support,
    _parse_cell,
    available_editions,
    load_edition,
    matrix_cells,
    matrix_rows,
    matrix_rows_with_sources,
    supports,
)
from auditor.model import Hosting


def test_editions_ship_with_the_package() -> None:
    assert available_editions() == ("2019-04", "2026-09")
    assert DEFAULT_EDITION == "2026-09"


@pytest.mark.parametrize("edition", ["2019-04", "2026-09"])
def test_every_cell_has_a_value_note_and_source(edition: str) -> None:
    loaded = load_edition(edition)
    assert len(loaded.cells) == len(Feature) * len(loaded.hosting_models)
    for cell in loaded.cells.values():
        assert cell.note.strip() and cell.doc.strip() and cell.section.strip()
        assert cell.source.startswith(cell.doc)
        # A public page a user can open; the research ids stay behind it as the basis.
        assert cell.url.startswith("https://learn.microsoft.com/azure/"), cell.url
        assert all(part.split()[0] in loaded.sources for part in cell.basis.split(";")), cell.basis
        assert not re.search(r"\bS\d+\b|\bC\d+\b|seed", cell.doc + cell.note + cell.section), cell


def test_seed_edition_has_the_seed_columns_only() -> None:
    assert load_edition("2019-04").hosting_models == (
        Hosting.CONSUMPTION,
        Hosting.PREMIUM,
        Hosting.DEDICATED,
        Hosting.ASE,
    )


@pytest.mark.parametrize("hosting", [Hosting.FLEX_CONSUMPTION, Hosting.CONTAINER_APPS, Hosting.UNKNOWN])
def test_hosting_absent_from_an_edition_is_unknown_never_a_guess(hosting: Hosting) -> None:
    for feature in Feature:
        cell = supports("2019-04", hosting, feature)
        assert cell.value is Support.UNKNOWN
        assert cell.edition == "2019-04"


def test_seed_cells_match_the_seed_matrix() -> None:
    assert supports("2019-04", Hosting.PREMIUM, Feature.VNET_TRIGGERS).value is Support.NO
    assert supports("2019-04", Hosting.DEDICATED, Feature.VNET_TRIGGERS).value is Support.YES
    assert supports("2019-04", Hosting.PREMIUM, Feature.HYBRID_CONNECTIONS).value is Support.NO
    assert supports("2019-04", Hosting.DEDICATED, Feature.OUTBOUND_CONTROL).value is Support.NO
    assert supports("2019-04", Hosting.ASE, Feature.OUTBOUND_CONTROL).value is Support.YES
    regional = supports("2019-04", Hosting.DEDICATED, Feature.REGIONAL_VNET_INTEGRATION)
    assert "Basic" in regional.unsupported_tiers
    gateway = supports("2019-04", Hosting.DEDICATED, Feature.GATEWAY_VNET_INTEGRATION)
    assert gateway.supported_os == ("windows",)
    assert "S1 functions-networking-options.md 4/11/2019" in gateway.basis
    assert (
        gateway.source
        == "Azure Functions networking options (April 2019 version), Virtual network integration"
    )


def test_current_cells_carry_their_qualifiers_and_conflicts() -> None:
    hybrid = supports("2026-09", Hosting.PREMIUM, Feature.HYBRID_CONNECTIONS)
    assert (hybrid.value, hybrid.supported_os, hybrid.conflict) == (Support.YES, ("windows",), "C1")
    assert supports("2026-09", Hosting.DEDICATED, Feature.REGIONAL_VNET_INTEGRATION).unsupported_tiers == (
        "Free",
        "Shared",
    )
    gateway = supports("2026-09", Hosting.DEDICATED, Feature.GATEWAY_VNET_INTEGRATION)
    assert gateway.supported_os == ("windows",) and gateway.windows_containers is False
    triggers = supports("2026-09", Hosting.PREMIUM, Feature.VNET_TRIGGERS)
    assert triggers.requires_setting == "functionsRuntimeScaleMonitoringEnabled"
    assert supports("2026-09", Hosting.CONSUMPTION, Feature.PRIVATE_ENDPOINTS).value is Support.NO
    assert supports("2026-09", Hosting.ASE, Feature.REGIONAL_VNET_INTEGRATION).value is Support.NO
    flex_endpoints = supports("2026-09", Hosting.FLEX_CONSUMPTION, Feature.PRIVATE_ENDPOINTS)
    assert flex_endpoints.basis == "S8 functions-scale.md 09/16/2026"
    assert (
        flex_endpoints.url
        == "https://learn.microsoft.com/azure/azure-functions/functions-scale#networking-features"
    )


def test_unknown_edition_is_an_error() -> None:
    with pytest.raises(MatrixError, match="unknown edition"):
        load_edition("2020-01")


def test_matrix_rows_for_the_cli_table() -> None:
    rows = matrix_rows("2026-09")
    assert len(rows) == len(Feature)
    assert list(rows[0]) == [
        "feature",
        "flex_consumption",
        "consumption",
        "premium",
        "dedicated",
        "ase",
        "container_apps",
    ]
    hybrid = next(row for row in rows if row["feature"] == "Hybrid Connections")
    assert hybrid["premium"] == "yes (Windows only; docs disagree)"
    assert hybrid["consumption"] == "no"


def test_matrix_cells_for_json() -> None:
    cells = matrix_cells("2019-04")
    assert len(cells) == len(Feature) * 4
    assert all(cell["source"] and cell["edition"] == "2019-04" for cell in cells)


def test_matrix_rows_number_their_sources_once_each() -> None:
    rows, sources = matrix_rows_with_sources("2026-09")
    assert [note.number for note in sources] == list(range(1, len(sources) + 1))
    assert len({(note.doc, note.section, note.url) for note in sources}) == len(sources)
    hybrid = next(row for row in rows if row["feature"] == "Hybrid Connections")
    number = int(hybrid["premium"].rsplit("[", 1)[1].rstrip("]"))
    assert hybrid["premium"].startswith("yes (Windows only; docs disagree) [")
    assert sources[number - 1].url.startswith("https://learn.microsoft.com/")


def test_a_cell_whose_url_is_not_a_learn_page_is_refused() -> None:
    raw = {
        "value": "yes",
        "note": "n",
        "doc": "d",
        "section": "s",
        "basis": "S8",
        "url": "https://example.com/x",
    }
    with pytest.raises(MatrixError, match=r"learn\.microsoft\.com"):
        _parse_cell("2026-09", Feature.PRIVATE_ENDPOINTS, Hosting.PREMIUM, raw)
