"""The container and compose example for the team server: checked as files (no Docker daemon in CI)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = REPO / "deploy" / "compose.example.yml"


def final_stage() -> str:
    return re.split(r"^FROM ", DOCKERFILE, flags=re.MULTILINE)[-1]


def test_the_image_runs_the_wheel_as_a_non_root_user():
    stage = final_stage()
    assert "COPY --from=wheel" in stage and '[team]"' in stage  # the package from its wheel, with psycopg
    assert "COPY src" not in stage and "COPY . " not in stage  # nothing else from the checkout
    users = re.findall(r"^USER (\S+)", stage, flags=re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    assert '"serve-http", "--host", "0.0.0.0"' in stage and "/healthz" in stage


def test_the_build_context_leaves_out_local_state():
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git/", ".venv/", "tests/", "dist/"} <= set(ignored)


def test_the_compose_example_is_valid_and_its_replicas_share_one_ledger_with_authorization():
    checked = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
                              str(COMPOSE)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = COMPOSE.read_text()
    assert "sms-a: *replica" in text and "sms-b: *replica" in text
    assert "ILETIMERKEZI_DATABASE_URL: postgresql://" in text and "ILETIMERKEZI_HTTP_TOKENS:" in text
    nginx = (REPO / "deploy" / "nginx.conf").read_text()
    assert "server sms-a:8000;" in nginx and "server sms-b:8000;" in nginx
