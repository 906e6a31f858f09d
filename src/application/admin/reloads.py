"""Ask the supervisor to reload the services a change concerns; a failure is reported, never hidden."""

from __future__ import annotations

from domain.errors import DomainError

from .ports import ServiceControl


async def reload_services(control: ServiceControl, services: tuple[str, ...]) -> list[str]:
    """Reload each service in turn; the problems met, as sentences for the operator (empty when all went well)."""
    problems: list[str] = []
    for name in services:
        try:
            await control.reload(name)
        except DomainError as exc:
            problems.append(f"{name} was not reloaded: {exc.message}")
    return problems
