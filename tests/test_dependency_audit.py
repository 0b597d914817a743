"""The dependency audit CI runs: a known vulnerability fails it; an unreachable service is said."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import audit_dependencies


def _report(monkeypatch: pytest.MonkeyPatch, dependencies: list[dict]) -> None:
    output = json.dumps({"dependencies": dependencies, "fixes": []})
    monkeypatch.setattr(
        audit_dependencies.subprocess,
        "run",
        lambda *a, **k: subprocess.CompletedProcess(a, 1, stdout=output, stderr=""),
    )


def test_a_known_vulnerability_fails_the_audit(monkeypatch, capsys):
    _report(
        monkeypatch,
        [
            {"name": "flask", "version": "3.1.0", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.1.2",
                "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"]}],
            },
        ],
    )
    assert audit_dependencies.main() == 1
    out = capsys.readouterr().out
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in out
    assert "2 dependencies, 2 audited, 1 with known vulnerabilities" in out


def test_a_clean_audit_passes_and_an_unreachable_service_is_said(monkeypatch, capsys):
    _report(monkeypatch, [{"name": "flask", "version": "3.1.0", "vulns": []}])
    assert audit_dependencies.main() == 0
    _report(monkeypatch, [{"name": "flask", "skip_reason": "Dependency not found on PyPI"}])
    assert audit_dependencies.main() == 0
    assert "WARNING: no dependency could be audited" in capsys.readouterr().out
