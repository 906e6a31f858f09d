"""Each app's SMTP account from its `smtp:` settings, the password read from SOGOMS_SECRETS_DIR."""

from __future__ import annotations

from pathlib import Path

from adapters.config.secrets import read_secret
from application.mail.ports import MailAccount
from domain.app import SmtpSettings
from domain.errors import ConfigError, NotFound
from domain.mail.outbound import header_problem, parse_address


def _account(app_id: str, smtp: SmtpSettings, secrets_dir: Path) -> MailAccount:
    where = f"app {app_id}: smtp"
    if not smtp.host.strip():
        raise ConfigError(f"{where}.host is required")
    if not 0 < smtp.port < 65536:
        raise ConfigError(f"{where}.port must be between 1 and 65535")
    sender = smtp.from_address or (smtp.user if "@" in smtp.user else "")
    if not sender:
        raise ConfigError(f"{where}.from is required (the sender address, e.g. noreply@example.com)")
    try:
        address = parse_address(sender)
    except ValueError as exc:
        raise ConfigError(f"{where}.from {sender!r} {exc}") from None
    problem = header_problem(smtp.from_name, 200)
    if problem:
        raise ConfigError(f"{where}.from_name {problem}")
    password = ""
    if smtp.password_file:
        password = read_secret(secrets_dir, smtp.password_file, f"{where}.password_file").decode()
    return MailAccount(app_id, smtp, address.addr_spec, password)


class SmtpAccounts:
    """Implements MailAccounts; `use()` swaps the whole set (reload)."""

    def __init__(self, secrets_dir: Path) -> None:
        self._secrets_dir = Path(secrets_dir)
        self._accounts: dict[str, MailAccount | None] = {}

    def load(self, settings: dict[str, SmtpSettings | None]) -> dict[str, MailAccount | None]:
        """Every app's account (None for an app without `smtp:`); ConfigError on the first bad one."""
        return {
            app_id: _account(app_id, smtp, self._secrets_dir) if smtp is not None else None
            for app_id, smtp in settings.items()
        }

    def use(self, accounts: dict[str, MailAccount | None]) -> None:
        self._accounts = dict(accounts)

    def configure(self, settings: dict[str, SmtpSettings | None]) -> None:
        self.use(self.load(settings))

    def account(self, app_id: str) -> MailAccount:
        if app_id not in self._accounts:
            raise NotFound(f"Unknown app {app_id!r}")
        account = self._accounts[app_id]
        if account is None:
            raise ConfigError(f"App {app_id!r} has no `smtp:` section in its app.yaml, so it cannot send mail")
        return account

    def apps(self) -> list[str]:
        return sorted(app_id for app_id, account in self._accounts.items() if account is not None)
