"""Sign in and sign out."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from application.admin.sessions import AdminLogin
from domain.errors import InvalidCredentials, RateLimited

from .web import CSRF_COOKIE, CSRF_PURPOSE, SESSION_PURPOSE, client_ip, form, page, signed_in, urls, web


def _login_page(request: Request[Any, Any, Any], error: str = "", status: int = 200, username: str = "") -> Template:
    """The form, with a fresh pre-session CSRF token in a signed cookie unless a valid one is already there."""
    w = web(request)
    token = w.signer.unsign(CSRF_PURPOSE, request.cookies.get(CSRF_COOKIE))
    cookies = []
    if token is None:
        token = w.sessions.new_token()
        cookies.append(
            Cookie(
                key=CSRF_COOKIE,
                value=w.signer.sign(CSRF_PURPOSE, token),
                path=w.urls.login,
                httponly=True,
                secure=w.settings.session.secure,
                samesite="strict",
                max_age=3600,
            )
        )
    response = page(request, "login.html", status_code=status, login_csrf=token, error=error, username=username)
    response.cookies.extend(cookies)
    return response


@get("/login")
async def login_form(request: Request[Any, Any, Any]) -> Response[Any]:
    if request.state.get("signed_in") is not None:
        return Redirect(urls(request).home)
    return _login_page(request)


@post("/login")
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    w = web(request)
    data = await form(request)
    username = data.get("username", "")[:128]
    try:
        result = await w.sessions.login(AdminLogin(username, data.get("password", ""), client_ip(request)))
    except RateLimited as exc:
        response = _login_page(request, exc.message, 429, username)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except InvalidCredentials as exc:
        return _login_page(request, exc.message, 401, username)
    old = request.state.get("signed_in")
    if old is not None:  # signing in again replaces the previous session; it is not reused
        await w.sessions.logout(old, client_ip(request))
    settings = w.settings.session
    redirect = Redirect(w.urls.home, status_code=303)
    redirect.cookies.append(
        Cookie(
            key=settings.cookie_key,
            value=w.signer.sign(SESSION_PURPOSE, result.session_id),
            path="/",
            httponly=True,
            secure=settings.secure,
            samesite="strict",
            max_age=int(settings.absolute_seconds),
        )
    )
    redirect.cookies.append(Cookie(key=CSRF_COOKIE, value="", path=w.urls.login, max_age=0, expires=0))
    return redirect


@post("/logout")
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    w = web(request)
    await w.sessions.logout(signed_in(request), client_ip(request))
    redirect = Redirect(w.urls.login, status_code=303)
    redirect.cookies.append(
        Cookie(
            key=w.settings.session.cookie_key,
            value="",
            path="/",
            max_age=0,
            expires=0,
            httponly=True,
            secure=w.settings.session.secure,
            samesite="strict",
        )
    )
    if request.headers.get("hx-request") == "true":
        redirect.headers["HX-Redirect"] = w.urls.login
    return redirect
