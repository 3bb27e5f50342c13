"""Send one event to one target: webhook (signed CloudEvents), Slack text, a CI trigger
(GitHub ``repository_dispatch``, GitLab pipeline trigger, Jenkins ``buildWithParameters``),
or e-mail.

HTTP goes through ``requests``, so ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` apply.
Redirects are never followed, so a signature, token or Slack URL never reaches another host.
Errors are short strings that hold no URL or secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote, urlencode

from devpi_notify.config import Target

SIGNATURE_HEADER = "X-Devpi-Notify-Signature"
CLOUDEVENTS_CONTENT_TYPE = "application/cloudevents+json"
EVENT_TYPE_PREFIX = "net.devpi.notify."
USER_AGENT = "devpi-notify"


GITHUB_API_VERSION = "2022-11-28"
FORM = "application/x-www-form-urlencoded"
CLIENT_PAYLOAD_KEYS = ("id", "event", "index", "project", "version", "uploader", "file", "urls")


class DeliveryError(Exception):
    """A delivery attempt failed; the message is safe to store and log."""


@dataclass(frozen=True)
class Answer:
    """What the receiver answered (shown by ``devpi-notify test``)."""

    status: int
    body: str


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


def send(target: Target, payload: dict[str, Any], base_url: str) -> Answer | None:
    if target.type == "email":
        send_email(target, payload)
        return None
    url, body, headers = http_request(target, payload, base_url)
    return post(target, url, body, headers)


def http_request(
    target: Target, payload: dict[str, Any], base_url: str
) -> tuple[str, bytes, dict[str, str]]:
    """(URL, body, headers) of the POST for an HTTP target, as the receiving service
    documents it."""
    headers = dict(target.headers)
    if target.type == "webhook":
        assert target.url is not None
        body = json.dumps(cloudevent(payload, base_url), sort_keys=True).encode("utf-8")
        headers["Content-Type"] = CLOUDEVENTS_CONTENT_TYPE
        headers["X-Devpi-Notify-Id"] = str(payload["id"])
        if target.secret is not None:
            headers[SIGNATURE_HEADER] = sign(target.secret.reveal(), int(time.time()), body)
        return target.url, body, headers
    if target.type == "slack":
        assert target.url_secret is not None
        headers["Content-Type"] = "application/json"
        body = json.dumps({"text": slack_text(payload)}).encode("utf-8")
        return target.url_secret.reveal(), body, headers
    if target.type == "github_dispatch":
        # https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event
        assert target.token is not None
        headers["Accept"] = "application/vnd.github+json"
        headers["X-GitHub-Api-Version"] = GITHUB_API_VERSION
        headers["Authorization"] = f"Bearer {target.token.reveal()}"
        headers["Content-Type"] = "application/json"
        document = {"event_type": target.event_type, "client_payload": client_payload(payload)}
        url = f"{target.url}/repos/{target.repository}/dispatches"
        return url, json.dumps(document, sort_keys=True).encode("utf-8"), headers
    if target.type == "gitlab_trigger":
        # https://docs.gitlab.com/ci/triggers/ : POST /api/v4/projects/:id/trigger/pipeline
        assert target.token is not None
        assert target.project is not None
        fields = [("token", target.token.reveal()), ("ref", str(target.ref))]
        fields += [(f"variables[{name}]", value) for name, value in ci_variables(payload)]
        url = f"{target.url}/api/v4/projects/{quote(target.project, safe='')}/trigger/pipeline"
        headers["Content-Type"] = FORM
        return url, urlencode(fields).encode("ascii"), headers
    # Jenkins: POST <jenkins>/job/<name>/buildWithParameters with form parameters
    assert target.job is not None
    fields = ci_variables(payload)
    if target.build_token is not None:
        fields.append(("token", target.build_token.reveal()))
    job_path = "/".join(f"job/{quote(part, safe='')}" for part in target.job.split("/"))
    headers["Content-Type"] = FORM
    url = f"{target.url}/{job_path}/buildWithParameters"
    return url, urlencode(fields).encode("ascii"), headers


def client_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """GitHub accepts at most 10 top-level client_payload properties."""
    return {key: payload[key] for key in CLIENT_PAYLOAD_KEYS if payload.get(key) is not None}


def ci_variables(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The event as CI variables or build parameters ``DEVPI_*``; absent values left out."""
    file_info = payload.get("file") or {}
    urls = payload.get("urls") or {}
    values = {
        "DEVPI_EVENT": payload.get("event"),
        "DEVPI_EVENT_ID": payload.get("id"),
        "DEVPI_INDEX": payload.get("index"),
        "DEVPI_PROJECT": payload.get("project"),
        "DEVPI_VERSION": payload.get("version"),
        "DEVPI_UPLOADER": payload.get("uploader"),
        "DEVPI_FILE": file_info.get("name"),
        "DEVPI_FILE_SHA256": file_info.get("sha256"),
        "DEVPI_URL": urls.get("file") or urls.get("version") or urls.get("index"),
    }
    return [(name, str(value)) for name, value in values.items() if value is not None]


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


def post(target: Target, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    import requests

    describe = f"{target.type} target {target.name}"
    headers = {"User-Agent": USER_AGENT, **headers}
    if target.auth is not None:
        headers["Authorization"] = authorization(target)
    try:
        with requests.Session() as session:
            response = session.post(
                url,
                data=body,
                headers=headers,
                timeout=target.timeout,
                verify=target.ca_file or True,
                allow_redirects=False,
            )
            status = response.status_code
            text = response.text[:2000]
    except requests.Timeout:
        raise DeliveryError(f"{describe}: no answer within {target.timeout:g} s") from None
    except requests.exceptions.ProxyError:
        raise DeliveryError(f"{describe}: the proxy refused or failed the request") from None
    except requests.exceptions.SSLError:
        raise DeliveryError(f"{describe}: TLS verification failed") from None
    except requests.ConnectionError:
        raise DeliveryError(f"{describe}: could not connect") from None
    except requests.RequestException as error:  # its message may hold the URL
        raise DeliveryError(f"{describe}: {type(error).__name__}") from None
    if 200 <= status < 300:
        return Answer(status, text)
    if 300 <= status < 400:
        raise DeliveryError(f"{describe}: HTTP {status} redirect not followed")
    raise DeliveryError(f"{describe}: HTTP {status}")


def authorization(target: Target) -> str:
    assert target.auth is not None
    secret = target.auth.secret.reveal()
    if target.auth.type == "bearer":
        return f"Bearer {secret}"
    pair = f"{target.auth.username}:{secret}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


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
