"""`schema.yaml` (the seed's format) decoded into domain Schema / Table / Field."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from domain.errors import ConfigError
from domain.schema.model import CRUD_OPERATIONS, Field, Schema, Table

from .strict import convert, read_yaml


@dataclass(frozen=True, slots=True)
class TableSpec:
    fields: dict[str, Field]
    crud: tuple[str, ...] | None = None
    order: str = ""
    filters: dict[str, str] | None = None
    check: dict[str, str] | None = None
    roles: dict[str, tuple[str, ...]] | None = None
    unique_together: tuple[tuple[str, ...], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    description: str = ""


@dataclass(frozen=True, slots=True)
class SchemaSpec:
    tables: dict[str, TableSpec] = field(default_factory=dict)
    version: str = ""


def schema_from_data(data: object, where: str) -> Schema:
    spec = convert(data or {}, SchemaSpec, where)
    tables: dict[str, Table] = {}
    for tname, t in spec.tables.items():
        try:
            fields = {fname: replace(f, name=fname) for fname, f in t.fields.items()}
            # the accounts table is served by /auth/*, not by CRUD, unless crud says otherwise
            is_auth = any(f.auth for f in fields.values())
            crud = t.crud if t.crud is not None else (() if is_auth else CRUD_OPERATIONS)
            tables[tname] = Table(
                name=tname,
                fields=fields,
                crud=crud,
                order=t.order,
                filters=t.filters,
                check=t.check,
                roles=t.roles,
                unique_together=t.unique_together,
                indexes=t.indexes,
                description=t.description,
            )
        except ValueError as exc:
            raise ConfigError(f"{where}: at `tables.{tname}`: {exc}") from None
    schema = Schema(tables)
    problems = schema.problems()
    if problems:
        raise ConfigError(f"{where}: " + "; ".join(problems))
    return schema


def load_schema(path: Path, env: dict[str, str] | None = None) -> Schema:
    return schema_from_data(read_yaml(path, env), str(path))
