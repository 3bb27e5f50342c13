"""Turn a :class:`Change` into shell code, safely quoted, or into JSON."""

from __future__ import annotations

from plugin_contract.shell.envs import valid_name
from plugin_contract.shell.errors import ShellError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from plugin_contract.shell.activator import Change
    from plugin_contract.shell.types import CondaShellPlugins


def render(change: Change, plugin: CondaShellPlugins) -> str:
    """Shell code in conda's order: PATH, deactivate.d, unset, set, export, activate.d."""
    quote = plugin.quote
    lines: list[str] = []
    if change.path is not None:
        value = plugin.pathsep_join([quote(entry) for entry in change.path])
        lines.append(plugin.export_var_tmpl % ("PATH", value))
    lines += [plugin.run_script_tmpl % quote(path) for path in change.deactivate_scripts]
    lines += [plugin.unset_var_tmpl % _name(name) for name in change.unset]
    lines += [plugin.set_var_tmpl % (_name(n), quote(v)) for n, v in change.set.items()]
    lines += [plugin.export_var_tmpl % (_name(n), quote(v)) for n, v in change.export.items()]
    lines += [plugin.run_script_tmpl % quote(path) for path in change.activate_scripts]
    return plugin.command_join.join(lines) + "\n" if lines else ""


def render_scripts(paths: list[str], plugin: CondaShellPlugins) -> str:
    return plugin.command_join.join(plugin.run_script_tmpl % plugin.quote(p) for p in paths)


def render_json(change: Change) -> str:
    import json

    return json.dumps(change.as_dict(), indent=2, ensure_ascii=False)


def _name(name: str) -> str:
    if not valid_name(name):
        raise ShellError(f"refusing to write code for the variable name {name!r}")
    return name
