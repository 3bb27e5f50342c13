"""Hook names that real conda defines (``conda/plugins/hookspec.py``).

The contract's plugin manager accepts implementations of these without a local spec: a plugin
module registered under the ``conda`` entry-point group serves real conda through them.
When conda is importable its own ``CondaSpecs`` is the list (read only when verification runs);
without conda, :data:`NATIVE_CONDA_HOOKS` (conda 26.7.1's hooks) stands in, and any other
``conda_*`` hook is taken as one of a conda we do not know yet, never as an error.
"""

from __future__ import annotations

import functools

NATIVE_CONDA_HOOKS = frozenset(
    {
        "conda_auth_handlers",
        "conda_environment_exporters",
        "conda_environment_specifiers",
        "conda_error_hints",
        "conda_exception_observers",
        "conda_health_checks",
        "conda_package_extractors",
        "conda_post_commands",
        "conda_post_solves",
        "conda_post_transaction_actions",
        "conda_pre_commands",
        "conda_pre_solves",
        "conda_pre_transaction_actions",
        "conda_prefix_data_loaders",
        "conda_reporter_backends",
        "conda_request_headers",
        "conda_session_headers",
        "conda_settings",
        "conda_solvers",
        "conda_subcommands",
        "conda_virtual_packages",
    }
)


@functools.cache
def installed_conda_hooks() -> frozenset[str] | None:
    """The hook names of the importable conda's ``CondaSpecs``, or ``None`` without conda."""
    try:
        from conda.plugins.hookspec import CondaSpecs
    except Exception:  # no conda, or one too broken to say: fall back to the known list
        return None
    return frozenset(name for name in vars(CondaSpecs) if name.startswith("conda_"))


def native_conda_hooks() -> frozenset[str]:
    """conda's hook names: the installed conda's when it is importable, else conda 26.7.1's."""
    return installed_conda_hooks() or NATIVE_CONDA_HOOKS


def conda_is_importable() -> bool:
    return installed_conda_hooks() is not None
