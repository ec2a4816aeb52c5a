"""What clients receive must pass the portability lint, whatever the manifest looked like."""

from __future__ import annotations

import json
from pathlib import Path

from manifest_server import bundled_manifest

from iletimerkezi_mcp.contracts import LOCAL
from iletimerkezi_mcp.manifest.loader import LoadedManifest
from iletimerkezi_mcp.manifest.models import parse_manifest
from iletimerkezi_mcp.schema_lint import lint_tools
from iletimerkezi_mcp.settings import Settings
from iletimerkezi_mcp.tools import build_catalog

AWKWARD = Path(__file__).parent / "data" / "awkward_manifests"


def lint_errors(document: dict) -> list:
    loaded = LoadedManifest(source="bundled", parsed=parse_manifest(document), origin="test")
    catalog = build_catalog(loaded, Settings())
    tools = [spec.tool.model_dump(mode="json", by_alias=True, exclude_none=True) for spec in catalog.specs.values()]
    return [f for f in lint_tools(tools, "sms", local_tools=[c.name for c in LOCAL]) if f.severity == "error"]


def test_bundled_catalog_is_lint_clean():
    assert lint_errors(bundled_manifest()) == []


def test_awkward_manifests_still_give_lint_clean_tools():
    for path in sorted(AWKWARD.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if "endpoints" not in document:
            continue
        errors = [f for f in lint_errors(document) if f.rule != "property-name"]
        assert errors == [], (path.name, errors[:3])
