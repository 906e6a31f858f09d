"""How an app stores its users (`queries/auth.yaml`, or derived from schema.yaml) and the rules of sign-up."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import FieldError, InvalidInput
from domain.identifiers import check_identifier
from domain.query import sql_text
from domain.query.statement import Statement
from domain.schema.model import Schema

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_PASSWORD_LENGTH = 1024  # sign-up and sign-in alike: a longer one is refused before any hashing


@dataclass(frozen=True, slots=True)
class AuthQuery:
    query: str

    def __post_init__(self) -> None:
        if not self.query.strip().upper().startswith(("SELECT", "WITH")):
            raise ValueError("query must be a SELECT statement")


@dataclass(frozen=True, slots=True)
class RegisterSpec:
    table: str = "users"
    fields: tuple[str, ...] = ("email", "name", "password")
    required: tuple[str, ...] = ("email", "password")

    def __post_init__(self) -> None:
        check_identifier(self.table, "table")
        for f in (*self.fields, *self.required):
            check_identifier(f, "field")


@dataclass(frozen=True, slots=True)
class AuthQueries:
    """The user store of one app.

    `login` selects the user by `:email` and must return `id` and the password column;
    `me` selects the user by `:user_id`; `register` says which body fields a sign-up sets.
    Extra `claims` (e.g. organization_id) are copied from the login row into the token,
    and can then be used as `:organization_id` in every query of the app.
    """

    login: AuthQuery
    me: AuthQuery
    register: RegisterSpec | None = None
    table: str = "users"
    key: str = "id"
    login_field: str = "email"
    password_field: str = "password"
    name_field: str = "name"
    role_field: str = "role"
    claims: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in (self.table, self.key, self.login_field, self.password_field, self.name_field):
            check_identifier(name)
        if self.role_field:
            check_identifier(self.role_field, "role_field")
        for c in self.claims:
            check_identifier(c, "claim")
            if c in ("sub", "email", "name", "app", "role", "exp", "iat", "jti", "user_id", "typ", "pwv"):
                raise ValueError(f"claim {c!r} is reserved")
        if "email" not in sql_text.placeholders(self.login.query):
            raise ValueError("login query must use :email")
        if "user_id" not in sql_text.placeholders(self.me.query):
            raise ValueError("me query must use :user_id")

    def login_statement(self, email: str) -> Statement:
        return Statement(self.login.query, {"email": email})

    def me_statement(self, user_id: Any) -> Statement:
        return Statement(self.me.query, {"user_id": user_id})

    def password_update(self, user_id: Any, new_hash: str) -> Statement:
        sql = f"UPDATE {self.table} SET {self.password_field} = :_hash WHERE {self.key} = :_id"
        return Statement(sql, {"_hash": new_hash, "_id": user_id})

    def register_statement(self, values: dict[str, Any], role: str | None) -> Statement:
        assert self.register is not None
        row = dict(values)
        if role is not None and self.role_field:
            row[self.role_field] = role
        cols = list(row)
        sql = f"INSERT INTO {self.register.table} ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
        return Statement(sql, row)

    def public_user(self, row: dict[str, Any]) -> dict[str, Any]:
        """The row without its password column."""
        return {k: v for k, v in row.items() if k != self.password_field}


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_registration(
    body: dict[str, Any], spec: RegisterSpec, password_field: str, min_password: int
) -> dict[str, Any]:
    """The sign-up values from the body (declared fields only), or InvalidInput listing each problem."""
    errors: list[FieldError] = []
    values: dict[str, Any] = {}
    for name in spec.fields:
        value = body.get(name)
        if value is None:
            if name in spec.required:
                errors.append(FieldError(name, "is required"))
            continue
        if not isinstance(value, str):
            errors.append(FieldError(name, "must be a string"))
            continue
        if name == "email":
            value = normalize_email(value)
            if not _EMAIL.match(value) or len(value) > 254:
                errors.append(FieldError(name, "must be a valid email address"))
                continue
        if name == password_field:
            if len(value) < min_password:
                errors.append(FieldError(name, f"must be at least {min_password} characters"))
                continue
            if len(value) > MAX_PASSWORD_LENGTH:
                errors.append(FieldError(name, f"must be at most {MAX_PASSWORD_LENGTH} characters"))
                continue
        elif len(value) > 255:
            errors.append(FieldError(name, "must be at most 255 characters"))
            continue
        elif "\x00" in value:
            errors.append(FieldError(name, "must not contain NUL characters"))
            continue
        values[name] = value
    if errors:
        raise InvalidInput(errors)
    return values


def derive_auth_queries(schema: Schema) -> AuthQueries | None:
    """Auth queries for the table whose fields say `auth: login` and `auth: password` (None if none does)."""
    for table in schema.tables.values():
        login = next((f for f in table.fields.values() if f.auth == "login"), None)
        password = next((f for f in table.fields.values() if f.auth == "password"), None)
        if login is None and password is None:
            continue
        if login is None or password is None:
            raise ValueError(f"table {table.name} needs both an `auth: login` and an `auth: password` field")
        key = table.primary_key
        visible = [n for n, f in table.fields.items() if not f.hidden and f.auth != "password"]
        claims = tuple(
            n
            for n, f in table.fields.items()
            if f.foreign and n not in (key, "user_id") and n.endswith("_id") and not f.hidden
        )
        # sign-up sets the login, the password and the fields that have no default (e.g. name), nothing else
        register_fields = tuple(
            n
            for n, f in table.fields.items()
            if f.auth is not None
            or (
                not f.auto
                and not f.primary
                and not f.hidden
                and f.filter is None
                and f.default is None
                and n not in ("role", *claims)
            )
        )
        required = tuple(n for n in register_fields if table.fields[n].auth or table.fields[n].is_required_on_create)
        return AuthQueries(
            login=AuthQuery(
                f"SELECT {', '.join(dict.fromkeys([*visible, password.name]))} FROM {table.name} "
                f"WHERE {login.blind_column if login.encrypted and login.blind_column else login.name} = :email"
            ),
            me=AuthQuery(f"SELECT {', '.join(visible)} FROM {table.name} WHERE {key} = :user_id"),
            register=RegisterSpec(table=table.name, fields=register_fields, required=required),
            table=table.name,
            key=key,
            login_field=login.name,
            password_field=password.name,
            name_field="name" if "name" in table.fields else login.name,
            role_field="role" if "role" in table.fields else "",
            claims=claims,
        )
    return None
