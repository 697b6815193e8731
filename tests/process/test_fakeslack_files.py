"""The fake Slack's files: served only with the right token, and uploads as files_upload_v2 makes them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakeslack import FakeSlack

TOKEN = "xoxb-files-test"


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield fake


def get(url: str, token: str | None) -> tuple[int, bytes]:
    """GET a URL with a bearer token; the status and the body."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_a_file_is_served_only_with_its_token(slack: FakeSlack) -> None:
    file_id = slack.add_file(b"Ref,Action\n1,Do it\n", "plan.csv", token=TOKEN)
    client = WebClient(token=TOKEN, base_url=slack.base_url)
    info = client.files_info(file=file_id)["file"]
    assert info["name"] == "plan.csv" and info["size"] == 19
    url = info["url_private_download"]
    assert url.startswith(f"http://127.0.0.1:{slack.port}/")
    assert get(url, TOKEN) == (200, b"Ref,Action\n1,Do it\n")
    assert get(url, "xoxb-someone-else")[0] == 403
    assert get(url, None)[0] == 403
    assert get(url.replace(file_id, "FNOPE"), TOKEN)[0] == 404


def test_a_file_of_another_workspace_is_not_found(slack: FakeSlack) -> None:
    file_id = slack.add_file(b"x", "plan.csv", token="xoxb-other-workspace")
    client = WebClient(token=TOKEN, base_url=slack.base_url)
    with pytest.raises(SlackApiError) as raised:
        client.files_info(file=file_id)
    assert raised.value.response["error"] == "file_not_found"


def test_files_upload_v2_is_recorded_with_its_bytes_and_channel(slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=slack.base_url)
    data = bytes(range(256)) * 10  # not text: the bytes must arrive untouched
    client.files_upload_v2(
        channel="D0MO",
        filename="plan.xlsx",
        title="The plan",
        content=data,
        initial_comment="Here it is",
        thread_ts="1.2",
    )
    [upload] = slack.uploads()
    assert (upload.filename, upload.title, upload.data) == ("plan.xlsx", "The plan", data)
    assert (upload.channel, upload.initial_comment, upload.thread_ts) == (
        "D0MO",
        "Here it is",
        "1.2",
    )
    methods = [c.method for c in slack.calls()]
    assert methods == ["files.getUploadURLExternal", "file_upload", "files.completeUploadExternal"]
