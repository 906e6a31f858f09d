"""An outbox entry as a MIME message: From the app's sender, its stored Message-ID, text and/or HTML parts."""

from __future__ import annotations

from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from application.mail.ports import MailAccount
from domain.mail.outbound import OutboxMessage, parse_address


def build_message(account: MailAccount, message: OutboxMessage) -> EmailMessage:
    """The MIME message; Date is when it was queued, so every retry of it is byte-identical but for transport."""
    mail = EmailMessage()
    username, _, domain = account.sender.rpartition("@")
    mail["From"] = Address(account.smtp.from_name, username, domain)
    mail["To"] = parse_address(message.recipient)
    if message.reply_to:
        mail["Reply-To"] = parse_address(message.reply_to)
    mail["Subject"] = message.subject
    mail["Date"] = format_datetime(datetime.fromtimestamp(message.created_at or 0, UTC))
    mail["Message-ID"] = message.message_id
    if message.body:
        mail.set_content(message.body)
        if message.body_html:
            mail.add_alternative(message.body_html, subtype="html")
    else:
        mail.set_content(message.body_html, subtype="html")
    return mail


def envelope_recipient(message: OutboxMessage) -> str:
    return parse_address(message.recipient).addr_spec
