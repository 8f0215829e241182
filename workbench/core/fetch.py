"""Fetching a page from the web without letting the web reach inside our network.

Contract:
- Only http and https. Every address a host name resolves to is checked before connecting, and again for every
  redirect; the connection goes to the checked IP (the name is never resolved twice), with the original host name
  in the Host header and for TLS (SNI and certificate check).
- Loopback, private, link-local, reserved, multicast, unspecified and other non-public addresses are refused with
  ``UrlRefused``. Only the test-only setting ``FETCH_TEST_ALLOW_LOOPBACK`` ("127.0.0.1:8123" items) lets a loopback
  host:port through, so tests can serve pages from 127.0.0.1.
- Size, time and redirect limits; a proper User-Agent; a per-domain rate limit; conditional requests (ETag and
  Last-Modified) when the caller passes what it got last time.

Errors: ``UrlRefused`` and ``FetchFailed`` are permanent (bad input: never retry); ``FetchUnavailable`` is
transient (network trouble, timeouts, 5xx, 429: retry later with backoff).

Tests inject ``resolver`` (host, port -> IP strings) and ``connect`` (a ``Connector``) so that no packet is ever
sent to a refused address even if the guard were broken.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin, urlsplit

from workbench.core.errors import WorkbenchError

FETCH_CONNECT_TIMEOUT_S = 5.0
FETCH_READ_TIMEOUT_S = 15.0
FETCH_TOTAL_TIMEOUT_S = 30.0
FETCH_MAX_BYTES = 5 * 1024 * 1024
FETCH_MAX_REDIRECTS = 5
FETCH_DOMAIN_INTERVAL_S = 2.0
FETCH_USER_AGENT = "ProvenanceWorkbench/0.1 (+fact-check re-verification; contact: newsroom administrator)"
ALLOWED_SCHEMES = frozenset({"http", "https"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})

Resolver = Callable[[str, int], Iterable[str]]


class FetchError(WorkbenchError):
    """A URL could not be fetched."""


class UrlRefused(FetchError):
    """The URL is not one we may fetch: wrong scheme, no host, or an address inside a private network. Permanent."""


class FetchFailed(FetchError):
    """The server answered, but not with a page we can use (4xx, too large, not text). Permanent."""


class FetchUnavailable(FetchError):
    """Network trouble, a timeout, 5xx or 429. Transient: worth retrying later."""


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    chunks: Iterator[bytes]
    close: Callable[[], None] = lambda: None


class Connector(Protocol):
    def __call__(
        self, *, scheme: str, ip: str, port: int, host: str, target: str, headers: dict[str, str], timeout_s: float
    ) -> RawResponse: ...


@dataclass(frozen=True)
class FetchResult:
    url: str
    final_url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False
    redirects: list[str] = field(default_factory=list)


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host:port. Raises FetchUnavailable when the name does not resolve."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchUnavailable(f"cannot resolve {host!r}: {exc.strerror or exc}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def _test_loopback_allowance() -> frozenset[tuple[str, int]]:
    try:
        from django.conf import settings

        items = getattr(settings, "FETCH_TEST_ALLOW_LOOPBACK", []) or []
    except Exception:  # Django not configured: nothing is allowed.
        return frozenset()
    allowed = set()
    for item in items:
        host, _, port = item.rpartition(":")
        if host and port.isdigit():
            allowed.add((host.strip("[]").lower(), int(port)))
    return frozenset(allowed)


# IANA's special-purpose address registries (iana.org/assignments/iana-ipv4-special-registry and
# iana-ipv6-special-registry): none of these is a public web server's address. Named explicitly rather than trusted
# to `ipaddress.is_global`, which lets some through (192.0.0.192, a cloud metadata address, and the IPv6 blocks that
# wrap an IPv4 address).
_SPECIAL_PURPOSE: tuple[tuple[str, str], ...] = (
    ("0.0.0.0/8", "unspecified"),
    ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "shared (carrier-grade NAT)"),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignment"),
    ("192.0.2.0/24", "documentation"),
    ("192.31.196.0/24", "AS112"),
    ("192.52.193.0/24", "AMT"),
    ("192.88.99.0/24", "6to4 relay"),
    ("192.168.0.0/16", "private"),
    ("192.175.48.0/24", "AS112"),
    ("198.18.0.0/15", "benchmarking"),
    ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
    ("255.255.255.255/32", "broadcast"),
    ("::/128", "unspecified"),
    ("::1/128", "loopback"),
    ("::ffff:0:0/96", "IPv4-mapped"),
    ("64:ff9b::/96", "NAT64"),
    ("64:ff9b:1::/48", "NAT64"),
    ("100::/64", "discard-only"),
    ("2001::/23", "IETF protocol assignment"),
    ("2001:db8::/32", "documentation"),
    ("2002::/16", "6to4"),
    ("2620:4f:8000::/48", "AS112"),
    ("3fff::/20", "documentation"),
    ("5f00::/16", "segment routing"),
    ("fc00::/7", "private"),
    ("fe80::/10", "link-local"),
    ("ff00::/8", "multicast"),
)
_SPECIAL_NETWORKS = tuple((ipaddress.ip_network(net), name) for net, name in _SPECIAL_PURPOSE)
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: mapped, 6to4, Teredo's client, or NAT64's last 32 bits."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in net for net in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _address_problem(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """Why ``ip`` is not a public address ("" when it is): the embedded IPv4 address is judged first, so a wrapped
    loopback or private address is named as such."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            inner_problem = _address_problem(inner)
            if inner_problem:
                return f"{inner_problem} address ({inner}) wrapped in an IPv6"
    for network, name in _SPECIAL_NETWORKS:
        if ip.version == network.version and ip in network:
            return name
    if not ip.is_global:
        return "non-public"
    return ""


