"""DDL that reconciles a live database with schema.yaml: CREATE/ALTER/DROP per dialect (SQLite rebuilds tables)."""

from __future__ import annotations

from sqlalchemy import MetaData, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateColumn, CreateTable

from domain.schema.diff import Change
from domain.schema.indexes import index_name
from domain.schema.model import Schema
from domain.schema.model import Table as DomainTable

from .database import SqlAlchemyDatabase
from .ddl import sa_table
from .introspection import driver_rows


def _metadata_for(schema: Schema) -> MetaData:
    md = MetaData()
    for table in schema.tables.values():
        t = sa_table(table, md)
        for group in table.unique_together:
            t.append_constraint(UniqueConstraint(*group, name=f"uq_{table.name}_{'_'.join(group)}"))
    return md


class SqlSchemaMigrator:
    """Turns schema changes into DDL for one app's database (it may read the live catalog for names)."""

    def __init__(self, database: SqlAlchemyDatabase) -> None:
        self._db = database

    async def plan(self, app_id: str, declared: Schema, changes: list[Change]) -> list[str]:
        engine = await self._db.engine(app_id)
        async with engine.connect() as conn:
            return await self._plan(conn, declared, changes)

    async def _plan(self, conn: AsyncConnection, declared: Schema, changes: list[Change]) -> list[str]:
        dialect = conn.dialect
        md = _metadata_for(declared)
        q = dialect.identifier_preparer.quote
        out: list[str] = []
        sqlite = dialect.name == "sqlite"
        rebuild: list[str] = []
        indexes: list[str] = []  # last: after a SQLite rebuild, which recreates only the indexes it found
        creates = [c.table for c in changes if c.kind == "create_table"]
        for name in _creation_order(declared, creates):
            out.append(str(CreateTable(md.tables[name]).compile(dialect=dialect)).strip())
        for c in changes:
            if c.kind == "create_table":
                continue
            table = declared.tables.get(c.table)
            if c.kind == "drop_table":
                out.append(f"DROP TABLE {q(c.table)}")
            elif c.kind == "add_index":
                cols = ", ".join(q(x) for x in c.columns)
                indexes.append(f"CREATE INDEX {q(index_name(c.table, c.columns))} ON {q(c.table)} ({cols})")
            elif (sqlite and c.kind in ("alter_column", "drop_column", "drop_unique")) or (
                sqlite and c.kind == "add_unique" and len(c.columns) > 1
            ):
                if c.table not in rebuild:
                    rebuild.append(c.table)
            elif c.kind == "add_column" and table is not None:
                out += self._add_column(dialect, md, table, c.column)
            elif c.kind == "add_unique":
                cols = ", ".join(q(x) for x in c.columns)
                out.append(
                    f"CREATE UNIQUE INDEX {q('uq_' + c.table + '_' + '_'.join(c.columns))} ON {q(c.table)} ({cols})"
                )
            elif c.kind == "drop_unique":
                for index in await _mysql_unique_indexes(conn, c.table, c.columns):
                    out.append(f"ALTER TABLE {q(c.table)} DROP INDEX {q(index)}")
            elif c.kind == "drop_column":
                for fk in await _mysql_foreign_keys(conn, c.table, c.column):
                    out.append(f"ALTER TABLE {q(c.table)} DROP FOREIGN KEY {q(fk)}")
                out.append(f"ALTER TABLE {q(c.table)} DROP COLUMN {q(c.column)}")
            elif c.kind == "alter_column" and table is not None:
                out += await self._mysql_alter(conn, dialect, md, table, c)
        for name in rebuild:
            out += await _sqlite_rebuild(conn, dialect, md, declared.tables[name])
        return out + indexes

    @staticmethod
    def _add_column(dialect: Dialect, md: MetaData, table: DomainTable, column: str) -> list[str]:
        q = dialect.identifier_preparer.quote
        col = md.tables[table.name].c[column]
        spec = str(CreateColumn(col).compile(dialect=dialect)).strip()
        f = table.stored_fields()[column]
        if dialect.name == "sqlite" and f.foreign_table and f.foreign_field:
            spec += f" REFERENCES {q(f.foreign_table)} ({q(f.foreign_field)})"
        stmts = [f"ALTER TABLE {q(table.name)} ADD COLUMN {spec}"]
        if dialect.name != "sqlite" and f.foreign_table and f.foreign_field:
            stmts.append(
                f"ALTER TABLE {q(table.name)} ADD CONSTRAINT {q(f'fk_{table.name}_{column}')} FOREIGN KEY ({q(column)}) "
                f"REFERENCES {q(f.foreign_table)} ({q(f.foreign_field)})"
            )
        return stmts

    @staticmethod
    async def _mysql_alter(
        conn: AsyncConnection, dialect: Dialect, md: MetaData, table: DomainTable, c: Change
    ) -> list[str]:
        q = dialect.identifier_preparer.quote
        col = md.tables[table.name].c[c.column]
        spec = str(CreateColumn(col).compile(dialect=dialect)).strip()
        stmts: list[str] = []
        f = table.stored_fields()[c.column]
        if "foreign key" in c.detail:
            for fk in await _mysql_foreign_keys(conn, table.name, c.column):
                stmts.append(f"ALTER TABLE {q(table.name)} DROP FOREIGN KEY {q(fk)}")
        stmts.append(f"ALTER TABLE {q(table.name)} MODIFY COLUMN {spec}")
        if "foreign key" in c.detail and f.foreign_table and f.foreign_field:
            stmts.append(
                f"ALTER TABLE {q(table.name)} ADD CONSTRAINT {q(f'fk_{table.name}_{c.column}')} FOREIGN KEY "
                f"({q(c.column)}) REFERENCES {q(f.foreign_table)} ({q(f.foreign_field)})"
            )
        return stmts


