"""The fetcher: refusals never send a packet; allowed pages come from a local server on 127.0.0.1 only."""

from __future__ import annotations

import pytest

from tests.reliability.local_server import LocalPageServer, Page
from workbench.core.errors import WorkbenchError
from workbench.core.fetch import (
    DomainThrottle,
    FetchFailed,
    FetchUnavailable,
    RawResponse,
    UrlRefused,
    fetch_url,
    guard_url,
)

PUBLIC_IP = "93.184.216.34"  # never contacted: every test using it injects the connection


class NeverConnect:
    """A connection function that fails the test if it is ever called."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, **kwargs):
        self.calls += 1
        raise AssertionError(f"the fetcher tried to connect: {kwargs}")


class ScriptedConnect:
    """Answers from a script keyed by (ip, target), recording each call; never touches the network."""

    def __init__(self, script: dict[tuple[str, str], tuple[int, dict[str, str], bytes]]) -> None:
        self.script = script
        self.calls: list[dict] = []

    def __call__(self, **kwargs) -> RawResponse:
        self.calls.append(kwargs)
        status, headers, body = self.script[(kwargs["ip"], kwargs["target"])]
        return RawResponse(status=status, headers=headers, chunks=iter([body]))


def resolver_for(table: dict[str, list[str]]):
    calls: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        calls.append(host)
        return table[host]

    resolve.calls = calls
    return resolve


def no_wait_throttle() -> DomainThrottle:
    return DomainThrottle(0)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:6379/", "loopback"),
        ("http://169.254.169.254/", "link-local"),
        ("http://10.0.0.1/", "private"),
        ("http://[::1]/", "loopback"),
        ("http://[::ffff:127.0.0.1]/", "loopback"),
        # is_global says yes to these; each is refused by name.
        ("http://192.0.0.192/", "IETF protocol assignment"),
        ("http://100.100.100.200/", "shared"),
        ("http://198.18.0.1/", "benchmarking"),
        ("http://[2001:db8::1]/", "documentation"),
        # IPv4 wrapped in IPv6: the inner address decides, and is named.
        ("http://[2002:7f00:1::]/", r"loopback address \(127\.0\.0\.1\) wrapped"),
        ("http://[2002:a9fe:a9fe::1]/", r"link-local address \(169\.254\.169\.254\) wrapped"),
        ("http://[64:ff9b::a9fe:a9fe]/", r"link-local address \(169\.254\.169\.254\) wrapped"),
        ("http://[64:ff9b:1::a00:1]/", r"private address \(10\.0\.0\.1\) wrapped"),
        ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", r"loopback address \(127\.0\.0\.1\) wrapped"),
        ("http://[::ffff:192.168.0.1]/", r"private address \(192\.168\.0\.1\) wrapped"),
        # Wrapping a public address is still not a public web server's address.
        ("http://[2002:808:808::1]/", "6to4"),
        ("http://[64:ff9b::808:808]/", "NAT64"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://224.0.0.1/", "multicast"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://news.example/", "only http and https"),
        ("ftp://news.example/", "only http and https"),
        ("http:///path-only", "names no host"),
        ("http://user:pw@news.example/", "credentials"),
    ],
)
def test_refused_urls_never_connect_and_say_why(url, reason):
    connect = NeverConnect()
    resolver = resolver_for({"news.example": [PUBLIC_IP]})
    with pytest.raises(UrlRefused, match=reason) as caught:
        fetch_url(url, resolver=resolver, connect=connect, throttle=no_wait_throttle())
    assert connect.calls == 0
    assert isinstance(caught.value, WorkbenchError)
    with pytest.raises(UrlRefused):
        guard_url(url, resolver=resolver)


def test_a_name_resolving_to_a_cloud_metadata_address_is_refused():
    resolver = resolver_for({"metadata.example": ["192.0.0.192"]})
    with pytest.raises(UrlRefused, match="metadata.example.*192.0.0.192, an IETF protocol assignment address"):
        guard_url("http://metadata.example/latest", resolver=resolver)


def test_a_name_resolving_to_a_public_ipv6_address_is_allowed():
    resolver = resolver_for({"v6.example": ["2606:4700:4700::1111"]})
    guard_url("http://v6.example/", resolver=resolver)


def test_a_name_resolving_to_a_private_address_is_refused():
    connect = NeverConnect()
    resolver = resolver_for({"intranet.example": ["192.168.1.20"]})
    with pytest.raises(UrlRefused, match="intranet.example.*192.168.1.20, a private address"):
        fetch_url("https://intranet.example/x", resolver=resolver, connect=connect, throttle=no_wait_throttle())
    assert connect.calls == 0


def test_a_name_with_any_private_address_among_public_ones_is_refused():
    resolver = resolver_for({"mixed.example": [PUBLIC_IP, "10.9.8.7"]})
    with pytest.raises(UrlRefused, match="10.9.8.7"):
        guard_url("http://mixed.example/", resolver=resolver)


def test_a_redirect_from_an_allowed_host_to_a_private_address_is_refused_before_connecting():
    resolver = resolver_for({"news.example": [PUBLIC_IP]})
    connect = ScriptedConnect(
        {(PUBLIC_IP, "/story"): (302, {"location": "http://169.254.169.254/latest/meta-data"}, b"")}
    )
    with pytest.raises(UrlRefused, match="169.254.169.254, a link-local address"):
        fetch_url("http://news.example/story", resolver=resolver, connect=connect, throttle=no_wait_throttle())
    assert [call["ip"] for call in connect.calls] == [PUBLIC_IP]


def test_a_redirect_to_a_name_that_resolves_privately_is_refused():
    resolver = resolver_for({"news.example": [PUBLIC_IP], "sneaky.example": ["127.0.0.1"]})
    connect = ScriptedConnect({(PUBLIC_IP, "/a"): (301, {"location": "http://sneaky.example:6379/"}, b"")})
    with pytest.raises(UrlRefused, match="sneaky.example.*loopback"):
        fetch_url("http://news.example/a", resolver=resolver, connect=connect, throttle=no_wait_throttle())
    assert len(connect.calls) == 1


def test_the_connection_goes_to_the_checked_address_with_the_host_name_kept():
    resolver = resolver_for({"news.example": [PUBLIC_IP]})
    connect = ScriptedConnect(
        {(PUBLIC_IP, "/p?q=1"): (200, {"content-type": "text/html", "etag": '"v1"'}, b"<p>hi</p>")}
    )
    result = fetch_url("https://news.example/p?q=1", resolver=resolver, connect=connect, throttle=no_wait_throttle())
    assert result.body == b"<p>hi</p>" and result.etag == '"v1"' and result.status == 200
    (call,) = connect.calls
    assert (call["scheme"], call["ip"], call["port"], call["host"]) == ("https", PUBLIC_IP, 443, "news.example")
    assert call["headers"]["User-Agent"].startswith("ProvenanceWorkbench/")
    assert resolver.calls == ["news.example"]


def test_too_many_redirects_fail_permanently():
    resolver = resolver_for({"news.example": [PUBLIC_IP]})
    connect = ScriptedConnect({(PUBLIC_IP, "/loop"): (302, {"location": "/loop"}, b"")})
    with pytest.raises(FetchFailed, match="more than 2 redirects"):
        fetch_url(
            "http://news.example/loop", resolver=resolver, connect=connect, max_redirects=2, throttle=no_wait_throttle()
        )
    assert len(connect.calls) == 3


def test_a_loopback_port_not_named_by_the_test_setting_stays_refused(settings):
    settings.FETCH_TEST_ALLOW_LOOPBACK = ["127.0.0.1:18080"]
    with pytest.raises(UrlRefused, match="loopback"):
        fetch_url("http://127.0.0.1:6379/", connect=NeverConnect(), throttle=no_wait_throttle())


@pytest.fixture
def page_server(settings):
    with LocalPageServer() as server:
        settings.FETCH_TEST_ALLOW_LOOPBACK = [server.allowance]
        yield server


def test_a_page_is_fetched_from_the_local_server_with_our_user_agent(page_server):
    page_server.routes["/story"] = Page(body=b"Body text.", headers={"Content-Type": "text/plain", "ETag": '"abc"'})
    result = fetch_url(page_server.url("/story"), throttle=no_wait_throttle())
    assert result.body == b"Body text."
    assert result.etag == '"abc"'
    assert page_server.received[0].headers["user-agent"].startswith("ProvenanceWorkbench/")


def test_a_refetch_sends_the_validators_and_a_304_means_not_modified(page_server):
    def conditional(request):
        if request.headers.get("if-none-match") == '"abc"':
            return Page(status=304, body=b"", headers={"ETag": '"abc"'})
        return Page(body=b"Body text.", headers={"ETag": '"abc"', "Last-Modified": "Wed, 04 Dec 2024 10:00:00 GMT"})

    page_server.routes["/story"] = conditional
    first = fetch_url(page_server.url("/story"), throttle=no_wait_throttle())
    again = fetch_url(
        page_server.url("/story"), etag=first.etag, last_modified=first.last_modified, throttle=no_wait_throttle()
    )
    assert again.not_modified and again.body == b""
    assert page_server.received[1].headers["if-modified-since"] == "Wed, 04 Dec 2024 10:00:00 GMT"


def test_a_local_redirect_is_followed_and_recorded(page_server):
    page_server.routes["/old"] = Page(status=301, headers={"Location": "/new"})
    page_server.routes["/new"] = Page(body=b"moved here")
    result = fetch_url(page_server.url("/old"), throttle=no_wait_throttle())
    assert result.body == b"moved here" and result.final_url == page_server.url("/new")


def test_an_oversized_page_is_refused(page_server):
    page_server.routes["/big"] = Page(body=b"x" * 5000)
    with pytest.raises(FetchFailed, match="too large"):
        fetch_url(page_server.url("/big"), max_bytes=1000, throttle=no_wait_throttle())


def test_client_errors_are_permanent_and_server_errors_transient(page_server):
    page_server.routes["/busy"] = Page(status=503)
    with pytest.raises(FetchFailed, match="404"):
        fetch_url(page_server.url("/missing"), throttle=no_wait_throttle())
    with pytest.raises(FetchUnavailable, match="503"):
        fetch_url(page_server.url("/busy"), throttle=no_wait_throttle())


def test_a_closed_port_is_a_transient_error(settings):
    with LocalPageServer() as server:
        url, allowance = server.url("/"), server.allowance
    settings.FETCH_TEST_ALLOW_LOOPBACK = [allowance]
    with pytest.raises(FetchUnavailable):
        fetch_url(url, throttle=no_wait_throttle())


def test_the_domain_throttle_spaces_requests_to_one_domain_only():
    now = [100.0]
    slept: list[float] = []
    throttle = DomainThrottle(2.0, clock=lambda: now[0], sleep=slept.append)
    assert throttle.wait("a.example") == 0
    assert throttle.wait("b.example") == 0
    assert throttle.wait("a.example") == 2.0
    now[0] += 10
    assert throttle.wait("a.example") == 0
    assert slept == [2.0]
