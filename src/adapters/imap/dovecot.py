"""A throw-away Dovecot IMAP server in a folder of its own: the development mailbox and the tests' real server.

Its own config file, its own base, state and mail folders, one loopback port, users from a passwd file; no system
file touched. Dovecot runs unprivileged: as the current user, or as `nobody` when started by root.
"""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


def dovecot_binary() -> str | None:
    found = shutil.which("dovecot") or (DOVECOT if os.path.exists(DOVECOT) else None)
    return found


@dataclass(frozen=True, slots=True)
class DovecotInstance:
    root: Path
    port: int
    config: Path
    user: str  # the unprivileged account it runs as

    def command(self, binary: str) -> list[str]:
        """`dovecot -F` (foreground: the caller owns the process), dropping root first when needed."""
        run = [binary, "-F", "-c", str(self.config)]
        if os.geteuid() == 0:
            # setpriv changes the uid, which clears the parent-death signal: `--pdeathsig keep` sets it again, so Dovecot
            # still stops when its supervisor dies (even of kill -9)
            return [
                "setpriv",
                f"--reuid={self.user}",
                f"--regid={_group(self.user)}",
                "--clear-groups",
                "--pdeathsig",
                "keep",
                *run,
            ]
        return run


def _group(user: str) -> int:
    return pwd.getpwnam(user).pw_gid


def _account() -> str:
    if os.geteuid() == 0:
        return "nobody"
    return pwd.getpwuid(os.geteuid()).pw_name


def prepare_dovecot(
    port: int,
    users: dict[str, str],
    root: Path | None = None,
    ssl_cert: tuple[Path, Path] | None = None,
    tls_port: int = 0,
) -> DovecotInstance:
    """Writes the config, passwd file and folders; `users` maps login to password (plain, for a dev server).

    With `ssl_cert` (certificate and key files) the server offers STARTTLS on `port`, and implicit TLS on `tls_port`.
    """
    account = _account()
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="sogoms-dovecot-"))
    for sub in ("run", "state", "mail"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    for login, password in users.items():
        if any(c in login + password for c in ":\r\n"):
            raise ValueError(f"IMAP login {login!r} or its password contains ':' or a line break")
    (root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in users.items()), encoding="utf-8")
    tls = ""
    if ssl_cert is not None:
        (root / "tls").mkdir(exist_ok=True)
        cert, key = root / "tls" / "cert.pem", root / "tls" / "key.pem"
        shutil.copyfile(ssl_cert[0], cert)
        shutil.copyfile(ssl_cert[1], key)
        tls = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{key}\n"
    config = root / "dovecot.conf"
    config.write_text(
        f"""# written by sogoms: a throw-away Dovecot (see src/adapters/imap/dovecot.py)
base_dir = {root}/run
state_dir = {root}/state
instance_name = sogoms-{port}
default_internal_user = {account}
default_internal_group = {_group_name(account)}
default_login_user = {account}
protocols = imap
listen = 127.0.0.1
{tls or "ssl = no"}
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={account} gid={_group_name(account)} home={root}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
  }}
}}
service anvil {{
  chroot =
}}
""",
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        uid, gid = pwd.getpwnam(account).pw_uid, _group(account)
        for path in (root, *root.rglob("*")):
            os.chown(path, uid, gid)
        root.chmod(0o755)
    return DovecotInstance(root, port, config, account)


def _group_name(account: str) -> str:
    import grp

    return grp.getgrgid(_group(account)).gr_name
