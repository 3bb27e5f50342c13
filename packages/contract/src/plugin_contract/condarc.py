# os.path on purpose: importing pathlib costs start-up time on the activation hot path.
# ruff: noqa: PTH111, PTH113, PTH116, PTH118, PTH119, PTH122, PTH208
"""THE one ``.condarc`` reader, for sessions and shell activation alike.

Inside conda (``conda.base.context`` already imported) the values come from conda's own
context, so they are exactly what conda uses. Elsewhere the files are found in the order of
conda 26.7's ``conda/base/constants.py`` ``SEARCH_PATH`` (``condarc.d/`` directories give their
``*.yml``/``*.yaml`` files in name order), later files overriding earlier scalars, and
``CONDA_<KEY>`` environment variables overriding files, as conda does.

Import cost: this module imports only ``os``, ``stat``, ``sys`` and two tiny contract
modules. A YAML library is imported only when a
condarc file exists; PyYAML when installed, else a small parser of top-level
``key: scalar``, ``key: [a, b]`` and ``key:``/``- item`` lines (enough for every shell
setting).
"""

from __future__ import annotations

import os
import stat
import sys

from plugin_contract.errors import ConfigError
from plugin_contract.files import kind_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Any

SEARCH_PATH: tuple[str, ...] = (
    "/etc/conda/.condarc",
    "/etc/conda/condarc",
    "/etc/conda/condarc.d/",
    "/var/lib/conda/.condarc",
    "/var/lib/conda/condarc",
    "/var/lib/conda/condarc.d/",
    "$CONDA_ROOT/.condarc",
    "$CONDA_ROOT/condarc",
    "$CONDA_ROOT/condarc.d/",
    "$XDG_CONFIG_HOME/conda/.condarc",
    "$XDG_CONFIG_HOME/conda/condarc",
    "$XDG_CONFIG_HOME/conda/condarc.d/",
    "~/.config/conda/.condarc",
    "~/.config/conda/condarc",
    "~/.config/conda/condarc.d/",
    "~/.conda/.condarc",
    "~/.conda/condarc",
    "~/.conda/condarc.d/",
    "~/.condarc",
    "$CONDA_PREFIX/.condarc",
    "$CONDA_PREFIX/condarc",
    "$CONDA_PREFIX/condarc.d/",
    "$CONDARC",
)
CONDARC_FILENAMES = (".condarc", "condarc")
YAML_EXTENSIONS = (".yml", ".yaml")
DEFAULT_CHANNEL_ALIAS = "https://conda.anaconda.org"
TRUE_WORDS = frozenset({"1", "true", "yes", "on", "y"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", "n"})

# The settings exposed by name; ``Condarc.get`` reaches any other key.
SHELL_KEYS = (
    "shell_plugin",
    "changeps1",
    "env_prompt",
    "auto_stack",
    "auto_activate",
    "auto_activate_base",
    "envvars_force_uppercase",
    "envs_dirs",
    "root_prefix",
)


def _expand(template: str, environ: Mapping[str, str]) -> str | None:
    """``$VAR`` expansion like conda's ``custom_expandvars``: a missing variable stays as is
    (so the path cannot exist); ``~`` is the environment's ``HOME``."""
    if template.startswith("$"):
        name, sep, rest = template[1:].partition("/")
        value = environ.get(name)
        if not value:
            return None
        template = value + sep + rest if rest else value
    if template.startswith("~"):
        home = environ.get("HOME") or os.path.expanduser("~")
        template = home + template[1:]
    return template


def search_path(environ: Mapping[str, str] | None = None) -> list[str]:
    """The condarc files conda would read, lowest priority first, existing files only."""
    env = os.environ if environ is None else environ
    found: list[str] = []
    for template in SEARCH_PATH:
        path = _expand(template, env)
        if path is None:
            continue
        path = path.rstrip("/") or "/"
        for candidate in _files_at(path):
            real = os.path.realpath(candidate)
            if all(os.path.realpath(seen) != real for seen in found):
                found.append(candidate)
    return found


def _files_at(path: str, *, in_directory: bool = False) -> Iterator[str]:
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return
    if stat.S_ISDIR(mode):
        if in_directory:
            return
        try:
            names = sorted(os.listdir(path))
        except OSError:
            return
        for name in names:
            if os.path.splitext(name)[1] in YAML_EXTENSIONS:
                yield from _files_at(os.path.join(path, name), in_directory=True)
        return
    base = os.path.basename(path)
    if base not in CONDARC_FILENAMES and os.path.splitext(base)[1] not in YAML_EXTENSIONS:
        return
    if stat.S_ISREG(mode):
        yield path
    elif path != os.devnull:  # CONDARC=/dev/null: "no configuration", as conda reads it
        raise CondarcError(
            f"condarc {path} is {kind_of(mode)}, not a regular file; point it at a file"
        )


class CondarcError(ConfigError, ValueError):
    """A condarc file cannot be read or parsed (one readable line)."""


def parse_file(path: str) -> dict[str, Any]:
    """One condarc file as a mapping; an empty or missing file is ``{}``.

    The read is bounded (:data:`plugin_contract.files.CONFIG_LIMIT`) and refuses anything but
    a regular file; the YAML is loaded by :mod:`plugin_contract.safe_yaml`."""
    from plugin_contract.files import FileReadError, read_text

    try:
        text = read_text(path, what="condarc")
    except FileReadError as error:
        if error.reason == "missing":
            return {}
        raise CondarcError(str(error)) from None
    return parse_text(text, path)


def parse_text(text: str, where: str = "<condarc>") -> dict[str, Any]:
    try:
        from plugin_contract import safe_yaml

        data = safe_yaml.load(text, where)
    except ImportError:
        return _parse_simple(text)
    except ConfigError as error:
        raise CondarcError(str(error)) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CondarcError(f"{where}: the top level must be a mapping of settings")
    return {str(key): value for key, value in data.items()}


def _parse_simple(text: str) -> dict[str, Any]:
    found: dict[str, Any] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.split(" #", 1)[0].rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0] in " \t-":
            item = line.strip()
            if current is not None and item.startswith("-"):
                current.append(_scalar(item[1:]))
            continue
        current = None
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon:
            continue
        flow = value.strip()
        if flow.startswith("[") and flow.endswith("]"):  # a flow list: `envs_dirs: [a, b]`
            found[key] = [_scalar(item) for item in flow[1:-1].split(",") if item.strip()]
        elif flow:
            found[key] = _scalar(value)
        else:
            current = []
            found[key] = current
    return found


def _scalar(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def checked_channel_alias(value: object) -> str:
    """``channel_alias`` as a URL without a trailing ``/``; a list or mapping is refused."""
    if value is None or value == "":
        return DEFAULT_CHANNEL_ALIAS
    if not isinstance(value, str):
        kind = type(value).__name__
        raise CondarcError(f"channel_alias must be one URL (https://host[/path]), not a {kind}")
    return value.rstrip("/")


def bool_word(word: str) -> bool | None:
    """``True``/``False`` for conda's boolean words (``yes``, ``off``, ``1``, ...), else None."""
    word = word.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def as_bool(value: object, default: bool) -> bool:
    """A condarc or environment boolean; anything unrecognised gives ``default``."""
    if isinstance(value, bool):
        return value
    if not isinstance(value, str):
        return default
    meaning = bool_word(value)
    return default if meaning is None else meaning


class Condarc:
    """The merged settings of every condarc file (see :func:`load`)."""

    def __init__(
        self,
        data: Mapping[str, Any],
        files: tuple[str, ...],
        environ: Mapping[str, str],
        *,
        from_conda: bool = False,
    ) -> None:
        self.data = dict(data)
        self.files = files
        self.environ = environ
        self.from_conda = from_conda
        self.entries_by_file: dict[str, list[Any]] = {}

    def get(self, key: str, default: Any = None) -> Any:
        """A setting: ``CONDA_<KEY>`` from the environment, else the files, else ``default``."""
        env_value = self.environ.get(f"CONDA_{key.upper()}")
        if env_value and not self.from_conda:
            return env_value
        return self.data.get(key, default)

    def flag(self, key: str, default: bool) -> bool:
        return as_bool(self.get(key), default)

    @property
    def channel_alias(self) -> str:
        return checked_channel_alias(self.get("channel_alias"))

    @property
    def channel_settings(self) -> list[dict[str, Any]]:
        """Every ``channel_settings`` entry, in the order conda walks them (last match wins)."""
        value = self.data.get("channel_settings") or []
        return [dict(item) for item in value if isinstance(item, dict)]

    @property
    def envs_dirs(self) -> list[str]:
        value = self.get("envs_dirs") or []
        if isinstance(value, str):
            return [part for part in value.split(os.pathsep) if part]
        return [str(item) for item in value]

    @property
    def root_prefix(self) -> str | None:
        value = self.get("root_prefix")
        return str(value) if value else None

    @property
    def ssl_verify(self) -> bool | str:
        value = self.get("ssl_verify", True)
        if isinstance(value, bool):
            return value
        word = str(value).strip()
        meaning = bool_word(word)
        return word if meaning is None else meaning

    @property
    def changeps1(self) -> bool:
        return self.flag("changeps1", True)

    @property
    def auto_activate(self) -> bool:
        value = self.get("auto_activate")
        if value is None:
            value = self.get("auto_activate_base")
        return as_bool(value, True)

    @property
    def auto_stack(self) -> int:
        try:
            return int(str(self.get("auto_stack", 0)).strip() or 0)
        except ValueError:
            return 0

    @property
    def env_prompt(self) -> str:
        return str(self.get("env_prompt") or "({default_env}) ")

    @property
    def envvars_force_uppercase(self) -> bool:
        return self.flag("envvars_force_uppercase", True)


def load(environ: Mapping[str, str] | None = None, *, use_conda: bool | None = None) -> Condarc:
    """Read configuration like conda.

    :param use_conda: ``None`` (the default) uses conda's context only when
        ``conda.base.context`` is already imported (inside a conda process), so the shell hot
        path never pays conda's import; ``True`` imports it when possible; ``False`` never.
    """
    env = os.environ if environ is None else environ
    want_conda = "conda.base.context" in sys.modules if use_conda is None else use_conda
    if want_conda:
        from_conda = _from_conda(env)
        if from_conda is not None:
            return from_conda
    merged: dict[str, Any] = {}
    files = tuple(search_path(env))
    entries_by_file: dict[str, list[Any]] = {}
    for path in files:
        data = parse_file(path)
        settings = data.get("channel_settings")
        if isinstance(settings, list):
            entries_by_file[path] = settings
        merged.update(data)
    # channel_settings from every file, in file order: conda walks them and the last match wins.
    merged["channel_settings"] = [item for items in entries_by_file.values() for item in items]
    result = Condarc(merged, files, env)
    result.entries_by_file = entries_by_file
    return result


def _from_conda(environ: Mapping[str, str]) -> Condarc | None:
    try:
        from conda.base.context import context
    except ImportError:
        return None
    data: dict[str, Any] = {}
    for key in (
        "channel_settings",
        "ssl_verify",
        "envs_dirs",
        "root_prefix",
        "changeps1",
        "env_prompt",
        "auto_stack",
        "auto_activate",
        "envvars_force_uppercase",
        "offline",
        "proxy_servers",
        "client_ssl_cert",
        "client_ssl_cert_key",
        "remote_connect_timeout_secs",
        "remote_read_timeout_secs",
        "remote_max_retries",
        "remote_backoff_factor",
        "user_agent",
    ):
        try:
            value = getattr(context, key)
        except Exception:  # noqa: S112 - a key this conda lacks
            continue
        if key == "channel_settings":
            value = [dict(item) for item in value]
        elif isinstance(value, tuple):
            value = list(value)
        data[key] = value
    try:
        data["channel_alias"] = context.channel_alias.base_url
    except Exception:
        data["channel_alias"] = DEFAULT_CHANNEL_ALIAS
    files = tuple(str(path) for path in getattr(context, "raw_data", {}) if os.path.isfile(path))
    # conda's raw data also holds the rest (shell_plugin, session keys) per file.
    for source in getattr(context, "raw_data", {}).values():
        for key, raw in source.items():
            if key not in data:
                try:
                    data[key] = raw.value(None)
                except Exception:  # noqa: S112
                    continue
    return Condarc(data, files, environ, from_conda=True)
