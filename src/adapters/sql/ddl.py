"""Domain tables as SQLAlchemy Core tables (for generated SQL and for CREATE/ALTER in migrations)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.types import TypeEngine

from domain.schema.model import Field, FieldType
from domain.schema.model import Table as DomainTable

_EXPRESSION = re.compile(r"^current_timestamp(\(\))?$", re.IGNORECASE)


def column_type(f: Field) -> TypeEngine[Any]:
    t = f.type
    if t is FieldType.INT:
        return Integer() if f.primary or f.foreign else BigInteger().with_variant(Integer(), "sqlite")
    if t is FieldType.STRING:
        return String(f.max_length or 255)
    if t is FieldType.TEXT:
        return Text()
    if t is FieldType.FLOAT:
        return Double()
    if t is FieldType.BOOL:
        return Boolean(create_constraint=False)
    if t is FieldType.DATE:
        return Date()
    if t is FieldType.DATETIME:
        return DateTime()
    return JSON()


def server_default(f: Field) -> Any:
    """The column default as DDL: literals quoted, CURRENT_TIMESTAMP kept as an expression."""
    d = f.default
    if d is None:
        return None
    if isinstance(d, str) and _EXPRESSION.match(d.strip()):
        return text("CURRENT_TIMESTAMP")
    if isinstance(d, bool):
        return text("1" if d else "0")
    if isinstance(d, int | float):
        return text(repr(d))
    return str(d)


def sa_column(f: Field) -> Column[Any]:
    args: list[Any] = [column_type(f)]
    if f.foreign and f.foreign_table and f.foreign_field:
        args.append(ForeignKey(f"{f.foreign_table}.{f.foreign_field}"))
    return Column(
        f.name,
        *args,
        primary_key=f.primary,
        autoincrement=True if f.auto else ("auto" if f.primary else False),
        nullable=f.is_nullable,
        unique=f.unique or None,
        server_default=server_default(f),
        comment=f.description or None,
    )


def sa_table(table: DomainTable, metadata: MetaData | None = None) -> Table:
    md = metadata if metadata is not None else MetaData()
    return Table(table.name, md, *[sa_column(f) for f in table.stored_fields().values()])
