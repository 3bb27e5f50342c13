"""The contract's conformance kit, run against the real {{shell_name}} program(s)."""

from __future__ import annotations

import pytest
from {{import_name}}.kit import DRIVER
from {{import_name}}.syntax import PROGRAMS

from plugin_contract.testing import ShellConformance, ShellUnderTest, shell_under_test

# The Debian packages listed in ci/apt.txt.
INSTALL = "apt-get install -y {{shell_name}}"


@pytest.fixture(params=PROGRAMS)
def shell(request: pytest.FixtureRequest) -> ShellUnderTest:
    return shell_under_test("{{shell_name}}", request.param, driver=DRIVER, install_hint=INSTALL)


class TestConformance(ShellConformance):
    pass
