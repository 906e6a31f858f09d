"""The platform's own tables in each app database (prefixed `sogoms_`): auth state, audit, outbox, cron."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text, UniqueConstraint
from sqlalchemy.dialects.mysql import MEDIUMTEXT

metadata = MetaData()

revoked_tokens = Table(
    "sogoms_revoked_tokens",
    metadata,
    Column("jti", String(64), primary_key=True),
    Column("expires_at", BigInteger, nullable=False),
    Column("revoked_at", BigInteger, nullable=False),
    Index("ix_sogoms_revoked_at", "revoked_at"),
)

refresh_tokens = Table(
    "sogoms_refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("family", String(64), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("access_jti", String(64), nullable=False),
    Column("access_expires_at", BigInteger, nullable=False, default=0),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger, nullable=True),
    Column("revoked_at", BigInteger, nullable=True),
    Index("ix_sogoms_refresh_family", "family"),
    Index("ix_sogoms_refresh_access", "access_jti"),
)

login_failures = Table(
    "sogoms_login_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("bucket", String(255), nullable=False),
    Column("at", BigInteger, nullable=False),
    Index("ix_sogoms_login_failures", "bucket", "at"),
)

migrations = Table(
    "sogoms_migrations",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("applied_at", BigInteger, nullable=False),
)

# cron: one row per run; a scheduled firing is claimed by inserting its (job, scheduled_for) row, so on one
# database each firing runs once whatever the number of sogoms-cron instances (manual runs: scheduled_for NULL)
cron_runs = Table(
    "sogoms_cron_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(64), nullable=False),
    Column("scheduled_for", BigInteger, nullable=True),
    Column("kind", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("owner", String(128), nullable=False, default=""),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_at", BigInteger, nullable=False),
    Column("finished_at", BigInteger, nullable=True),
    Column("duration_ms", BigInteger, nullable=True),
    Column("error", Text, nullable=True),
    Column("result", Text, nullable=True),
    UniqueConstraint("job", "scheduled_for", name="uq_sogoms_cron_firing"),
    Index("ix_sogoms_cron_runs_job", "job", "id"),
    Index("ix_sogoms_cron_runs_claimed", "claimed_at"),
)

# cron: each job's lease, so a job never overlaps itself (times in epoch milliseconds)
cron_locks = Table(
    "sogoms_cron_locks",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("run_id", BigInteger, nullable=True),
    Column("owner", String(128), nullable=False, default=""),
    Column("lease_until", BigInteger, nullable=False, default=0),
)

# the mail outbox (sogoms-smtp): times in epoch milliseconds, bodies up to 16 MiB on MariaDB
outbox = Table(
    "sogoms_outbox",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("message_id", String(255), nullable=False, unique=True),
    Column("recipient", String(600), nullable=False),
    Column("reply_to", String(600), nullable=False, default=""),
    Column("subject", Text, nullable=False),
    Column("body", Text().with_variant(MEDIUMTEXT(), "mysql"), nullable=False),
    Column("body_html", Text().with_variant(MEDIUMTEXT(), "mysql"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", BigInteger, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("claimed_by", String(64), nullable=False, default=""),
    Column("created_at", BigInteger, nullable=False),
    Column("sent_at", BigInteger, nullable=True),
    Index("ix_sogoms_outbox_due", "status", "next_attempt_at"),
)

PLATFORM_PREFIX = "sogoms_"
