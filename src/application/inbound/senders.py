"""Who sent a message: an account proven by the app's trust settings, or nobody."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from application.auth.session import principal_from_row
from application.auth.users import UserDirectory
from domain.app import App
from domain.auth import normalize_email
from domain.mail.inbound import Senders
from domain.mail.inbound_message import InboundMessage, authenticated, secret_address_owner
from domain.principal import Principal


@dataclass(frozen=True, slots=True)
class Sender:
    principal: Principal | None
    user: dict[str, Any]
    proof: str  # how the account was proven: dkim, spf, dmarc, secret_address; why not, when it was not
    address: str


async def identify(
    app: App, message: InboundMessage, senders: Senders, users: UserDirectory, secret: bytes | None
) -> Sender:
    """The account the message proves it comes from. A From header alone proves nothing (anyone can write it)."""
    address = message.sender.address if message.sender else ""
    if app.auth is None:
        return Sender(None, {}, "the app has no user accounts", address)
    if senders.secret_address and secret:
        user_id = secret_address_owner(message, secret, app.name)
        if user_id is not None:
            row = await users.by_id(app, int(user_id) if user_id.isdigit() else user_id)
            if row is not None:
                return Sender(principal_from_row(app, row), app.public_user(row), "secret_address", address)
    trust = senders.authentication_results
    if trust is not None and message.sender is not None:
        proof = authenticated(message, trust)
        if proof is not None:
            row = await users.by_login(app, normalize_email(message.sender.address))
            if row is not None:
                return Sender(principal_from_row(app, row), app.public_user(row), proof, address)
            return Sender(None, {}, f"no account with the address {address}", address)
        return Sender(None, {}, f"the sender is not authenticated by {trust.authserv_id}", address)
    return Sender(None, {}, "the sender could not be proven", address)
