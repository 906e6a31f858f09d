"""Read a live database's tables into a domain Schema: SQLite PRAGMAs, MariaDB INFORMATION_SCHEMA."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.schema.model import UNINDEXABLE, Field, FieldType, Schema, Table

from .platform_tables import PLATFORM_PREFIX


def field_type(declared: str, column_type: str = "") -> tuple[FieldType, int | None]:
    """Our type (and max length) for a column's SQL type."""
    t = declared.lower().strip()
    full = (column_type or declared).lower()
    m = re.search(r"\((\d+)", full)
    size = int(m.group(1)) if m else None
    base = re.split(r"[\s(]", t, maxsplit=1)[0]
    if (base in ("tinyint",) and size == 1) or base in ("bool", "boolean"):
        return FieldType.BOOL, None
    if "int" in base:
        return FieldType.INT, None
    if base in ("varchar", "char", "character", "nvarchar", "nchar", "varying", "enum", "set"):
        return FieldType.STRING, size if base != "enum" else None
    if "text" in base or "clob" in base or base in ("blob", "longblob", "mediumblob"):
        return FieldType.TEXT, None
    if base in ("float", "double", "real", "decimal", "numeric", "dec"):
        return FieldType.FLOAT, None
    if base == "date":
        return FieldType.DATE, None
    if base in ("datetime", "timestamp"):
        return FieldType.DATETIME, None
    if base == "json":
        return FieldType.JSON, None
    if not base:
        return FieldType.TEXT, None
    return FieldType.STRING, size


def _literal_default(raw: Any) -> Any:
    """A column default as a value; SQL expressions (CURRENT_TIMESTAMP...) kept as text."""
    if raw is None:
        return None
    s = str(raw).strip()
    if s.upper() == "NULL":
        return None
    if re.fullmatch(r"current_timestamp(\(\))?", s, re.IGNORECASE):
        return "CURRENT_TIMESTAMP"
    if len(s) >= 2 and s[0] == s[-1] == "'":
        return s[1:-1].replace("''", "'")
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    if re.fullmatch(r"-?\d+\.\d*", s):
        return float(s)
    return s


async def driver_rows(conn: AsyncConnection, sql: str, params: tuple[Any, ...] | None = None) -> list[tuple[Any, ...]]:
    """The rows of a driver-level statement (PRAGMA, INFORMATION_SCHEMA) as tuples of any length (SQLAlchemy 2.1
    types `exec_driver_sql`'s rows as one-column rows)."""
    return [tuple(r) for r in await conn.exec_driver_sql(sql, params)]


