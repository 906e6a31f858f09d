"""Clients of the supervisor's control socket (sogoctl) and of sogoms-cron, over the platform's IPC client."""

from __future__ import annotations

from typing import Any

from application.admin.ports import ServiceState

from .client import IpcClient


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def service_state(raw: dict[str, Any]) -> ServiceState:
    pid = raw.get("pid")
    health = raw.get("last_health") or raw.get("health") or ""
    if isinstance(health, dict):  # sogoctl's {ok, note, detail, checked_ago}
        health = "ok" if health.get("ok") else str(health.get("note") or health.get("error") or "failing")
    if raw.get("reason"):
        health = f"{health} ({raw['reason']})" if health else str(raw["reason"])
    alert = ""
    if str(raw.get("state", "")).upper() == "FATAL":
        alert = f"FATAL, given up on: {raw.get('reason') or 'too many restarts'}; restart it once the cause is fixed"
    elif raw.get("crash_looping"):
        alert = f"crash-looping ({raw.get('failures_in_window', '?')} failures in the window): {raw.get('reason', '')}"
    return ServiceState(
        name=str(raw.get("name", "?")),
        state=str(raw.get("state", "UNKNOWN")).upper(),
        pid=pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None,
        uptime=_number(raw.get("uptime")),
        restarts=int(raw.get("restarts") or 0),
        last_health=str(health),
        alert=alert,
    )


class IpcServiceControl:
    """Implements ServiceControl: `status`, `reload {service}`, `restart {service}` on sogoctl.sock."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def status(self) -> list[ServiceState]:
        result = await self._client.call("status", {})
        raw = result.get("services", []) if isinstance(result, dict) else result
        if isinstance(raw, dict):  # {name: {...}} is accepted as well as a list
            raw = [{"name": k, **v} for k, v in raw.items() if isinstance(v, dict)]
        return [service_state(s) for s in raw or [] if isinstance(s, dict)]

    async def reload(self, service: str) -> None:
        await self._client.call("reload", {"service": service})

    async def restart(self, service: str) -> None:
        # sogoctl answers once the service is back (its drain time plus its start time)
        await self._client.call("restart", {"service": service}, timeout=max(self._client.timeout, 90.0))

    async def close(self) -> None:
        await self._client.close()


class IpcCronControl:
    """Implements CronControl: sogoms-cron's `list`, `trigger` and `status` actions."""

    def __init__(self, client: IpcClient) -> None:
        self._client = client

    async def jobs(self, app_id: str) -> list[dict[str, Any]]:
        result = await self._client.call("list", {"app_id": app_id})
        jobs = result.get("jobs", []) if isinstance(result, dict) else result
        return [j for j in jobs or [] if isinstance(j, dict)]

    async def trigger(self, app_id: str, job: str) -> dict[str, Any]:
        result = await self._client.call("trigger", {"app_id": app_id, "job": job}, timeout=300.0)
        return result if isinstance(result, dict) else {"result": result}

    async def history(self, app_id: str, job: str = "", limit: int = 20) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"app_id": app_id, "limit": limit}
        if job:
            params["job"] = job
        result = await self._client.call("status", params)
        runs = result.get("runs", []) if isinstance(result, dict) else result
        return [r for r in runs or [] if isinstance(r, dict)]

    async def close(self) -> None:
        await self._client.close()


class IpcInboundControl:
    """Implements InboundControl: sogoms-imap's `health` and sogoms-mailproc's `messages` and `retry`."""

    def __init__(self, imap: IpcClient, mailproc: IpcClient) -> None:
        self._imap, self._mailproc = imap, mailproc

    async def watchers(self) -> list[dict[str, Any]]:
        result = await self._imap.call("health", {})
        found = result.get("watchers", []) if isinstance(result, dict) else []
        return [w for w in found if isinstance(w, dict)]

    async def messages(self, app_id: str, limit: int = 50) -> list[dict[str, Any]]:
        result = await self._mailproc.call("messages", {"app_id": app_id, "limit": limit})
        found = result.get("messages", []) if isinstance(result, dict) else []
        return [m for m in found if isinstance(m, dict)]

    async def retry(self, app_id: str, message: int) -> None:
        await self._mailproc.call("retry", {"app_id": app_id, "id": message})

    async def close(self) -> None:
        await self._imap.close()
        await self._mailproc.close()