def _split(url: str) -> tuple[str, str, int, str]:
    if not isinstance(url, str) or not url.strip():
        raise UrlRefused("no URL given")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"not a valid URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UrlRefused(f"refused {url!r}: only http and https URLs may be fetched, not {scheme or 'no scheme'!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UrlRefused(f"refused {url!r}: the URL names no host")
    if parts.username or parts.password:
        raise UrlRefused(f"refused {url!r}: credentials in URLs are not allowed")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), target


def check_url_syntax(url: str) -> None:
    """Refuse (UrlRefused) a URL whose scheme or form is wrong, without resolving its host. No network I/O."""
    _split(url)


def _checked_addresses(url: str, *, resolver: Resolver | None) -> tuple[str, str, int, str, list[str]]:
    scheme, host, port, target = _split(url)
    allowance = _test_loopback_allowance()
    try:
        literal = ipaddress.ip_address(host)
        addresses = [str(literal)]
    except ValueError:
        addresses = list((resolver or system_resolver)(host, port))
    if not addresses:
        raise FetchUnavailable(f"cannot resolve {host!r}: no addresses")
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
        except ValueError:
            raise UrlRefused(f"refused {url!r}: {host!r} resolves to {address!r}, which is not an IP address") from None
        problem = _address_problem(ip)
        if not problem:
            continue
        if problem == "loopback" and ((host, port) in allowance or (str(ip), port) in allowance):
            continue
        article = "an" if problem[0] in "aeiouAEIOU" else "a"
        raise UrlRefused(f"refused {url!r}: {host!r} resolves to {ip}, {article} {problem} address")
    return scheme, host, port, target, addresses


def guard_url(url: str, *, resolver: Resolver | None = None) -> None:
    """Raise UrlRefused unless url is http(s) and every address its host resolves to is public.

    Resolves the host (DNS I/O) unless ``resolver`` is given. FetchUnavailable when the name does not resolve.
    """
    _checked_addresses(url, resolver=resolver)


