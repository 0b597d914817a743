"""Check every installed dependency against PyPI's vulnerability data with pip-audit.

Fails (exit 1) on any known vulnerability not listed in ACCEPTED with a reason. When the
vulnerability service cannot be reached (PyPI's per-release JSON, which some networks block),
nothing can be audited: that is said loudly, with the count, and is not a failure, because it is
a fact about the network rather than about the dependencies; docs/security.md says so.
"""

from __future__ import annotations

import json
import subprocess
import sys

# Vulnerability id -> why it does not affect the portal. Empty: none accepted.
ACCEPTED: dict[str, str] = {}


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "-f", "json"]
    for vulnerability in ACCEPTED:
        command += ["--ignore-vuln", vulnerability]
    run = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stdout, run.stderr, sep="\n")
        print("audit: pip-audit did not produce a report")
        return 1
    dependencies = report["dependencies"]
    skipped = [d for d in dependencies if "skip_reason" in d]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixed = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed release"
            print(
                f"audit: {dependency['name']} {dependency['version']}: {vulnerability['id']} "
                f"(fixed in {fixed})"
            )
    audited = len(dependencies) - len(skipped)
    print(
        f"audit: {len(dependencies)} dependencies, {audited} audited, "
        f"{len(vulnerable)} with known vulnerabilities, {len(skipped)} not auditable"
    )
    if skipped and not audited:
        print(
            "audit: WARNING: no dependency could be audited: the vulnerability service "
            "(PyPI's per-release JSON) is unreachable from this network "
            f"({skipped[0]['skip_reason']})"
        )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
