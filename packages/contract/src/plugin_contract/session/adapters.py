"""Transport adapters: retries honouring Retry-After, truststore TLS, offline, file://."""

from __future__ import annotations

import email.utils
import mimetypes
import os
import stat
import time
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.util.retry import Retry

from plugin_contract.files import kind_of
from plugin_contract.session.channels import safe_url
from plugin_contract.session.errors import OfflineError, SessionError

RETRY_STATUSES = frozenset({413, 429, 500, 502, 503, 504})


class CappedRetry(Retry):
    """urllib3 ``Retry`` that honours ``Retry-After`` but never sleeps longer than a cap."""

    max_retry_after: float = 60.0

    def get_retry_after(self, response: Any) -> float | None:
        value = super().get_retry_after(response)
        if value is None:
            return None
        return float(min(value, self.max_retry_after))

    def new(self, **kwargs: Any) -> CappedRetry:
        retry = super().new(**kwargs)
        retry.max_retry_after = self.max_retry_after
        return retry


def make_retry(total: int, backoff_factor: float, max_retry_after: float) -> CappedRetry:
    retry = CappedRetry(
        total=total,
        connect=total,
        read=total,
        status=total,
        backoff_factor=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}),
        raise_on_status=False,
        respect_retry_after_header=True,
    )
    retry.max_retry_after = max_retry_after
    return retry


class TruststoreAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose TLS context trusts the operating system's certificate store."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = truststore_context()
        super().init_poolmanager(*args, **kwargs)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["ssl_context"] = truststore_context()
        return super().proxy_manager_for(*args, **kwargs)


def truststore_context() -> Any:
    import ssl

    try:
        import truststore
    except ImportError:
        raise SessionError(
            "ssl_verify: truststore needs the truststore package (pip install truststore)"
        ) from None
    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


class OfflineAdapter(BaseAdapter):
    """Refuses every request: ``offline: true`` is configured."""

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        raise OfflineError(
            f"offline mode is on, not fetching {safe_url(request.url or '')}; "
            "set offline: false (or unset CONDA_OFFLINE) to use the network"
        )

    def close(self) -> None:
        return None


def _open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; a FIFO, device or socket is refused
    with one line (opened non-blocking, so a FIFO never makes the read wait)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    mode = os.fstat(fd).st_mode
    if stat.S_ISDIR(mode):
        os.close(fd)
        raise IsADirectoryError(str(path))
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise SessionError(f"refusing to read {path}: it is {kind_of(mode)}, not a regular file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


class LocalFileAdapter(BaseAdapter):
    """``file://`` URLs: GET and HEAD of local files, 404 when missing. Works offline."""

    def send(self, request: PreparedRequest, *args: Any, **kwargs: Any) -> Response:
        parts = urlsplit(request.url or "")
        path = Path(unquote(parts.path))
        response = Response()
        response.url = request.url or ""
        response.request = request
        response.headers = CaseInsensitiveDict()
        if request.method not in ("GET", "HEAD"):
            response.status_code = 405
            response.raw = BytesIO(b"")
            return response
        try:
            handle = _open_regular(path)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            response.status_code = 404
            response.reason = "Not Found"
            response.raw = BytesIO(b"")
            return response
        except PermissionError:
            response.status_code = 403
            response.reason = "Forbidden"
            response.raw = BytesIO(b"")
            return response
        size = os.fstat(handle.fileno()).st_size
        response.status_code = 200
        response.reason = "OK"
        response.headers["Content-Length"] = str(size)
        response.headers["Content-Type"] = mimetypes.guess_type(path.name)[0] or (
            "application/octet-stream"
        )
        response.headers["Last-Modified"] = email.utils.formatdate(
            os.fstat(handle.fileno()).st_mtime or time.time(), usegmt=True
        )
        if request.method == "HEAD":
            handle.close()
            response.raw = BytesIO(b"")
        else:
            response.raw = handle  # streamed: the body is never read whole into memory
        return response

    def close(self) -> None:
        return None
