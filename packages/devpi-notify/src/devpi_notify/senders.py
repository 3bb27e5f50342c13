"""Send one event to one target: webhook (signed CloudEvents), Slack text, or e-mail.

Standard library only. Redirects are never followed, so a signature or a Slack URL never
reaches another host. Errors are short strings that hold no URL or secret.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import smtplib
import ssl
import time
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from devpi_notify.config import Target

SIGNATURE_HEADER = "X-Devpi-Notify-Signature"
CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"
EVENT_TYPE_PREFIX = "net.devpi.notify."
USER_AGENT = "devpi-notify"


class DeliveryError(Exception):
    """A delivery attempt failed; the message is safe to store and log."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header value: ``t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def cloudevent(payload: dict[str, Any], base_url: str) -> dict[str, Any]:
    subject = "/".join(
        str(part)
        for part in (
            payload.get("project"),
            payload.get("version"),
            (payload.get("file") or {}).get("name"),
        )
        if part
    )
    event = {
        "specversion": "1.0",
        "id": payload["id"],
        "source": f"{base_url.rstrip('/')}/{payload['index']}",
        "type": EVENT_TYPE_PREFIX + payload["event"],
        "time": payload["time"],
        "datacontenttype": "application/json",
        "data": payload,
    }
    if subject:
        event["subject"] = subject
    return event


def send(target: Target, payload: dict[str, Any], base_url: str) -> None:
    if target.type == "webhook":
        send_webhook(target, payload, base_url)
    elif target.type == "slack":
        send_slack(target, payload)
    else:
        send_email(target, payload)


def send_webhook(target: Target, payload: dict[str, Any], base_url: str) -> None:
    assert target.url is not None
    assert target.secret is not None
    body = json.dumps(cloudevent(payload, base_url), sort_keys=True).encode("utf-8")
    headers = {
        "Content-Type": CLOUDEVENTS_CONTENT_TYPE,
        SIGNATURE_HEADER: sign(target.secret.reveal(), int(time.time()), body),
        "X-Devpi-Notify-Id": str(payload["id"]),
    }
    describe = f"webhook target {target.name}"
    post(target.url, body, headers, target.timeout, target.ca_file, describe=describe)


def send_slack(target: Target, payload: dict[str, Any]) -> None:
    assert target.url_secret is not None
    body = json.dumps({"text": slack_text(payload)}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    post(
        target.url_secret.reveal(),
        body,
        headers,
        target.timeout,
        target.ca_file,
        describe=f"slack target {target.name}",
    )


def slack_text(payload: dict[str, Any]) -> str:
    what = summary(payload)
    link = payload["urls"].get("file") or payload["urls"].get("version") or payload["urls"]["index"]
    return f"{what} (<{link}|details>)"


def summary(payload: dict[str, Any]) -> str:
    parts = (payload.get("project"), payload.get("version"))
    release = " ".join(str(part) for part in parts if part)
    file_name = (payload.get("file") or {}).get("name")
    subject = file_name or release or payload["index"]
    who = payload.get("uploader")
    words = {
        "file_uploaded": "uploaded",
        "file_pushed": "pushed",
        "docs_uploaded": "docs uploaded",
        "file_removed": "removed",
        "version_created": "registered",
        "version_changed": "metadata changed",
        "version_deleted": "deleted",
    }
    verb = words.get(payload["event"], payload["event"])
    by = f" by {who}" if who else ""
    return f"[{payload['index']}] {subject}: {verb}{by}"


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    timeout: float,
    ca_file: str | None,
    *,
    describe: str,
) -> None:
    parts = urlsplit(url)
    host = parts.hostname or ""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=ca_file)
        connection = http.client.HTTPSConnection(host, parts.port, timeout=timeout, context=context)
    else:
        connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    try:
        connection.request("POST", path, body, {"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        response.read(65536)
        status = response.status
    except TimeoutError:
        raise DeliveryError(f"{describe}: no answer within {timeout:g} s") from None
    except (OSError, http.client.HTTPException) as error:
        raise DeliveryError(f"{describe}: {type(error).__name__}: {error}") from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return
    if 300 <= status < 400:
        raise DeliveryError(f"{describe}: HTTP {status} redirect not followed")
    raise DeliveryError(f"{describe}: HTTP {status}")


def send_email(target: Target, payload: dict[str, Any]) -> None:
    assert target.host is not None
    assert target.sender is not None
    message = EmailMessage()
    message["Subject"] = summary(payload)
    message["From"] = target.sender
    message["To"] = ", ".join(target.recipients)
    message["X-Devpi-Notify-Id"] = str(payload["id"])
    message.set_content(email_body(payload))
    try:
        with smtplib.SMTP(target.host, target.port, timeout=target.timeout) as smtp:
            if target.starttls:
                smtp.starttls(context=ssl.create_default_context(cafile=target.ca_file))
            if target.username is not None and target.password is not None:
                smtp.login(target.username, target.password.reveal())
            smtp.send_message(message)
    except TimeoutError:
        raise DeliveryError(
            f"email target {target.name}: no answer within {target.timeout:g} s"
        ) from None
    except (OSError, smtplib.SMTPException) as error:
        raise DeliveryError(f"email target {target.name}: {type(error).__name__}") from None


def email_body(payload: dict[str, Any]) -> str:
    lines = [summary(payload), ""]
    for key in ("index", "project", "version", "uploader", "serial", "event", "id"):
        if payload.get(key) is not None:
            lines.append(f"{key}: {payload[key]}")
    file_info = payload.get("file") or {}
    for key in ("name", "sha256", "size"):
        if file_info.get(key) is not None:
            lines.append(f"file {key}: {file_info[key]}")
    lines.append("")
    lines += [f"{name}: {url}" for name, url in sorted(payload["urls"].items())]
    return "\n".join(lines) + "\n"
