"""infra/'s CloudFormation templates as the deploy tests read them: decoded as CloudFormation does
(short-form tags become their Fn:: forms) and reduced to plain JSON data."""

import json
from pathlib import Path

from cfnlint.decode import decode

ROOT = Path(__file__).resolve().parents[2]
INFRA = ROOT / "infra"


def load_template(name: str) -> dict:
    template, problems = decode(str(INFRA / name))
    assert not problems, problems
    return json.loads(json.dumps(template))


def resources(template: dict, kind: str) -> dict:
    return {name: r["Properties"] for name, r in template["Resources"].items() if r["Type"] == kind}
