"""The devpi-server plugin module of `devpi-notify` (entry-point group `devpi_server`).

Event hooks run in devpi-server's notification thread: they only append to the outbox and
never raise (an exception would hide the event from every later plugin). Delivery happens
in worker threads registered with devpi-server's thread pool.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from devpi_notify.config import NotifyConfig
from devpi_notify.service import NotifyService
from devpi_notify.versionevents import changes_at_serial, removed_file_change
from plugin_contract.devpi import hookimpl
from plugin_contract.errors import ContractError

log = logging.getLogger("devpi_notify")
INDEX_KEYS = ("notify_targets", "notify_events", "notify_projects")
INDEX_KEYS_PLUGIN = "devpi-notify-index-keys"
_services: weakref.WeakKeyDictionary[Any, NotifyService] = weakref.WeakKeyDictionary()
_configs: weakref.WeakKeyDictionary[Any, NotifyConfig] = weakref.WeakKeyDictionary()


@hookimpl
def devpiserver_add_parser_options(parser: Any) -> None:
    group = parser.addgroup("devpi-notify")
    group.addoption(
        "--notify-config",
        dest="notify_config",
        metavar="PATH",
        default=None,
        help="YAML file defining devpi-notify targets (webhook, slack, email); "
        "indexes opt in with the index option notify_targets",
    )


class IndexKeys:
    """The per-index keys, registered on a server's own plugin manager only when that server
    has ``--notify-config``: unconfigured, devpi-notify adds no key to any index and devpi
    itself refuses ``notify_*`` settings, so an index stays valid after uninstalling."""

    @hookimpl
    def devpiserver_indexconfig_defaults(self, index_type: str) -> dict[str, list[str]] | None:
        if index_type != "stage":
            return None
        return {key: [] for key in INDEX_KEYS}


def register_index_keys(pluginmanager: Any) -> None:
    if pluginmanager.get_plugin(INDEX_KEYS_PLUGIN) is None:
        pluginmanager.register(IndexKeys(), name=INDEX_KEYS_PLUGIN)


@hookimpl
def devpiserver_genconfig(tw: Any, config: Any, argv: Any, writer: Any) -> None:
    path = getattr(config.args, "notify_config", None)
    if not path:
        return
    from devpi_notify.genconfig import secrets_env_file
    from plugin_contract.devpi import load_yaml_config

    try:
        data = load_yaml_config(path, top_key="devpi-notify")
    except ContractError as error:
        tw.line(f"devpi-notify: {error}", red=True)
        return
    writer("devpi-notify-secrets.env", secrets_env_file(data, str(path)))


@hookimpl
def devpiserver_cmdline_run(xom: Any) -> None:
    """Check ``--notify-config`` before devpi-server builds its app: every problem at once."""
    _load_config(xom)


def _load_config(xom: Any) -> NotifyConfig | None:
    path = getattr(xom.config.args, "notify_config", None)
    if not path:
        return None
    loaded = _configs.get(xom)
    if loaded is not None:
        return loaded
    from devpi_server.main import Fatal

    from devpi_notify.config import load_notify_config

    try:
        loaded = load_notify_config(path)
    except ContractError as error:
        raise Fatal(f"devpi-notify: {error}") from None
    _configs[xom] = loaded
    return loaded


@hookimpl
def devpiserver_pyramid_configure(config: Any, pyramid_config: Any) -> None:
    xom = pyramid_config.registry["xom"]
    notify_config = _load_config(xom)
    if notify_config is None:
        return
    from devpi_notify.outbox import Outbox, outbox_path

    register_index_keys(config.pluginmanager)
    role = "replica" if xom.is_replica() else "primary"
    if not notify_config.worker.sends(xom.is_replica()):
        log.info(
            "devpi-notify: this %s records and sends nothing (worker.send_from: %s)",
            role,
            notify_config.worker.send_from,
        )
        return
    outbox = Outbox(outbox_path(config.server_path))
    base_url = notify_config.server_url or _server_url(config)
    service = NotifyService(notify_config, outbox, base_url)
    with xom.keyfs.read_transaction():
        current = xom.keyfs.get_current_serial()
    history_end = -1 if notify_config.worker.announce_history else current
    service.ignore_upto_serial = outbox.init_watermark(history_end)
    if notify_config.worker.announce_history and not config.requests_only:
        _announce_history(xom, service)
    if not config.requests_only:
        for worker in service.workers.values():
            xom.thread_pool.register(worker)
    _services[xom] = service
    pyramid_config.add_tween("devpi_notify.main.index_check_tween_factory")
    from devpi_notify.serialusers import KEYFS_TWEEN, TWEEN

    pyramid_config.add_tween(TWEEN, under=KEYFS_TWEEN)
    log.info(
        "devpi-notify: %d target(s) %s, outbox %s",
        len(notify_config.targets),
        ", ".join(sorted(notify_config.targets)),
        outbox.path,
    )


def _announce_history(xom: Any, service: NotifyService) -> None:
    from devpi_notify.history import announce_history

    try:
        announce_history(xom, service)
    except Exception:
        log.exception("devpi-notify: could not announce the history (tried again next start)")


def index_check_tween_factory(handler: Any, registry: Any) -> Any:
    """Pyramid tween: index settings naming unknown targets or events get a 400."""
    from devpi_notify.indexcheck import make_tween

    service = _services.get(registry["xom"])
    if service is None:
        return handler
    return make_tween(handler, service.config.targets)


def serial_user_tween_factory(handler: Any, registry: Any) -> Any:
    """Pyramid tween inside devpi's keyfs transaction: who makes the serial a write commits."""
    from devpi_notify.serialusers import make_tween

    xom = registry["xom"]
    service = _services.get(xom)
    if service is None or xom.is_replica():
        return handler
    return make_tween(handler, xom.keyfs, service.outbox)


