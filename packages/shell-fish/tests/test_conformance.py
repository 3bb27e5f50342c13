"""The contract's conformance kit, run against fish."""

from __future__ import annotations

import pytest
from shell_fish.kit import DRIVER

from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test


@pytest.fixture
def shell() -> ShellUnderTest:
    return shell_under_test("fish", "fish", driver=DRIVER, install_hint="apt-get install -y fish")


class TestFishConformance(ShellConformance):
    pass
