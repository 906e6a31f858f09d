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

# rate limits (login per account and per address, sign-ups per address): one row per bucket, reserved by a
# compare-and-set before the work (adapters/sql/rate_limits.py)
rate_limits = Table(
    "sogoms_rate_limits",
    metadata,
    Column("bucket", String(255), primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("hits", Integer, nullable=False),
    Index("ix_sogoms_rate_limits_window", "window_start"),
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

# audit entries the log store could not take when their write committed (disk full, sogoms-logs failing): kept
# here, in the app's own database, and shipped to the audit log once it writes again (adapters/audit/spool.py).
# claimed_by/claimed_at: the gateway worker shipping a row (a claim older than a minute is taken over).
audit_spool = Table(
    "sogoms_audit_spool",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("entry", Text().with_variant(MEDIUMTEXT(), "mysql"), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("claimed_by", String(64), nullable=False, default=""),
    Column("claimed_at", BigInteger, nullable=False, default=0),
)

# inbound mail (sogoms-mailproc): one row per message (by Message-ID, else a hash of the raw message) and its
# rule's progress and outcome; one row per IMAP UID that is done with. Times in epoch milliseconds.
mail_messages = Table(
    "sogoms_mail_messages",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("mailbox", String(64), nullable=False),
    Column("message_key", String(64), nullable=False),
    Column("message_id", String(255), nullable=False, default=""),
    Column("folder", String(255), nullable=False, default=""),
    Column("uid", BigInteger, nullable=False, default=0),
    Column("sender", String(320), nullable=False, default=""),
    Column("subject", String(255), nullable=False, default=""),
    Column("status", String(16), nullable=False),
    Column("rule", String(64), nullable=False, default=""),
    Column("step", Integer, nullable=False, default=0),
    Column("attempts", Integer, nullable=False, default=0),
    Column("claimed_by", String(64), nullable=False, default=""),
    Column("lease_until", BigInteger, nullable=False, default=0),
    Column("next_attempt_at", BigInteger, nullable=False, default=0),
    Column("context", Text().with_variant(MEDIUMTEXT(), "mysql"), nullable=False),
    Column("outcome", Text().with_variant(MEDIUMTEXT(), "mysql"), nullable=False),
    Column("error", Text, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    UniqueConstraint("mailbox", "message_key", name="uq_sogoms_mail_message"),
    Index("ix_sogoms_mail_messages_updated", "updated_at"),
)

mail_uids = Table(
    "sogoms_mail_uids",
    metadata,
    Column("mailbox", String(64), primary_key=True),
    Column("folder", String(255), primary_key=True),
    Column("uidvalidity", BigInteger, primary_key=True),
    Column("uid", BigInteger, primary_key=True),
    Column("message_key", String(64), nullable=False),
    Column("settled_at", BigInteger, nullable=False),
)
