"""Sign in, find the session behind a cookie, sign out: server-side sessions with idle and absolute expiry."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from application.auth.limits import give_back, take_slots
from application.ports.auth_store import RateLimits, Refusal
from application.ports.clock import Clock
from application.ports.security import PasswordHasher
from domain.admin import AdminSession, AdminUser, LoginRateLimit, SessionSettings
from domain.errors import InvalidCredentials, RateLimited

from .audit import Auditor
from .ports import AdminUsers, Randomness, SessionStore

THROTTLE_SCOPE = "_admin"
MAX_PASSWORD = 1024  # longer ones are refused without hashing them


def session_hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AdminLogin:
    username: str
    password: str
    client_ip: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A live session: `session_id` goes into the (signed) cookie and nowhere else."""

    session_id: str
    session: AdminSession
    user: AdminUser


class AdminSessions:
    def __init__(
        self,
        users: AdminUsers,
        store: SessionStore,
        hasher: PasswordHasher,
        rate_limits: RateLimits,
        clock: Clock,
        randomness: Randomness,
        auditor: Auditor,
        settings: SessionSettings,
        limits: LoginRateLimit,
    ) -> None:
        self._users, self._store, self._hasher, self._rate = users, store, hasher, rate_limits
        self._clock, self._random, self._audit = clock, randomness, auditor
        self._settings, self._limits = settings, limits

    async def login(self, cmd: AdminLogin) -> SignedIn:
        """A new session (never a reused id); InvalidCredentials alike for unknown users and wrong passwords."""
        now = self._clock.now()
        # the attempt is counted before the password is checked: parallel guesses cannot all get through
        slots = await take_slots(
            self._rate,
            THROTTLE_SCOPE,
            [(f"ip:{cmd.client_ip}", self._limits.login_max)],
            int(self._limits.window_seconds),
            int(now),
        )
        if isinstance(slots, Refusal):
            await self._audit.record(cmd.username[:64], cmd.client_ip, "login", outcome="rate_limited")
            raise RateLimited(
                "Too many failed sign-ins from your address; wait a minute and try again",
                retry_after=slots.retry_after,
            )
        try:
            user = await self._users.get(cmd.username.strip().lower()) if cmd.username else None
            password = cmd.password if len(cmd.password) <= MAX_PASSWORD else ""
            check = await self._hasher.verify(user.password_hash if user else None, password)
        except BaseException:
            await give_back(self._rate, THROTTLE_SCOPE, slots)
            raise
        if user is None or not check.valid or not password:
            await self._audit.record(cmd.username[:64], cmd.client_ip, "login", outcome="failed")
            raise InvalidCredentials("Invalid username or password")
        await give_back(self._rate, THROTTLE_SCOPE, slots)  # a sign-in that succeeded is not a failure
        if check.needs_rehash:
            user = user.with_hash(await self._hasher.hash(cmd.password))
            await self._users.save(user)
        session_id = self._random.token()
        session = AdminSession(
            id_hash=session_hash(session_id),
            username=user.username,
            csrf_token=self._random.token(),
            created_at=now,
            last_seen=now,
            ip=cmd.client_ip,
        )
        await self._store.create(session)
        await self._audit.record(user.username, cmd.client_ip, "login", rehashed=check.needs_rehash)
        return SignedIn(session_id, session, user)

    async def resolve(self, session_id: str) -> SignedIn | None:
        """The live session behind this id, its idle clock reset; None (and the session deleted) when expired."""
        if not session_id:
            return None
        id_hash = session_hash(session_id)
        session = await self._store.get(id_hash)
        if session is None:
            return None
        now = self._clock.now()
        if session.expired(now, self._settings.idle_seconds, self._settings.absolute_seconds):
            await self._store.delete(id_hash)
            return None
        user = await self._users.get(session.username)
        if user is None:  # account removed from the file: its sessions die with it
            await self._store.delete(id_hash)
            return None
        if now - session.last_seen >= 1:
            await self._store.touch(id_hash, now)
        return SignedIn(session_id, session, user)

    async def logout(self, signed_in: SignedIn, client_ip: str) -> None:
        await self._store.delete(signed_in.session.id_hash)
        await self._audit.record(signed_in.user.username, client_ip, "logout")

    def new_token(self) -> str:
        """A random token (the login form's CSRF token before any session exists)."""
        return self._random.token()

    async def purge(self) -> int:
        now = self._clock.now()
        return await self._store.purge(now - self._settings.idle_seconds, now - self._settings.absolute_seconds)
