"""``/csp import`` in Slack: the form's file, downloaded after the ack, previewed, then imported.

The form (``commands/import_plan.py``) holds one ``file_input``. Its
submission is acknowledged at once (the modal closes); then, on the edge's
background pool, :func:`fetch` asks ``files.info`` for the file and downloads
it with the bot's token — from Slack's own file host (or the API's host)
only, with a timeout, reading in chunks and stopping at the 10 MB cap — and
:func:`partnership.import_preview.preview` reads it as ``csp-bot import`` does
and runs the import as a dry run. The preview is posted privately; its
buttons (Import, Import the readable rows, Cancel) carry only a random token
and, when the merge met conflicts, the choice (keep the bot's values or take
the file's: ``TOKEN:keep`` / ``TOKEN:file``); :meth:`Imports.on_button` applies
the very bytes that were previewed, with that choice. A file that is bad,
missing or slow gets a private reply and writes nothing.
"""

from __future__ import annotations

import logging
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import Ack, App
from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.render.replies import message, reply_pages
from bot.slack import payload
from bot.slack.listeners import Edge
from bot.slack.reach import proxy_for
from bot.slack.runner import apology
from commands.framework.dispatch import Outcome, error_reply
from commands.import_plan import FORM
from partnership import import_preview
from partnership.context import Context, Reply, UserError
from partnership.messages import files as say
from partnership.messages.edge import STALE_FORM
from partnership.plan_import import MAX_UPLOAD, safe_name
from storage.models import Source

log = logging.getLogger("csp_bot.slack")

BUTTONS = re.compile(r"^import_(apply|readable|cancel|apply_file|readable_file)$")
# Seconds to wait for Slack's file host, for the connection and each read.
DOWNLOAD_TIMEOUT = 20
CHUNK = 64 * 1024
# Slack serves private files from here; the token is sent nowhere else.
FILE_HOSTS = ("files.slack.com",)


def register(app: App, edge: Edge) -> None:
    """Wire the import form's submission and the preview's buttons into the app."""
    imports = Imports(edge)
    app.view_submission(FORM)(imports.on_submit)
    app.action(BUTTONS)(imports.on_button)


