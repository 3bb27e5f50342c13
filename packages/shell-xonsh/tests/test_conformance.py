"""The contract's conformance kit, run against the real xonsh program(s)."""

from __future__ import annotations

import pytest
from shell_xonsh.kit import DRIVER
from shell_xonsh.syntax import PROGRAMS

from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test

# The Debian packages listed in ci/apt.txt.
INSTALL = "apt-get install -y xonsh"


@pytest.fixture(params=PROGRAMS)
def shell(request: pytest.FixtureRequest) -> ShellUnderTest:
    return shell_under_test("xonsh", request.param, driver=DRIVER, install_hint=INSTALL)


class TestConformance(ShellConformance):
    pass
