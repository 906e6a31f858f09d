"""The HttpClient port on httpx: one request (following up to 5 redirects, each hop checked by the guard)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from application.cron.ports import HttpResponse
from domain.cron import JobFailure

from .guard import Resolver, is_internal, literal, system_resolver, vet

MAX_BODY = 64 * 1024  # bytes of a response kept
MAX_REDIRECTS = 5
_DROP_ON_REDIRECT = ("authorization", "cookie", "proxy-authorization")


class HttpxJobClient:
    """Implements HttpClient. Connects to the address the guard approved, with the URL's name as Host and SNI."""

    def __init__(
        self,
        *,
        resolver: Resolver = system_resolver,
        internal: Callable[[str], bool] = is_internal,
        user_agent: str = "sogoms-cron",
    ) -> None:
        self._resolver, self._internal = resolver, internal
        self._client = httpx.AsyncClient(follow_redirects=False, trust_env=False, headers={"User-Agent": user_agent})

    async def request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: Any,
        timeout: float,
        allow_private: bool,
    ) -> HttpResponse:
        current = httpx.URL(url)
        hdrs = dict(headers)
        for _ in range(MAX_REDIRECTS + 1):
            response, text = await self._once(method, current, hdrs, body, timeout, allow_private)
            location = response.headers.get("location") if response.is_redirect else None
            if location is None:
                return HttpResponse(response.status_code, text)
            following = current.join(location)
            if following.host != current.host:
                hdrs = {k: v for k, v in hdrs.items() if k.lower() not in _DROP_ON_REDIRECT}
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
            current = following
        raise JobFailure(f"more than {MAX_REDIRECTS} redirects from {url}", retryable=False)

    async def _once(
        self, method: str, url: httpx.URL, headers: dict[str, str], body: Any, timeout: float, allow_private: bool
    ) -> tuple[httpx.Response, str]:
        if url.scheme not in ("http", "https") or not url.host:
            raise JobFailure(f"only http and https URLs with a host are allowed, not {str(url)!r}", retryable=False)
        port = url.port or (443 if url.scheme == "https" else 80)
        address = await vet(url.host, port, allow_private, self._resolver, self._internal)
        pinned = url.copy_with(host=address)
        extensions: dict[str, Any] = {}
        if url.scheme == "https" and literal(url.host) is None:
            extensions["sni_hostname"] = url.host
        content: dict[str, Any] = {}
        if isinstance(body, dict | list):
            content["json"] = body
        elif body is not None:
            content["content"] = str(body).encode()
        request = self._client.build_request(
            method,
            pinned,
            headers={**headers, "Host": url.netloc.decode("ascii")},
            timeout=timeout,
            extensions=extensions,
            **content,
        )
        try:
            response = await self._client.send(request, stream=True)
            try:
                kept = bytearray()
                async for chunk in response.aiter_bytes():
                    kept += chunk
                    if len(kept) >= MAX_BODY:
                        break
                text = bytes(kept[:MAX_BODY]).decode(response.encoding or "utf-8", errors="replace")
            finally:
                await response.aclose()
        except httpx.TimeoutException:
            raise JobFailure(f"{method} {url} timed out", retryable=True) from None
        except httpx.HTTPError as exc:
            raise JobFailure(f"{method} {url} failed: {exc}", retryable=True) from None
        return response, text

    async def close(self) -> None:
        await self._client.aclose()
