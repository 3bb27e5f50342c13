"""Issue 12 fuzz (Hypothesis, bounded): the condarc reader and channel matching.

- the reader (``condarc.parse_text`` and ``SessionConfig.load``) never raises anything but a
  one-line ``ConfigError``, whatever the text;
- ``plugin_contract.conda_match`` makes the same choice as real conda 26.7.1's own
  ``get_session`` (run in a real conda, all cases in one process) for every case conda itself
  can decide;
- no entry conda picks for a URL ever carries credentials our scoping would send outside
  the channel: whenever our session adds credentials, the URL is inside the channel.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugin_contract import condarc
from plugin_contract.conda_match import canonical_name, conda_auth
from plugin_contract.errors import ConfigError
from plugin_contract.session.config import SessionConfig
from testharness.plugin import RealCondaFactory

ORACLE = Path(__file__).with_name("conda_matcher_oracle.py")
BOUNDED = settings(max_examples=150, deadline=None, database=None)

FRAGMENTS = st.sampled_from(
    [
        "channel_settings:\n",
        "  - channel: ",
        "    auth: basic-auth\n",
        "    password: x\n",
        "channel_alias: ",
        "[a, b]\n",
        "null\n",
        "http://[::1\n",
        "https://ci:pw@h.test/c\n",
        "&a [*a]\n",
        "*a\n",
        "remote_max_retries: .inf\n",
        "remote_read_timeout_secs: -1\n",
        "1: x\n",
        "{",
        "[",
        "- ",
        "  ",
        "\t",
        "\x00",
        "\ufeff",
        "? [a]\n: b\n",
        "x: 1\nx: 2\n",
        "basic\n",
        "$(id)\n",
        "../../etc/passwd\n",
        "ssl_verify: [1]\n",
    ]
)


@BOUNDED
@given(pieces=st.lists(FRAGMENTS, max_size=12), noise=st.text(max_size=20))
def test_the_condarc_reader_never_tracebacks(
    pieces: list[str], noise: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = "".join(pieces) + noise
    message = config_error(lambda: condarc.parse_text(text, "fuzz.condarc"))
    assert message is None or "\n" not in message
    path = tmp_path_factory.mktemp("rc") / ".condarc"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    loaded: list[SessionConfig] = []
    message = config_error(
        lambda: loaded.append(SessionConfig.load(environ={"HOME": str(path.parent)}, paths=[path]))
    )
    assert message is None or ("\n" not in message and "pw@" not in message)
    for config in loaded:
        for entry in config.channels:
            entry.contains("https://h.test/c/noarch/x")


def config_error(call: Callable[[], object]) -> str | None:
    """The one-line error ``call`` raises, ``None`` if it succeeds; anything else propagates."""
    try:
        call()
    except ConfigError as error:
        return str(error)
    return None


ALIASES = ["http://127.0.0.1:8000", "https://conda.example.org", "https://h.test/sub"]
HOSTS = ["127.0.0.1:8000", "conda.example.org", "h.test", "H.TEST", "other.test"]
SEGMENTS = st.sampled_from(
    ["basic", "chan", "sub", "conda", "t", "tk-1", "noarch", "linux-64", "osx-arm64", "x"]
)
FILES = st.sampled_from(
    ["", "repodata.json", "repodata.json.zst", "repodata_shards.msgpack.zst", "p-1-0.conda"]
)


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    alias = draw(st.sampled_from(ALIASES))
    scheme = draw(st.sampled_from(["https", "http"]))
    path = "/".join(draw(st.lists(SEGMENTS, max_size=4)))
    leaf = draw(FILES)
    url = f"{scheme}://{draw(st.sampled_from(HOSTS))}/{path}"
    if leaf:
        url = url.rstrip("/") + "/" + leaf
    channels = st.one_of(
        st.sampled_from(["basic", "chan", "basic/sub", "sub/basic", "t", "conda/x"]),
        st.builds(
            lambda s, h, p, star: f"{s}://{h}/{p}{star}",
            st.sampled_from(["https", "http"]),
            st.sampled_from([*HOSTS, "*.test", "*"]),
            st.sampled_from(["basic", "chan", "sub/basic", "", "conda/chan"]),
            st.sampled_from(["", "/*", "*", "/noarch/*"]),
        ),
    )
    names = draw(st.lists(channels, min_size=1, max_size=4))
    entries = [{"channel": name, "auth": f"h{index}"} for index, name in enumerate(names)]
    return {"alias": alias, "entries": entries, "url": url}


def test_matching_agrees_with_real_condas_own_matcher(
    real_conda_factory: RealCondaFactory,
) -> None:
    collected: list[dict[str, Any]] = []

    @BOUNDED
    @given(cases())
    def collect(case: dict[str, Any]) -> None:
        collected.append(case)

    collect()
    conda = real_conda_factory("session-basic-auth")  # the install other tests use too
    proc = subprocess.run(
        [str(conda.python), str(ORACLE)],
        input=json.dumps(collected),
        capture_output=True,
        text=True,
        env=conda.env(),
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    answers = json.loads(proc.stdout)
    decided = 0
    for case, answer in zip(collected, answers, strict=True):
        if "error" in answer:
            continue
        decided += 1
        ours = (
            canonical_name(case["url"], case["alias"]),
            conda_auth(case["url"], case["entries"], case["alias"]),
        )
        assert ours == (answer["name"], answer["auth"]), case
    assert decided >= len(collected) // 2
