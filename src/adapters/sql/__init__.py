"""SQLAlchemy (Core, async) adapters: MariaDB through asyncmy, SQLite through aiosqlite."""