def _trusted(url: str, client: WebClient) -> bool:
    """Whether the bot's token may be sent to ``url``: Slack's file host or the API's own."""
    parts, api = urlsplit(url), urlsplit(client.base_url)
    if parts.scheme == "https" and parts.hostname in FILE_HOSTS:
        return True
    return (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def fetch(client: WebClient, file_id: str) -> tuple[str, bytes]:
    """The file's name and bytes, downloaded with the bot's token; UserError if it cannot be."""
    try:
        info = client.files_info(file=file_id)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else ""
        log.warning("files.info failed: %s", error or type(exc).__name__)
        raise UserError(
            say.NOT_FOUND if error == "file_not_found" else say.DOWNLOAD_FAILED
        ) from None
    except (SlackClientError, OSError) as exc:
        log.warning("files.info failed: %s", type(exc).__name__)
        raise UserError(say.DOWNLOAD_FAILED) from None
    file = info.get("file") or {}
    name = safe_name(str(file.get("name") or "file"))
    size = file.get("size")
    if isinstance(size, int) and size > MAX_UPLOAD:
        raise UserError(say.too_big(name=name, size=size))
    url = str(file.get("url_private_download") or file.get("url_private") or "")
    if not url or not _trusted(url, client):
        log.warning("file download URL is not Slack's; not sending the token there")
        raise UserError(say.DOWNLOAD_FAILED)
    return name, _download(url, str(client.token or ""), name)


class _KeepToken(urllib.request.HTTPRedirectHandler):
    """Follow a redirect, but carry the bot's token only to the host it was meant for."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        """The redirected request, without Authorization if it leaves the original host."""
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            new.remove_header("Authorization")
        return new


def _download(url: str, token: str, name: str) -> bytes:
    """GET the file in chunks, stopping past the cap; UserError on any failure."""
    proxy = proxy_for(url)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({"http": proxy, "https": proxy} if proxy else {}),
        _KeepToken(),
    )
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with opener.open(request, timeout=DOWNLOAD_TIMEOUT) as response:
            chunks: list[bytes] = []
            total = 0
            while chunk := response.read(CHUNK):
                total += len(chunk)
                if total > MAX_UPLOAD:
                    raise UserError(say.too_big(name=name, size=total))
                chunks.append(chunk)
    except urllib.error.HTTPError as exc:
        log.warning("file download refused: HTTP %s", exc.code)
        raise UserError(say.NOT_FOUND if exc.code in (403, 404) else say.DOWNLOAD_FAILED) from None
    except TimeoutError:
        log.warning("file download timed out")
        raise UserError(say.DOWNLOAD_SLOW) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", None)
        log.warning("file download failed: %s", type(reason or exc).__name__)
        slow = isinstance(reason, TimeoutError)
        raise UserError(say.DOWNLOAD_SLOW if slow else say.DOWNLOAD_FAILED) from None
    return b"".join(chunks)


def _file_id(view: dict[str, Any]) -> str | None:
    """The id of the one file a submitted import form holds, if it holds one."""
    values = (view.get("state") or {}).get("values") or {}
    for actions in values.values() if isinstance(values, dict) else []:
        for element in actions.values() if isinstance(actions, dict) else []:
            if not isinstance(element, dict) or element.get("type") != "file_input":
                continue
            files = element.get("files")
            if isinstance(files, list) and files and isinstance(files[0], dict):
                found = files[0].get("id")
                return str(found) if isinstance(found, str) and found else None
    return None


def _guard(call: Callable[[Context], Reply]) -> Callable[[Context], Outcome]:
    """A rule that may raise UserError, as the runner's call (an error reply rolls back)."""

    def run(ctx: Context) -> Outcome:
        try:
            return Outcome(call(ctx), True)
        except UserError as exc:
            return Outcome(error_reply(exc), False, None, exc)

    return run


def _replace(body: dict[str, Any], reply: Reply) -> None:
    """Replace the preview (its buttons gone) with ``reply``, through the response URL."""
    url = body.get("response_url")
    if not url:
        return
    hook = WebhookClient(str(url), timeout=payload.RESPOND_TIMEOUT)
    hook.proxy = proxy_for(str(url))
    pages = reply_pages(reply)
    try:
        hook.send_dict({"replace_original": True, **message(pages[0], reply)})
        for page in pages[1:]:
            hook.send_dict(
                {"response_type": "ephemeral", "replace_original": False, **message(page, reply)}
            )
    except Exception as exc:  # Slack unreachable or too slow: log, don't crash
        log.warning("respond failed: %s", type(exc).__name__)


class Imports:
    """The import form's and the preview buttons' listeners, on one edge."""

    def __init__(self, edge: Edge) -> None:
        self.edge = edge

    def on_submit(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The form was sent: ack at once, then download, preview and tell privately."""
        view = body.get("view") or {}
        meta = payload.metadata(view)
        file_id = _file_id(view)
        if meta is None or file_id is None:
            ack(response_action="errors", errors={"file": say.NO_FILE if meta else STALE_FORM})
            return
        ack()
        self.edge.later(lambda: self.safely(body, client, meta, file_id), "import preview")

    def safely(
        self, body: dict[str, Any], client: WebClient, meta: dict[str, str], file_id: str
    ) -> None:
        """The preview, and an apology should it fail: the person is never left waiting."""
        try:
            self.preview(body, client, meta, file_id)
        except Exception:
            reference = uuid.uuid4().hex[:8]
            log.exception("import preview failed (ref %s)", reference)
            payload.confirm(client, body, meta, apology(reference))

    def preview(
        self, body: dict[str, Any], client: WebClient, meta: dict[str, str], file_id: str
    ) -> None:
        """After the ack: fetch the file, run the dry run, post the preview privately."""
        try:
            name, data = fetch(client, file_id)
        except UserError as exc:
            payload.confirm(client, body, meta, error_reply(exc))
            return
        outcome = self.edge.run(
            body,
            Source.MODAL,
            _guard(lambda ctx: import_preview.preview(ctx, name, data)),
            slug=meta.get("partnership") or None,
            channel=meta.get("channel") or None,
            label="import",
        )
        result = outcome.result
        if isinstance(result, Reply):
            payload.confirm(client, body, meta, result)

    def on_button(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Import, Import the readable rows, or Cancel on a preview: after the ack."""
        ack()
        try:
            element = body["actions"][0]
            verb = str(element["action_id"]).removeprefix("import_")
            value = str(element.get("value", ""))[:200]
        except (KeyError, IndexError, TypeError):
            log.warning("import button payload could not be read")
            return
        token = import_preview.button_token(value)
        choice = import_preview.button_choice(value)
        self.edge.later(lambda: self.press(body, verb, token, choice), "import button")

    def press(self, body: dict[str, Any], verb: str, token: str, choice: str) -> None:
        """Run the button's import (or cancel) for the preview's own partnership."""
        with self.edge.factory() as session:
            slug = import_preview.pending_partnership(session, token)
        if slug is None:
            _replace(body, error_reply(UserError(say.PREVIEW_GONE)))
            return

        def call(ctx: Context) -> Reply:
            if verb == "cancel":
                return import_preview.cancel_pending(ctx, token)
            readable = verb.startswith("readable")
            return import_preview.apply_pending(ctx, token, readable=readable, choice=choice)

        outcome = self.edge.run(body, Source.BUTTON, _guard(call), slug=slug, label="import")
        result = outcome.result
        if not isinstance(result, Reply):
            return
        if outcome.ok:
            _replace(body, result)
        else:  # keep the preview (and its buttons) where a refusal can be put right
            payload.respond(body, reply_pages(result), result)
