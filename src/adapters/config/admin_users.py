"""AdminUsers on `{SECRETS_DIR}/admin_users.yaml` (the seed's format), re-read when it changes, written atomically."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from domain.admin import AdminUser
from domain.errors import ConfigError

from .strict import convert, parse_yaml
from .yaml_limits import YamlTooLarge

log = logging.getLogger("sogoms.admin")


@dataclass(frozen=True, slots=True)
class UsersFile:
    """The file; `session` and `rate_limit` are the seed's keys, accepted but read from config/admin.yaml here."""

    users: tuple[AdminUser, ...] = ()
    session: dict[str, Any] | None = None
    rate_limit: dict[str, Any] | None = None


def user_record(u: AdminUser) -> dict[str, Any]:
    record: dict[str, Any] = {"username": u.username, "password_hash": u.password_hash, "role": u.role.value}
    if u.email:
        record["email"] = u.email
    if u.apps:
        record["apps"] = list(u.apps)
    if u.permissions:
        record["permissions"] = list(u.permissions)
    return record


class YamlAdminUsers:
    """Implements AdminUsers. The file is read again whenever its modification time or size changes."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._stamp: tuple[int, int] | None = None
        self._users: dict[str, AdminUser] = {}

    def _load(self) -> dict[str, AdminUser]:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._users = None, {}
            return self._users
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            data = self._parse()
            users: dict[str, AdminUser] = {}
            for u in data.users:
                if u.username in users:
                    raise ConfigError(f"{self.path}: user {u.username!r} is listed twice")
                users[u.username] = u
            if data.session or data.rate_limit:
                log.warning("%s: `session` and `rate_limit` are read from config/admin.yaml, not here", self.path)
            self._stamp, self._users = stamp, users
        return self._users

    def _parse(self) -> UsersFile:
        # no ${VAR} expansion here: password hashes are full of '$'
        try:
            raw = parse_yaml(self.path.read_text(encoding="utf-8"))
        except YamlTooLarge as exc:
            raise ConfigError(f"{self.path}: refused: {exc}") from None
        except yaml.YAMLError as exc:
            raise ConfigError(f"{self.path}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{self.path}: cannot read: {exc}") from None
        return convert(raw or {}, UsersFile, str(self.path))

    async def all(self) -> list[AdminUser]:
        return list((await asyncio.to_thread(self._load)).values())

    async def get(self, username: str) -> AdminUser | None:
        return (await asyncio.to_thread(self._load)).get(username)

    async def save(self, user: AdminUser) -> None:
        await asyncio.to_thread(self._save, user)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _save(self, user: AdminUser) -> None:
        with self._locked():
            self._stamp = None
            users = dict(self._load())
            users[user.username] = user
            text = "# SOGOMS admin accounts (sogoms admin-user add|passwd|list). Hashes: argon2id.\n" + yaml.safe_dump(
                {"users": [user_record(u) for u in users.values()]}, sort_keys=False
            )
            fd, tmp = tempfile.mkstemp(prefix=".admin_users.", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.chmod(tmp, 0o600)
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(tmp)
                raise
            self._stamp = None