def _server_url(config: Any) -> str:
    outside = getattr(config.args, "outside_url", None)
    if outside:
        return str(outside).rstrip("/")
    host = getattr(config.args, "host", None) or "localhost"
    port = getattr(config.args, "port", None) or 3141
    return f"http://{host}:{port}"


def _service(stage: Any) -> NotifyService | None:
    if stage is None:
        return None
    return _services.get(stage.xom)


@hookimpl
def devpiserver_on_upload(stage: Any, project: str, version: str, link: Any) -> None:
    _record_version(stage, project, version)


@hookimpl
def devpiserver_on_changed_versiondata(
    stage: Any, project: str, version: str, metadata: Any
) -> None:
    _record_version(stage, project, version)


def _record_version(stage: Any, project: str, version: str) -> None:
    """Every hook of one version at one serial appends the same ordered list (see
    :mod:`devpi_notify.versionevents`); the outbox ignores the ids it already holds."""
    service = _service(stage)
    if service is None:
        return
    try:
        changes = changes_at_serial(stage, project, version, service.outbox.serial_user)
        service.record_all(changes, stage.ixconfig)
    except Exception:
        log.exception("devpi-notify: could not record the change of %s %s", project, version)


@hookimpl
def devpiserver_on_remove_file(stage: Any, relpath: str) -> None:
    service = _service(stage)
    if service is None:
        return
    try:
        serial = int(stage.keyfs.tx.at_serial)
        removal = removed_file_change(
            stage.name, serial, relpath, service.outbox.serial_user(serial)
        )
        service.record_all([removal], stage.ixconfig)
    except Exception:
        log.exception("devpi-notify: could not record removal of %s", relpath)


@hookimpl
def devpiserver_metrics(request: Any) -> list[tuple[str, str, float]]:
    service = _services.get(request.registry["xom"])
    if service is None:
        return []
    stats = service.outbox.stats()
    return [
        ("devpi_notify_queued", "gauge", float(stats.pending)),
        ("devpi_notify_delivered", "counter", float(stats.delivered_total)),
        ("devpi_notify_failed", "counter", float(stats.failed_attempts_total)),
        ("devpi_notify_dead_letters", "gauge", float(stats.dead)),
        ("devpi_notify_oldest_pending_age_seconds", "gauge", stats.oldest_pending_age),
    ]
