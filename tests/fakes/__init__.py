"""Fakes (not mocks) of the ports, one module per port family; each keeps what it was given so tests assert on
state. Each fake is defined once, in its module; the names are re-exported here for convenience only."""

from __future__ import annotations

from tests.fakes.admin import (
    FakeAdminUsers,
    FakeCronControl,
    FakeDatabaseProbe,
    FakeInboundControl,
    FakeRandomness,
    FakeServiceControl,
    FakeSessionStore,
)
from tests.fakes.auth import (
    FakeLister,
    FakeRateLimits,
    FakeRefreshTokens,
    FakeRevocations,
    FakeUserDirectory,
    FakeWelcome,
    StoredRefresh,
)
from tests.fakes.clock import FakeClock
from tests.fakes.cron import FakeHttpClient, FakeMailQueue, FakeRunStore, FakeServiceCaller, HttpCall, SentMail
from tests.fakes.database import FakeDatabase, FakeRows, UnreachableTableSql
from tests.fakes.inbound import FakeMailbox, FakeMailboxConnector, FakeMailboxSession, FakeMailProcessing
from tests.fakes.logs import FakeAuditTrail, FakeLogSink
from tests.fakes.mail import FakeMailAccounts, FakeMailer, FakeMailTransport, FakeOutbox, FakeTemplates, smtp_account
from tests.fakes.push import FakeEventPublisher, FakeMessageBroker, FakeResourceEvents
from tests.fakes.security import FakeHasher, FakeTokenCodec, RecordingHasher
from tests.fakes.services import (
    CRON_ACTIONS,
    SMTP_ACTIONS,
    SUPERVISOR_ACTIONS,
    FakeCronService,
    FakeSmtpService,
    FakeSupervisor,
    serving,
)
from tests.fakes.supervision import FakeHealthProbe, FakeProcess, FakeProcessRunner

__all__ = [
    "CRON_ACTIONS",
    "SMTP_ACTIONS",
    "SUPERVISOR_ACTIONS",
    "FakeAdminUsers",
    "FakeAuditTrail",
    "FakeClock",
    "FakeCronControl",
    "FakeCronService",
    "FakeDatabase",
    "FakeDatabaseProbe",
    "FakeEventPublisher",
    "FakeHasher",
    "FakeHealthProbe",
    "FakeHttpClient",
    "FakeInboundControl",
    "FakeLister",
    "FakeLogSink",
    "FakeMailAccounts",
    "FakeMailProcessing",
    "FakeMailQueue",
    "FakeMailTransport",
    "FakeMailbox",
    "FakeMailboxConnector",
    "FakeMailboxSession",
    "FakeMailer",
    "FakeMessageBroker",
    "FakeOutbox",
    "FakeProcess",
    "FakeProcessRunner",
    "FakeRandomness",
    "FakeRateLimits",
    "FakeRefreshTokens",
    "FakeResourceEvents",
    "FakeRevocations",
    "FakeRows",
    "FakeRunStore",
    "FakeServiceCaller",
    "FakeServiceControl",
    "FakeSessionStore",
    "FakeSmtpService",
    "FakeSupervisor",
    "FakeTemplates",
    "FakeTokenCodec",
    "FakeUserDirectory",
    "FakeWelcome",
    "HttpCall",
    "RecordingHasher",
    "SentMail",
    "StoredRefresh",
    "UnreachableTableSql",
    "serving",
    "smtp_account",
]