class DomainThrottle:
    """At most one request per domain every ``interval_s`` seconds in this process. Thread-safe."""

    def __init__(self, interval_s: float = FETCH_DOMAIN_INTERVAL_S, *, clock=time.monotonic, sleep=time.sleep):
        self.interval_s = interval_s
        self._clock, self._sleep = clock, sleep
        self._next_at: dict[str, float] = {}
        self._lock = threading.Lock()

    def wait(self, domain: str) -> float:
        """Block until domain may be contacted again; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            at = max(now, self._next_at.get(domain, now))
            self._next_at[domain] = at + self.interval_s
        delay = at - now
        if delay > 0:
            self._sleep(delay)
        return delay


_default_throttle: DomainThrottle | None = None


def default_throttle() -> DomainThrottle:
    """The process-wide throttle, spaced by settings.FETCH_DOMAIN_INTERVAL_S when Django is configured."""
    global _default_throttle
    try:
        from django.conf import settings

        interval_s = float(getattr(settings, "FETCH_DOMAIN_INTERVAL_S", FETCH_DOMAIN_INTERVAL_S))
    except Exception:  # Django not configured
        interval_s = FETCH_DOMAIN_INTERVAL_S
    if _default_throttle is None:
        _default_throttle = DomainThrottle(interval_s)
    _default_throttle.interval_s = interval_s
    return _default_throttle


def urllib3_connect(
    *, scheme: str, ip: str, port: int, host: str, target: str, headers: dict[str, str], timeout_s: float
) -> RawResponse:
    """Connect to the already-checked ip (never re-resolving host) and send one GET without following redirects."""
    import urllib3

    timeout = urllib3.Timeout(
        connect=min(FETCH_CONNECT_TIMEOUT_S, timeout_s), read=min(FETCH_READ_TIMEOUT_S, timeout_s)
    )
    if scheme == "https":
        try:
            import certifi

            ca_certs = certifi.where()
        except ImportError:
            ca_certs = None
        pool = urllib3.HTTPSConnectionPool(
            ip,
            port,
            timeout=timeout,
            retries=False,
            cert_reqs="CERT_REQUIRED",
            ca_certs=ca_certs,
            server_hostname=host,
            assert_hostname=host,
        )
    else:
        pool = urllib3.HTTPConnectionPool(ip, port, timeout=timeout, retries=False)
    default_port = 443 if scheme == "https" else 80
    host_header = host if port == default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if port == default_port else f"[{host}]:{port}"
    try:
        response = pool.urlopen(
            "GET",
            target,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            decode_content=True,
            assert_same_host=False,
        )
    except urllib3.exceptions.HTTPError as exc:
        pool.close()
        raise FetchUnavailable(
            f"cannot fetch {scheme}://{host_header}{target}: {exc.__class__.__name__}: {exc}"
        ) from None

    def chunks() -> Iterator[bytes]:
        # read1 returns whatever has arrived (decompressed, at most 64 KiB), so a server trickling bytes cannot keep
        # the caller from checking its deadline; stream() would wait for a full 64 KiB.
        try:
            while chunk := response.read1(64 * 1024):
                yield chunk
        except urllib3.exceptions.HTTPError as exc:
            raise FetchUnavailable(
                f"reading {scheme}://{host_header}{target} failed: {exc.__class__.__name__}"
            ) from None

    def close() -> None:
        response.release_conn()
        pool.close()

    return RawResponse(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        chunks=chunks(),
        close=close,
    )


def fetch_url(
    url: str,
    *,
    resolver: Resolver | None = None,
    connect: Connector | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    max_bytes: int = FETCH_MAX_BYTES,
    total_timeout_s: float = FETCH_TOTAL_TIMEOUT_S,
    max_redirects: int = FETCH_MAX_REDIRECTS,
    throttle: DomainThrottle | None = None,
    user_agent: str = FETCH_USER_AGENT,
) -> FetchResult:
    """GET url under the rules in the module docstring.

    Returns a FetchResult; ``not_modified`` is True (and the body empty) when the server answers 304 to the
    conditional request built from ``etag`` / ``last_modified``. Raises UrlRefused, FetchFailed (permanent) or
    FetchUnavailable (transient). No database access; safe to call outside any transaction (and never inside one).
    """
    connect = connect or urllib3_connect
    throttle = throttle or default_throttle()
    etag, last_modified = etag or "", last_modified or ""
    deadline = time.monotonic() + total_timeout_s
    current = url.strip() if isinstance(url, str) else url
    redirects: list[str] = []
    while True:
        scheme, host, port, target, addresses = _checked_addresses(current, resolver=resolver)
        headers = {
            "User-Agent": user_agent,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1",
            "Accept-Encoding": "gzip, deflate",
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        throttle.wait(host)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchUnavailable(f"fetching {url!r} took longer than {total_timeout_s:g} s")
        response = connect(
            scheme=scheme, ip=addresses[0], port=port, host=host, target=target, headers=headers, timeout_s=remaining
        )
        try:
            if response.status in REDIRECT_STATUSES:
                location = response.headers.get("location", "")
                if not location:
                    raise FetchFailed(f"{current!r} answered {response.status} without a Location")
                if len(redirects) >= max_redirects:
                    raise FetchFailed(f"{url!r}: more than {max_redirects} redirects")
                current = urljoin(current, location)
                redirects.append(current)
                continue
            if response.status == 304:
                return FetchResult(
                    url=url,
                    final_url=current,
                    status=304,
                    not_modified=True,
                    redirects=redirects,
                    etag=response.headers.get("etag", etag),
                    last_modified=response.headers.get("last-modified", last_modified),
                )
            if response.status in TRANSIENT_STATUSES:
                raise FetchUnavailable(f"{current!r} answered {response.status}; try again later")
            if not 200 <= response.status < 300:
                raise FetchFailed(f"{current!r} answered {response.status}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise FetchFailed(f"{current!r} is too large: {int(declared):,} bytes, the limit is {max_bytes:,}")
            body = bytearray()
            for chunk in response.chunks:
                body.extend(chunk)
                if len(body) > max_bytes:
                    raise FetchFailed(f"{current!r} is too large: more than {max_bytes:,} bytes")
                if time.monotonic() > deadline:
                    raise FetchUnavailable(f"fetching {url!r} took longer than {total_timeout_s:g} s")
            return FetchResult(
                url=url,
                final_url=current,
                status=response.status,
                body=bytes(body),
                content_type=response.headers.get("content-type", ""),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
                redirects=redirects,
            )
        finally:
            response.close()
