"""Issue 12: ``devpi-auth-ldap --config`` pointing at a FIFO or a device used to hang; now it is
one line at once (the plugin config is read by the contract's bounded regular-file reader)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from devpi_auth_ldap.config import load_config

from plugin_contract.errors import ConfigError
from testharness.ldap_directory import ldap_check


def test_a_fifo_or_device_as_config_is_one_line_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "ldap.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="FIFO"):
        load_config(fifo)
    with pytest.raises(ConfigError, match="character device"):
        load_config("/dev/zero")
    proc = ldap_check(fifo, "alice", "x", timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"devpi-auth-ldap: error: config file {fifo} is a FIFO")
    assert len(proc.stderr.strip().splitlines()) == 1
