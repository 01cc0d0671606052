"""The bootstrap version ``ops.preflight`` requires is the one the synthesized templates check for."""

from __future__ import annotations

from ops.preflight_checks import BOOTSTRAP_VERSION_PARAMETER, REQUIRED_BOOTSTRAP_VERSION
from tests.stacks.conftest import Synth


def test_every_stack_requires_the_bootstrap_version_preflight_checks(synth: Synth) -> None:
    for template in synth.default.values():
        document = template.to_json()
        assert document["Parameters"]["BootstrapVersion"]["Default"] == BOOTSTRAP_VERSION_PARAMETER
        (assertion,) = document["Rules"]["CheckBootstrapVersion"]["Assertions"]
        # Fn::Not [Fn::Contains [[versions refused], Ref BootstrapVersion]]: the first allowed is one above.
        refused = assertion["Assert"]["Fn::Not"][0]["Fn::Contains"][0]
        assert max(int(v) for v in refused) + 1 == REQUIRED_BOOTSTRAP_VERSION
        assert f"version {REQUIRED_BOOTSTRAP_VERSION} required" in assertion["AssertDescription"]
