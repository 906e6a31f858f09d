"""An app's queries, email templates, cron.yaml and schema.yaml: list, view, edit (checked), upload."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath
from litestar.response import Redirect, Template

from application.admin.files import kind_of
from domain.errors import ConfigError, FieldError, InvalidInput

from .web import actor, form, page, web

MAX_UPLOAD = 256 * 1024


@get("/apps/{name:str}/files/{kind:str}")
async def file_list(request: Request[Any, Any, Any], name: FromPath[str], kind: FromPath[str]) -> Response[Any]:
    k = kind_of(kind)
    names = await web(request).editor.names(actor(request), name, kind)
    new = request.query_params.get("new", "").strip()
    if new and not k.single:
        k.path(new)  # refuses a bad name before the browser goes there
        return Redirect(web(request).urls.app(name, "files", kind, new))
    if k.single:
        return Redirect(web(request).urls.app(name, "files", kind, names[0]))
    return page(request, "file_list.html", name=name, kind=kind, names=names)


def _editor(
    request: Request[Any, Any, Any], name: str, kind: str, file: str, text: str | None, status: int = 200, **extra: Any
) -> Template:
    who = actor(request).user
    return page(
        request,
        "file_edit.html",
        status_code=status,
        name=name,
        kind=kind,
        file=file,
        text=text or "",
        exists=text is not None,
        can_write=who.can(f"{kind}:write", name),
        can_upload=kind == "schema" and who.can("schema:upload", name),
        **extra,
    )


@get("/apps/{name:str}/files/{kind:str}/{file:str}")
async def file_view(
    request: Request[Any, Any, Any], name: FromPath[str], kind: FromPath[str], file: FromPath[str]
) -> Template:
    text = await web(request).editor.read(actor(request), name, kind, file)
    return _editor(request, name, kind, file, text)


@post("/apps/{name:str}/files/{kind:str}/{file:str}")
async def file_save(
    request: Request[Any, Any, Any], name: FromPath[str], kind: FromPath[str], file: FromPath[str]
) -> Template:
    who = actor(request)
    text = (await form(request)).get("text", "")
    try:
        saved = await web(request).editor.save(who, name, kind, file, text)
    except (ConfigError, InvalidInput) as exc:
        return _editor(request, name, kind, file, text, 422, error=exc.message)
    return _editor(request, name, kind, file, text, saved=saved)


@post("/apps/{name:str}/schema/upload")
async def schema_upload(request: Request[Any, Any, Any], name: FromPath[str]) -> Template:
    who = actor(request)
    upload = (await request.form()).get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise InvalidInput([FieldError("file", "choose a schema.yaml file to upload")])
        raw = await upload.read(MAX_UPLOAD + 1)
        if len(raw) > MAX_UPLOAD:
            raise InvalidInput([FieldError("file", f"is over {MAX_UPLOAD // 1024} KiB")])
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput([FieldError("file", "is not UTF-8 text")]) from None
        saved = await web(request).editor.save(who, name, "schema", "schema", text, upload=True)
    except (ConfigError, InvalidInput) as exc:
        current = await web(request).editor.read(who, name, "schema", "schema")
        return _editor(request, name, "schema", "schema", current, 422, error=exc.message)
    return _editor(request, name, "schema", "schema", text, saved=saved)
