"""Issue 12: Hypothesis over channel matching and URL scoping (bounded: 400 examples each).

Properties: ``contains`` never raises; a URL it accepts is on the channel's exact origin and,
after percent-decoding and ``\\`` -> ``/``, under the channel's path with no ``..``."""

from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from plugin_contract.session.channels import ChannelPattern, Origin
from plugin_contract.session.url_scope import decoded_path, is_loopback_host

PATTERN = ChannelPattern.parse("https://h.example/chan")
PIECES = st.sampled_from(
    ["chan", "other", "..", ".", "%2e%2e", "..%2F", "..%5C", "%2F", "%5c", "%252e", "x", "", "\\"]
)
HOSTS = st.sampled_from(
    ["h.example", "H.EXAMPLE", "h.example.", "h.example.evil", "127.0.0.1", "[::1", "evil"]
)
BOUNDED = settings(max_examples=400, deadline=None, database=None)


@BOUNDED
@given(
    scheme=st.sampled_from(["https", "http", "file", "HTTPS"]),
    host=HOSTS,
    port=st.sampled_from(["", ":443", ":8443", ":x"]),
    pieces=st.lists(PIECES, max_size=6),
)
def test_no_credential_outside_the_channel(
    scheme: str, host: str, port: str, pieces: list[str]
) -> None:
    url = f"{scheme}://{host}{port}/" + "/".join(pieces)
    if not PATTERN.contains(url):
        return
    origin = Origin.of(url)
    assert (origin.scheme, origin.host.rstrip("."), origin.port) == ("https", "h.example", 443)
    segments = [s for s in decoded_path(urlsplit(url).path).split("/") if s and s != "."]
    assert ".." not in segments
    assert segments[:1] == ["chan"]


@BOUNDED
@given(st.text(max_size=40))
def test_arbitrary_text_never_raises(text: str) -> None:
    PATTERN.contains(text)
    PATTERN.contains("https://h.example/chan/" + text)
    is_loopback_host(text)
    assert not is_loopback_host("127." + text + ".evil.test")
