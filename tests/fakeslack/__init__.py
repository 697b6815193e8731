"""A loopback fake of Slack's Web API and response URLs, for end-to-end tests.

``FakeSlack`` is a ``ThreadingHTTPServer`` on 127.0.0.1 (a free port) running
in a background thread. Point the bot's ``SLACK_API_URL`` at :attr:`base_url`
and every Web API call the real ``slack_sdk.WebClient`` makes (a POST to
``base_url + method`` with a form-encoded or JSON body and a bearer token) is
recorded and answered like Slack would answer it. ``POST /response/<token>``
plays a response URL: its JSON body is recorded under the method name
``response_url``. Calls can be made to fail with Slack's ``ok: false`` errors
or with HTTP 429/5xx statuses, a given number of times, or to hang (the way a
process killed mid-send leaves a request: Slack may or may not have accepted
it). Posted messages are kept per conversation, with their metadata, and
``conversations.history`` returns them, newest first, as Slack does.

:meth:`FakeSlack.wait_for` follows events, not the clock: it wakes when a call
is recorded, and fails at once (with the process's output) when the process
under test has ended without making the call. Its deadline is only a safety
net against a truly hung test, generous enough that a busy machine never
reaches it.

``users.lookupByEmail`` finds the accounts registered with :meth:`add_user`
(``users_not_found`` for any other address); query-string parameters (the
GET that method uses) are read like body ones.

Files: :meth:`FakeSlack.add_file` puts a file there for a token, served by
``files.info`` and a private download URL on the fake's port (the bytes only
with that bearer token); uploads made the way ``files_upload_v2`` makes them
are read back with :meth:`FakeSlack.uploads` (see ``files``).

Import from here (``from tests.fakeslack import FakeSlack``); the parts live in
``server`` (the fake itself), ``failures`` (failing and hanging calls) and
``wire`` (paths, recorded calls, Slack's answers, request bodies).
"""

from tests.fakeslack.files import Upload
from tests.fakeslack.server import FakeSlack
from tests.fakeslack.wire import (
    API_PREFIX,
    JSON_PARAMS,
    POLL_EVERY,
    RESPONSE_PREFIX,
    RESPONSE_URL,
    WAIT_LIMIT,
    Call,
    Watched,
    default_response,
    parse_body,
)

__all__ = [
    "API_PREFIX",
    "JSON_PARAMS",
    "POLL_EVERY",
    "RESPONSE_PREFIX",
    "RESPONSE_URL",
    "WAIT_LIMIT",
    "Call",
    "FakeSlack",
    "Upload",
    "Watched",
    "default_response",
    "parse_body",
]
