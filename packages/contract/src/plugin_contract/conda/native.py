"""Hook names that real conda defines (conda/plugins/hookspec.py).

The contract's plugin manager accepts implementations of these without a local spec: a plugin
module registered under the ``conda`` entry-point group serves real conda through them.
"""

from __future__ import annotations

NATIVE_CONDA_HOOKS = frozenset(
    {
        "conda_auth_handlers",
        "conda_environment_exporters",
        "conda_environment_specifiers",
        "conda_error_hints",
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
