"""The contract's conformance kit, run against the real csh program(s)."""

from __future__ import annotations

import pytest
from shell_csh.kit import DRIVER
from shell_csh.syntax import PROGRAMS

from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test

# The Debian packages listed in ci/apt.txt.
INSTALL = "apt-get install -y tcsh csh"


@pytest.fixture(params=PROGRAMS)
def shell(request: pytest.FixtureRequest) -> ShellUnderTest:
    return shell_under_test("csh", request.param, driver=DRIVER, install_hint=INSTALL)


class TestConformance(ShellConformance):
    pass
