"""`sogoms-crypt`: encrypt, decrypt, hash (blind index), rotate_status, health for every app's fields."""

from __future__ import annotations

import argparse
import logging
import sys

from adapters.config.apps import YamlAppRepository
from adapters.crypt.aesgcm import AesGcmCipher
from application.crypt.actions import CRYPT_ACTIONS, CryptActions
from domain.app import AppSettings
from entrypoints.paths import Paths
from entrypoints.wiring.service import Service, service_args, service_main

log = logging.getLogger("sogoms.crypt")


def build(args: argparse.Namespace, paths: Paths) -> Service:
    repo = YamlAppRepository(paths.config, paths.secrets)

    def settings() -> dict[str, AppSettings]:
        return {d.name: repo.load_settings(d) for d in repo.app_dirs()}

    cipher = AesGcmCipher(paths.secrets, settings())

    async def reload() -> None:
        cipher.configure(settings())
        log.info("sogoms-crypt: app settings and keys reloaded")

    return Service("crypt", CryptActions(cipher, cipher), CRYPT_ACTIONS, reload=reload)


def main(argv: list[str] | None = None) -> int:
    return service_main(service_args("crypt", "SOGOMS field-encryption service"), "crypt", build, argv)


if __name__ == "__main__":
    sys.exit(main())