async def introspect_sqlite(conn: AsyncConnection) -> Schema:
    names = [
        r[0]
        for r in await driver_rows(
            conn, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    tables: dict[str, Table] = {}
    for name in names:
        if name.startswith(PLATFORM_PREFIX):
            continue
        quoted = '"' + name.replace('"', '""') + '"'
        cols = await driver_rows(conn, f"PRAGMA table_info({quoted})")
        fks = {r[3]: f"{r[2]}.{r[4]}" for r in await driver_rows(conn, f"PRAGMA foreign_key_list({quoted})")}
        unique: set[str] = set()
        groups: list[tuple[str, ...]] = []
        plain: list[tuple[str, ...]] = []
        for idx in await driver_rows(conn, f"PRAGMA index_list({quoted})"):
            if idx[3] == "pk" or (len(idx) > 4 and idx[4]):  # the primary key's own index; a partial index
                continue
            qidx = '"' + str(idx[1]).replace('"', '""') + '"'
            members = await driver_rows(conn, f"PRAGMA index_info({qidx})")
            if not idx[2]:
                if members and all(m[2] is not None for m in members):  # not an index on an expression
                    plain.append(tuple(m[2] for m in sorted(members)))
            elif len(members) == 1:
                unique.add(members[0][2])
            elif members:
                groups.append(tuple(m[2] for m in sorted(members)))
        pk_count = sum(1 for c in cols if c[5])
        fields: dict[str, Field] = {}
        for _cid, cname, ctype, notnull, default, pk in cols:
            ftype, size = field_type(ctype or "")
            primary = bool(pk) and pk_count == 1
            auto = primary and (ctype or "").upper() == "INTEGER"
            fields[cname] = Field(
                type=ftype,
                name=cname,
                primary=primary,
                auto=auto,
                unique=cname in unique and not primary,
                nullable=not notnull and not primary,
                default=_literal_default(default),
                max_length=size if ftype is FieldType.STRING else None,
                foreign=fks.get(cname),
                filter="owner" if cname == "user_id" else None,
            )
        tables[name] = Table(name=name, fields=fields, unique_together=tuple(groups), indexes=_indexable(fields, plain))
    return Schema(tables)


async def introspect_mysql(conn: AsyncConnection) -> Schema:
    columns = (
        await conn.execute(
            text(
                "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, "
                "CHARACTER_MAXIMUM_LENGTH, COLUMN_KEY, EXTRA, COLUMN_COMMENT "
                "FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                "ORDER BY TABLE_NAME, ORDINAL_POSITION"
            )
        )
    ).all()
    fks = {
        (r[0], r[1]): f"{r[2]}.{r[3]}"
        for r in await conn.execute(
            text(
                "SELECT TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME "
                "FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() "
                "AND REFERENCED_TABLE_NAME IS NOT NULL"
            )
        )
    }
    index_rows = (
        await conn.execute(
            text(
                "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE "
                "FROM INFORMATION_SCHEMA.STATISTICS "
                "WHERE TABLE_SCHEMA = DATABASE() AND INDEX_NAME <> 'PRIMARY' "
                "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
            )
        )
    ).all()
    members: dict[tuple[str, str], list[str]] = {}
    plain: dict[tuple[str, str], list[str]] = {}
    partial: set[tuple[str, str]] = set()
    for tname, iname, cname, non_unique, sub_part, itype in index_rows:
        if int(non_unique):
            plain.setdefault((tname, iname), []).append(cname)
            if sub_part is not None or str(itype).upper() != "BTREE":  # a prefix, FULLTEXT or SPATIAL index
                partial.add((tname, iname))
        else:
            members.setdefault((tname, iname), []).append(cname)
    plain_by_table: dict[str, list[tuple[str, ...]]] = {}
    for key, cols in plain.items():
        if key not in partial:
            plain_by_table.setdefault(key[0], []).append(tuple(cols))
    unique = {(t, cols[0]) for (t, _), cols in members.items() if len(cols) == 1}
    groups: dict[str, list[tuple[str, ...]]] = {}
    for (t, _), cols in members.items():
        if len(cols) > 1:
            groups.setdefault(t, []).append(tuple(cols))
    json_columns: set[tuple[str, str]] = set()
    for tname, clause in await conn.execute(
        text(
            "SELECT TABLE_NAME, CHECK_CLAUSE FROM INFORMATION_SCHEMA.CHECK_CONSTRAINTS "
            "WHERE CONSTRAINT_SCHEMA = DATABASE()"
        )
    ):
        m = re.fullmatch(r"\s*json_valid\(`?([A-Za-z0-9_]+)`?\)\s*", str(clause), re.IGNORECASE)
        if m:
            json_columns.add((tname, m.group(1)))
    pk_counts: dict[str, int] = {}
    for r in columns:
        if r[7] == "PRI":
            pk_counts[r[0]] = pk_counts.get(r[0], 0) + 1
    grouped: dict[str, dict[str, Field]] = {}
    for tname, cname, dtype, ctype, nullable, default, maxlen, key, extra, comment in columns:
        if tname.startswith(PLATFORM_PREFIX):
            continue
        ftype, _size = field_type(dtype, ctype)
        if dtype == "longtext" and (tname, cname) in json_columns:
            ftype = FieldType.JSON
        primary = key == "PRI" and pk_counts.get(tname) == 1
        grouped.setdefault(tname, {})[cname] = Field(
            type=ftype,
            name=cname,
            primary=primary,
            auto="auto_increment" in (extra or "").lower(),
            unique=(tname, cname) in unique,
            nullable=nullable == "YES" and not primary,
            default=_literal_default(default),
            max_length=int(maxlen) if ftype is FieldType.STRING and maxlen else None,
            foreign=fks.get((tname, cname)),
            filter="owner" if cname == "user_id" else None,
            description=comment or "",
        )
    return Schema(
        {
            t: Table(
                name=t,
                fields=f,
                unique_together=tuple(groups.get(t, ())),
                indexes=_indexable(f, plain_by_table.get(t, [])),
            )
            for t, f in grouped.items()
        }
    )


def _indexable(fields: dict[str, Field], indexes: list[tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """Plain indexes over columns a schema may name in `indexes:` (not TEXT/JSON), each once."""
    out: list[tuple[str, ...]] = []
    for cols in indexes:
        if cols not in out and all(c in fields and fields[c].type not in UNINDEXABLE for c in cols):
            out.append(cols)
    return tuple(out)


async def introspect(conn: AsyncConnection) -> Schema:
    if conn.dialect.name == "sqlite":
        return await introspect_sqlite(conn)
    return await introspect_mysql(conn)
