"""The contract's conformance kit, run against every POSIX shell this plugin serves."""

from __future__ import annotations

import pytest
from shell_posix.kit import DRIVER

from plugin_contract.testing.shell import ShellConformance, ShellUnderTest, shell_under_test

INSTALL = "apt-get install -y bash dash zsh ksh mksh busybox"


@pytest.fixture(params=["bash", "dash", "zsh", "ksh", "mksh", "busybox"])
def shell(request: pytest.FixtureRequest) -> ShellUnderTest:
    return shell_under_test("posix", request.param, driver=DRIVER, install_hint=INSTALL)


class TestPosixConformance(ShellConformance):
    pass