def _creation_order(schema: Schema, names: list[str]) -> list[str]:
    """Tables in an order where each one's foreign tables come first (cycles fall back to declaration order)."""
    pending, done, order = list(names), set(), []
    while pending:
        progressed = False
        for name in list(pending):
            deps = {f.foreign_table for f in schema.tables[name].fields.values() if f.foreign_table}
            if all(d in done or d not in pending or d == name for d in deps):
                order.append(name)
                done.add(name)
                pending.remove(name)
                progressed = True
        if not progressed:
            order += pending
            break
    return order


async def _mysql_foreign_keys(conn: AsyncConnection, table: str, column: str) -> list[str]:
    rows = await driver_rows(
        conn,
        "SELECT CONSTRAINT_NAME FROM INFORMATION_SCHEMA.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() "
        "AND TABLE_NAME = %s AND COLUMN_NAME = %s AND REFERENCED_TABLE_NAME IS NOT NULL",
        (table, column),
    )
    return [r[0] for r in rows]


async def _mysql_unique_indexes(conn: AsyncConnection, table: str, columns: tuple[str, ...]) -> list[str]:
    rows = await driver_rows(
        conn,
        "SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) FROM INFORMATION_SCHEMA.STATISTICS "
        "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = %s AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY' "
        "GROUP BY INDEX_NAME",
        (table,),
    )
    wanted = sorted(columns)
    return [r[0] for r in rows if sorted(str(r[1]).split(",")) == wanted]


async def _sqlite_rebuild(conn: AsyncConnection, dialect: Dialect, md: MetaData, table: DomainTable) -> list[str]:
    """SQLite cannot alter a column: copy into a new table, swap, and recreate the table's own indexes."""
    q = dialect.identifier_preparer.quote
    temp = f"_sogoms_new_{table.name}"
    live_cols = [r[1] for r in await driver_rows(conn, f"PRAGMA table_info({q(table.name)})")]
    indexes = await driver_rows(
        conn,
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    )
    keep: list[str] = []
    for name, sql in indexes:
        indexed = [r[2] for r in await driver_rows(conn, f"PRAGMA index_info({q(name)})")]
        if indexed and all(c in table.stored_fields() for c in indexed):
            keep.append(str(sql))
    # copied into the same metadata, so its foreign keys still find the tables they point at
    new_table = md.tables[table.name].to_metadata(md, name=temp)
    create = str(CreateTable(new_table).compile(dialect=dialect)).strip()
    common = [c for c in table.stored_fields() if c in live_cols]
    cols = ", ".join(q(c) for c in common)
    stmts = [
        "PRAGMA defer_foreign_keys = ON",
        create,
        f"INSERT INTO {q(temp)} ({cols}) SELECT {cols} FROM {q(table.name)}",
        f"DROP TABLE {q(table.name)}",
        f"ALTER TABLE {q(temp)} RENAME TO {q(table.name)}",
    ]
    return stmts + keep
