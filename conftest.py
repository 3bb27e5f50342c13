"""Root conftest: load the repository's test harness (the ``testharness`` distribution in
``shared/testharness``, installed editable by every nox test session)."""

pytest_plugins = ["testharness.plugin"]
