"""Files on the fake Slack: files a test puts there for the bot to download, and uploads.

A test puts a file with :meth:`Files.add_file`; ``files.info`` then answers
with its name, size and a ``url_private_download`` on the fake's own port, and
a GET of that URL returns the bytes only with the ``Authorization: Bearer``
token the file was put there for (403 with any other token, 404 for a file
that is not there). A file put there for another token is in another
workspace: ``files.info`` answers ``file_not_found``, as Slack would.

Uploads are recorded as slack-sdk's ``files_upload_v2`` makes them:
``files.getUploadURLExternal`` (filename, length) answers a file id and an
``upload_url`` on the fake; the bytes are POSTed there; and
``files.completeUploadExternal`` (files=[{id, title}], channel_id,
initial_comment, thread_ts) shares them. :meth:`Files.uploads` reads back each
completed upload's name, title, bytes and channel.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FILE_PREFIX = "/files-pri/"
UPLOAD_PREFIX = "/upload/v1/"


@dataclass(frozen=True)
class Upload:
    """One file the bot uploaded and shared: what it was called, its bytes, where it went."""

    file_id: str
    filename: str
    title: str
    data: bytes
    channel: str
    initial_comment: str
    thread_ts: str


@dataclass(frozen=True)
class _Stored:
    """A file a test put on the fake for the bot to download."""

    file_id: str
    name: str
    data: bytes
    token: str
    filetype: str
    size: int | None


class Files:
    """The part of :class:`tests.fakeslack.FakeSlack` that serves and records files."""

    _lock: threading.RLock

    def _files_init(self) -> None:
        """Set up the file stores (called by the fake's ``__init__``)."""
        self._stored: dict[str, _Stored] = {}
        # file id -> (filename, declared length, bytes once posted)
        self._pending: dict[str, tuple[str, int, bytes | None]] = {}
        self._uploads: list[Upload] = []
        # Downloads to answer slowly (file id -> seconds), for the bot's timeout.
        self._slow: dict[str, float] = {}
        # Downloads to refuse with an HTTP status (file id -> status).
        self._broken: dict[str, int] = {}
        self._released = threading.Event()

    @property
    def _root(self) -> str:
        raise NotImplementedError  # the fake's "http://127.0.0.1:<port>"

    def add_file(
        self,
        data: bytes,
        name: str,
        *,
        token: str,
        file_id: str | None = None,
        filetype: str | None = None,
        size: int | None = None,
    ) -> str:
        """Put a file on the fake for ``token``'s workspace; returns its id (``F...``).

        ``size`` is what ``files.info`` claims (default: the real length), so a
        test can make Slack's word and the bytes disagree.
        """
        file_id = file_id or "F" + uuid.uuid4().hex[:10].upper()
        kind = filetype or name.rpartition(".")[2].lower()
        with self._lock:
            self._stored[file_id] = _Stored(file_id, name, data, token, kind, size)
        return file_id

    def slow_download(self, file_id: str, seconds: float) -> None:
        """Hold the download of ``file_id`` for ``seconds`` (or until the fake stops)."""
        with self._lock:
            self._slow[file_id] = seconds

    def fail_download(self, file_id: str, status: int = 500) -> None:
        """Answer every download of ``file_id`` with HTTP ``status``."""
        with self._lock:
            self._broken[file_id] = status

    def uploads(self) -> list[Upload]:
        """Every completed upload, oldest first."""
        with self._lock:
            return list(self._uploads)

    def _files_reset(self) -> None:
        """Forget stored files and uploads."""
        with self._lock:
            self._stored.clear()
            self._pending.clear()
            self._uploads.clear()
            self._slow.clear()
            self._broken.clear()

    # ------------------------------------------------------------- handling

    def _file_info(self, params: Mapping[str, Any], auth: str) -> dict[str, Any]:
        """``files.info``: the file's name, size and download URL, if this token may see it."""
        with self._lock:
            stored = self._stored.get(str(params.get("file", "")))
        if stored is None or auth != f"Bearer {stored.token}":
            return {"ok": False, "error": "file_not_found"}
        url = f"{self._root}{FILE_PREFIX}{stored.file_id}/{stored.name}"
        return {
            "ok": True,
            "file": {
                "id": stored.file_id,
                "name": stored.name,
                "title": stored.name,
                "filetype": stored.filetype,
                "size": stored.size if stored.size is not None else len(stored.data),
                "url_private": url,
                "url_private_download": url,
            },
        }

    def _download(self, path: str, auth: str) -> tuple[int, bytes]:
        """GET of a file's private URL: its bytes with the right token, else 403/404."""
        file_id = path[len(FILE_PREFIX) :].partition("/")[0]
        with self._lock:
            stored = self._stored.get(file_id)
            slow = self._slow.get(file_id)
            broken = self._broken.get(file_id)
        if stored is None:
            return 404, b"not found"
        if broken:
            return broken, b"broken"
        if auth != f"Bearer {stored.token}":
            return 403, b"forbidden"
        if slow:
            self._released.wait(timeout=slow)
        return 200, stored.data

    def _upload_url(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``files.getUploadURLExternal``: a new file id and where to POST its bytes."""
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        filename = str(params.get("filename", ""))
        try:
            length = int(params.get("length") or 0)
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        if not filename or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            self._pending[file_id] = (filename, length, None)
        return {
            "ok": True,
            "file_id": file_id,
            "upload_url": f"{self._root}{UPLOAD_PREFIX}{file_id}",
        }

    def _take_bytes(self, path: str, body: bytes) -> int:
        """The POST of an upload's bytes: kept for its file id (200), or 404."""
        file_id = path[len(UPLOAD_PREFIX) :]
        with self._lock:
            found = self._pending.get(file_id)
            if found is None:
                return 404
            self._pending[file_id] = (found[0], found[1], body)
        return 200

    def _complete(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``files.completeUploadExternal``: share the uploaded files in a channel."""
        try:
            listed = json.loads(str(params.get("files", "[]")))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        done: list[dict[str, Any]] = []
        with self._lock:
            for item in listed if isinstance(listed, list) else []:
                found = self._pending.pop(str(item.get("id", "")), None)
                if found is None:
                    return {"ok": False, "error": "file_not_found"}
                filename, length, data = found
                if data is None or len(data) != length:
                    return {"ok": False, "error": "file_upload_size_mismatch"}
                upload = Upload(
                    file_id=str(item["id"]),
                    filename=filename,
                    title=str(item.get("title") or filename),
                    data=data,
                    channel=str(params.get("channel_id") or params.get("channels") or ""),
                    initial_comment=str(params.get("initial_comment") or ""),
                    thread_ts=str(params.get("thread_ts") or ""),
                )
                self._uploads.append(upload)
                done.append({"id": upload.file_id, "name": filename, "title": upload.title})
        return {"ok": True, "files": done}
