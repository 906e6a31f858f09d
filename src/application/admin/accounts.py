"""Manage admin accounts (`sogoms admin-user add | passwd | list`)."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports.security import PasswordHasher
from domain.admin import AdminUser, Role
from domain.errors import Conflict, FieldError, InvalidInput, NotFound

from .ports import AdminUsers, SessionStore

MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class NewAdmin:
    username: str
    password: str
    role: str = Role.APP_ADMIN.value
    email: str = ""
    apps: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput([FieldError("password", f"must be at least {MIN_PASSWORD} characters")])


class AdminAccounts:
    def __init__(self, users: AdminUsers, hasher: PasswordHasher, sessions: SessionStore | None = None) -> None:
        self._users, self._hasher, self._sessions = users, hasher, sessions

    async def add(self, cmd: NewAdmin) -> AdminUser:
        check_password(cmd.password)
        try:
            role = Role(cmd.role)
        except ValueError:
            raise InvalidInput([FieldError("role", "must be super_admin or app_admin")]) from None
        if role is Role.APP_ADMIN and not cmd.apps:
            raise InvalidInput([FieldError("apps", "an app_admin needs at least one app")])
        try:
            user = AdminUser(
                cmd.username.strip().lower(),
                "pending",
                role,
                cmd.email.strip(),
                tuple(cmd.apps) if role is Role.APP_ADMIN else (),
                tuple(cmd.permissions) if role is Role.APP_ADMIN else (),
            )
        except ValueError as exc:
            raise InvalidInput([FieldError("user", str(exc))]) from None
        if await self._users.get(user.username) is not None:
            raise Conflict(f"admin user {user.username!r} already exists (use `sogoms admin-user passwd`)")
        user = user.with_hash(await self._hasher.hash(cmd.password))
        await self._users.save(user)
        return user

    async def passwd(self, username: str, password: str) -> int:
        """Set a new password; every session of that user ends. How many sessions were ended."""
        check_password(password)
        user = await self._users.get(username.strip().lower())
        if user is None:
            raise NotFound(f"no admin user {username!r}")
        await self._users.save(user.with_hash(await self._hasher.hash(password)))
        return await self._sessions.delete_user(user.username) if self._sessions is not None else 0

    async def list(self) -> list[AdminUser]:
        return sorted(await self._users.all(), key=lambda u: u.username)
