"""`sogoms tokens revoke-legacy APP USER_ID`: refuse every Go-issued (jti-less) token of one user from now on."""

from __future__ import annotations

import argparse
import asyncio

from adapters.sql.auth_store import SqlRevocationList
from domain.errors import BadRequest
from domain.principal import legacy_revocation_key, user_id_from_sub
from entrypoints.paths import Paths

from .container import app_database, load_app


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("tokens", help="access tokens (legacy tokens of the Go system)")
    s = p.add_subparsers(dest="tokens_cmd", required=True)
    r = s.add_parser(
        "revoke-legacy",
        help="refuse every legacy token (no jti) of one user from now on: the per-user cut-off of auth.legacy_tokens",
    )
    r.add_argument("app")
    r.add_argument("user_id")
    r.set_defaults(run=revoke_legacy)


def revoke_legacy(args: argparse.Namespace, paths: Paths) -> int:
    app = load_app(paths, args.app)
    until = app.settings.auth.legacy_until
    if until is None:
        raise BadRequest(f"{app.name} does not accept legacy tokens (no auth.legacy_tokens in its app.yaml)")
    key = legacy_revocation_key(user_id_from_sub(args.user_id))

    async def run() -> None:
        async with app_database(paths, app) as db:
            await SqlRevocationList(db).revoke(app.name, key, int(until))

    asyncio.run(run())
    print(f"{app.name}: legacy tokens of user {args.user_id} are refused from now on")
    return 0
