"""The Slack edge: a Bolt app whose listeners turn Slack payloads into commands.

Listener design (chosen knowingly, see docs/decisions.md): the app runs with
``process_before_response=True``, so the HTTP response *is* the ack and Bolt's
threaded runner does not poll for it every 10 ms. Fast work (nearly every
command: one small transaction) is done inside the ack and its reply travels
in the ack's body. Everything else runs *after* the ack on the edge's
background pool (:meth:`Edge.later`): slow commands (``/csp chase`` sends a
message per lead), the follow-up pages of a long reply, and every Slack call
a button, a form or the Home tab makes. Because the HTTP response only leaves
when the listener returns, a Slack API call made inside a listener would hold
the ack for as long as Slack takes (up to its timeout), and Slack shows the
person an error after 3 seconds even though their change was saved.

Nothing in ``commands/`` sees a Slack payload: this module reads team, user,
channel, text, trigger and values out of the payload and hands plain values on.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from sqlalchemy.orm import Session, sessionmaker

from bot import oauth
from bot.directory import SlackDirectory
from bot.identity import identify, take_partnership
from bot.reach import proxy_for
from bot.runner import apology, execute
from bot.sender import SlackSender
from bot.settings import Settings
from bot.sweeps.base import Sender
from bot.sweeps.finish import finish
from bot.views import (
    FORM_COMMANDS,
    form_view,
    home_view,
    input_ids,
    message,
    reply_pages,
    split_value,
    submitted_values,
)
from commands.core import Context, Directory, Form, Reply, UserError
from commands.dispatch import Outcome, dispatch_args, dispatch_text, error_reply
from commands.registry import Args, find
from commands.return_submit import button_args
from storage.models import Source

log = logging.getLogger("csp_bot.slack")

Clock = Callable[[], dt.datetime]
BUTTONS = r"^action_(update|done|snooze|snooze_until|show|menu)$"
# Buttons whose value is a command line to run as typed (commands/meeting_add.py).
LINE_BUTTONS = "meeting_confirm"
# Seconds to wait for views.open before telling the person to type the values.
FORM_TIMEOUT = 2
FORM_FAILED = "Slack would not open the form. Type `/csp return submit` instead."
STALE_FORM = (
    "This form could not be read, so nothing was saved. Close it and open it again "
    "(or type the command instead)."
)
# Keys of a modal's private_metadata that the edge sets (not the command's values).
EDGE_META = frozenset({"channel", "from", "partnership"})
# Seconds to wait for Slack to take a post to a response_url (Bolt's default is 30).
RESPOND_TIMEOUT = 10
# Threads per web process for work after the ack. Each mostly waits on Slack, so
# a few hung calls (10 s timeouts, retried) must not queue everyone else's replies.
AFTER_ACK_THREADS = 16
# Runs a job after the ack; tests pass one that runs it at once.
AfterAck = Callable[[Callable[[], None]], object]
# The sender for a slow command's outbox messages: given the request's client and
# the partnership's slug (OAuth mode picks that partnership's workspace's bot).
Senders = Callable[[WebClient, str | None], Sender]


def request_sender(client: WebClient, _slug: str | None) -> Sender:
    """Token mode: send with the request's own client."""
    return SlackSender(client)


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


def web_client(
    settings: Settings, *, rate_limit_retries: int = 2, connection_retries: int = 1
) -> WebClient:
    """The Web API client: our base URL, a timeout, and retries for 429/5xx/resets.

    429s are retried after the ``Retry-After`` Slack gives; the scheduler, which
    has no person waiting on an ack, asks for more patience than the web process.
    """
    client = WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=[
            RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
            ServerErrorRetryHandler(max_retry_count=2),
            ConnectionErrorRetryHandler(max_retry_count=connection_retries),
        ],
    )
    # After construction: slack-sdk reads HTTPS_PROXY itself, ignoring NO_PROXY.
    client.proxy = proxy_for(settings.slack_api_url)
    return client


class Edge:
    """The glue between Bolt's listeners and the commands: one per app."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        client: WebClient,
        clock: Clock,
        *,
        after_ack: AfterAck | None = None,
    ) -> None:
        self.factory = factory
        self.client = client
        self.clock = clock
        self.senders: Senders = request_sender
        self.directory: Directory = SlackDirectory(client)
        if after_ack is None:
            pool = ThreadPoolExecutor(AFTER_ACK_THREADS, thread_name_prefix="csp-after-ack")
            after_ack = pool.submit
        self._after_ack = after_ack

    def later(self, job: Callable[[], None], what: str) -> None:
        """Run ``job`` after the ack, on the background pool; its errors are logged."""

        def guarded() -> None:
            try:
                job()
            except Exception:  # nobody is waiting on this thread: log it, keep the pool alive
                log.exception("%s failed after the ack", what)

        self._after_ack(guarded)

    # ----------------------------------------------------------------- running

    def run(
        self,
        body: dict[str, Any],
        source: Source,
        call: Callable[[Context], Outcome],
        *,
        slug: str | None = None,
        channel: str | None = None,
        label: str = "command",
        first_if_several: bool = False,
    ) -> Outcome:
        """Identify the asker from the payload and run ``call`` in one transaction."""
        team = _team(body)
        user = _user(body)
        channel = channel or _channel(body)
        started = time.perf_counter()

        def build(session: Session) -> Context:
            asker = identify(session, team, user, channel, slug, first_if_several=first_if_several)
            return Context(
                session=session,
                partnership=asker.partnership,
                person=asker.person,
                now=self.clock(),
                source=source,
                directory=self.directory,  # users.lookupByEmail (person add)
                channel_id=channel,
            )

        outcome = execute(self.factory, build, call, label=label)
        # One line per request: which partnership and command, whether it worked,
        # how long it took; never who typed what.
        log.info(
            "request",
            extra={
                "event": "request",
                "kind": label,
                "partnership": outcome.partnership or "-",
                "command": outcome.command.name if outcome.command else "-",
                "ok": outcome.ok,
                "ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return outcome

    # --------------------------------------------------------------- listeners

    def on_command(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """``/csp ...``: run it and answer in the ack (or acknowledge slow work)."""
        try:
            slug, text = take_partnership(body.get("text") or "")
            if _is_slow(text):
                ack(
                    response_type="ephemeral",
                    text=":hourglass_flowing_sand: On it — I'll post the result here shortly.",
                )
                self.later(lambda: self.slow_command(body, client, slug, text), "slow command")
                return
            outcome = self.run(
                body,
                Source.COMMAND,
                lambda ctx: dispatch_text(ctx, text),
                slug=slug,
                label="command",
            )
            self._answer(ack, body, client, outcome)
        except Exception:  # the last guard: Slack must get an answer, never a 500
            log.exception("command listener failed")
            ack(**_ephemeral(apology("listener")))

    def slow_command(
        self, body: dict[str, Any], client: WebClient, slug: str | None, text: str
    ) -> None:
        """After the ack: run a slow command and post its result to the response URL."""
        outcome = self.run(
            body, Source.COMMAND, lambda ctx: dispatch_text(ctx, text), slug=slug, label="command"
        )
        reply = (
            outcome.result
            if isinstance(outcome.result, Reply)
            else error_reply(UserError("That command opens no form."))
        )
        if outcome.ok:
            # `/csp digest send` and `/csp chase` asked for messages to go out:
            # through the outbox, after the command's transaction, each claimed
            # and marked in transactions of its own.
            sender = self.senders(client, outcome.partnership)
            reply = finish(self.factory, sender, reply, self.clock())
        _respond(body, reply_pages(reply, outcome.partnership), reply)

    def on_button(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A button or menu item on an action: the change is made in the ack, Slack told after."""
        ack()
        try:
            outcome, slug = self.press(body)
        except Exception:  # a payload we cannot read: log it; Slack already has its ack
            log.exception("button listener failed")
            return
        from_home = body.get("container", {}).get("type") == "view"
        result = outcome.result
        if isinstance(result, Form):
            self._open_form(client, body, result, outcome.partnership, from_home=from_home)
        elif from_home:

            def refresh() -> None:
                if not outcome.ok:  # the Home tab has no reply area: say why by direct message
                    self._direct(client, _user(body), result)
                self.publish_home(client, body, slug=slug)

            self.later(refresh, "home refresh")
        else:
            self.later(
                lambda: _respond(body, reply_pages(result, outcome.partnership), result),
                "button reply",
            )

    def press(self, body: dict[str, Any]) -> tuple[Outcome, str | None]:
        """Run what an action's button or menu item asks: update (form), done, snooze, show."""
        element = body["actions"][0]
        if element.get("type") == "overflow":
            value = str(element["selected_option"]["value"])
            verb, _, tagged = value.partition(":")
        else:
            verb = str(element["action_id"]).removeprefix("action_")
            tagged = str(element.get("value", ""))
        ref, slug = split_value(tagged)
        # "Snooze until a date…" runs the snooze with the bare word `until`: its form.
        line = f"action snooze {ref} until" if verb == "snooze_until" else f"action {verb} {ref}"
        outcome = self.run(
            body, Source.BUTTON, lambda ctx: dispatch_text(ctx, line), slug=slug, label="button"
        )
        return outcome, slug

    def on_return_button(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A reminder's "Submit the return" button: open the return form for that quarter."""
        ack()
        try:
            value, slug = split_value(str(body["actions"][0].get("value", "")))
            outcome = self.run(
                body,
                Source.BUTTON,
                lambda ctx: dispatch_args(ctx, "return submit", button_args(value)),
                slug=slug,
                label="button",
            )
        except Exception:  # a payload we cannot read: log it; Slack already has its ack
            log.exception("return button listener failed")
            return
        result = outcome.result
        if isinstance(result, Form):
            if not self._open_form(client, body, result, outcome.partnership):
                failed = error_reply(UserError(FORM_FAILED))
                self.later(lambda: self._direct(client, _user(body), failed), "return button")
        else:  # a refusal, or "the deadline has passed": the button sits in a DM
            self.later(lambda: self._direct(client, _user(body), result), "return button")

    def on_line_button(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A button that runs a command line it carries (a series' Confirm), as if typed.

        The line runs with the presser's own rights, exactly as if they had typed
        it, so a button's value can do nothing its presser could not type.
        """
        ack()
        try:
            slug, text = take_partnership(str(body["actions"][0].get("value", "")))
            outcome = self.run(
                body,
                Source.BUTTON,
                lambda ctx: dispatch_text(ctx, text),
                slug=slug,
                label="button",
            )
        except Exception:  # a payload we cannot read: log it; Slack already has its ack
            log.exception("line button listener failed")
            return
        result = outcome.result
        if isinstance(result, Reply):
            reply = result
            self.later(
                lambda: _respond(body, reply_pages(reply, outcome.partnership), reply),
                "button reply",
            )

    def on_submit(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A form's submission: the same command, the same validation, errors on fields."""
        view = body["view"]
        try:
            meta = _metadata(view)
            if meta is None:  # not what we put there: a stale, broken or tampered form
                ids = input_ids(view)
                ack(response_action="errors", errors={ids[0]: STALE_FORM}) if ids else ack()
                return
            values = {
                **submitted_values(view),
                # The form's own hidden values (ref, version, group, quarter...);
                # where it was opened from is the edge's business, not the command's.
                **{k: v for k, v in meta.items() if k not in EDGE_META},
            }
            name = FORM_COMMANDS[view["callback_id"]]
            outcome = self.run(
                body,
                Source.MODAL,
                lambda ctx: dispatch_args(ctx, name, Args(values)),
                slug=meta.get("partnership") or None,
                channel=meta.get("channel"),
                label="form",
            )
            if not outcome.ok:
                ack(response_action="errors", errors=_field_errors(outcome, view))
                return
            ack()
            result = outcome.result

            def tell() -> None:
                if isinstance(result, Reply):
                    self._confirm(client, body, meta, result)
                if meta.get("from") == "home":
                    self.publish_home(client, body, slug=meta.get("partnership"))

            self.later(tell, "form confirmation")
        except Exception:
            log.exception("form listener failed")
            ids = input_ids(view)
            message_ = (
                "Sorry, something went wrong on our side and nothing was saved. Please try again."
            )
            ack(response_action="errors", errors={ids[0]: message_}) if ids else ack()

    def on_home(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        """The Home tab was opened: publish the person's view."""
        if event.get("tab") != "home":
            return
        self.later(lambda: self.publish_home(client, body, user=event.get("user")), "home")

    # ----------------------------------------------------------------- helpers

    def publish_home(
        self,
        client: WebClient,
        body: dict[str, Any],
        user: str | None = None,
        slug: str | None = None,
    ) -> None:
        """Build and publish the Home tab for the user in ``body``."""
        from commands.home import home

        user_id = user or _user(body)

        def call(ctx: Context) -> Outcome:
            return Outcome(home(ctx), True)

        # Someone in several partnerships sees the first (by name) unless a
        # button said which; each partnership's channel still works for commands.
        outcome = self.run(
            {**body, "user_id": user_id},
            Source.COMMAND,
            call,
            slug=slug,
            label="home",
            first_if_several=True,
        )
        reply = outcome.result
        if not isinstance(reply, Reply):
            return
        try:
            client.views_publish(user_id=user_id, view=home_view(reply, outcome.partnership))
        except (SlackApiError, SlackClientError) as exc:
            log.warning("views.publish failed: %s", type(exc).__name__)

    def _answer(self, ack: Ack, body: dict[str, Any], client: WebClient, outcome: Outcome) -> None:
        result = outcome.result
        if isinstance(result, Form):
            if self._open_form(client, body, result, outcome.partnership):
                ack()
            else:
                ack(
                    **_ephemeral(
                        error_reply(
                            UserError(
                                "Slack would not open the form. Type the values instead "
                                "(see `/csp help action update`)."
                            )
                        )
                    )
                )
            return
        pages = reply_pages(result, outcome.partnership)
        ack(
            response_type="in_channel" if result.public and outcome.ok else "ephemeral",
            **message(pages[0], result),
        )
        if len(pages) > 1:  # the rest of a long reply follows through the response URL
            self.later(lambda: _respond(body, pages[1:], result), "follow-up pages")

    def _open_form(
        self,
        client: WebClient,
        body: dict[str, Any],
        form: Form,
        partnership: str | None,
        *,
        from_home: bool = False,
    ) -> bool:
        """Open a form's modal; its metadata says where it came from and for which partnership."""
        meta = {
            "channel": _channel(body) or "",
            "from": "home" if from_home else "",
            "partnership": partnership or "",
        }
        # Opening a form happens inside the ack, and a trigger_id is only good for
        # 3 seconds anyway: a Slack that does not answer must not hold the ack past
        # that, so this call gets its own short timeout and no retries.
        quick = copy.copy(client)  # the same token and URL; its own timeout, no retries
        quick.timeout, quick.retry_handlers = FORM_TIMEOUT, []
        try:
            quick.views_open(trigger_id=body["trigger_id"], view=form_view(form, meta))
        except (SlackApiError, SlackClientError, KeyError, OSError) as exc:
            log.warning("views.open failed: %s", type(exc).__name__)
            return False
        return True

    def _direct(self, client: WebClient, user: str, reply: Reply) -> None:
        """Send a reply to a user as a direct message (where there is no reply area)."""
        for page in reply_pages(reply):
            try:
                client.chat_postMessage(channel=user, **message(page, reply))
            except (SlackApiError, SlackClientError) as exc:
                log.warning("direct message failed: %s", type(exc).__name__)

    def _confirm(
        self, client: WebClient, body: dict[str, Any], meta: dict[str, str], reply: Reply
    ) -> None:
        """Tell the person what their form did: privately in the channel, else by DM."""
        user = _user(body)
        for page in reply_pages(reply):
            try:
                if meta.get("channel"):
                    client.chat_postEphemeral(
                        channel=meta["channel"], user=user, **message(page, reply)
                    )
                    continue
            except SlackApiError:
                pass  # a channel the bot is not in: fall back to a direct message
            try:
                client.chat_postMessage(channel=user, **message(page, reply))
            except (SlackApiError, SlackClientError) as exc:
                log.warning("confirmation failed: %s", type(exc).__name__)


def create_app(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    clock: Clock = utcnow,
    client: WebClient | None = None,
    request_verification: bool = True,
) -> App:
    """The Bolt app with every /csp listener registered (OAuth mode: see bot/oauth.py)."""
    client = client or web_client(settings)
    oauth_settings = (
        oauth.oauth_settings(settings, oauth.engine_of(factory)) if settings.oauth_mode else None
    )
    token = None if oauth_settings else settings.slack_bot_token
    app = App(
        signing_secret=settings.slack_signing_secret,
        client=client,
        oauth_settings=oauth_settings,
        authorize=_bot_token(token) if token else None,
        process_before_response=True,
        # False only behind the front door (bot/front.py), which has verified already.
        request_verification_enabled=request_verification,
        logger=logging.getLogger("csp_bot.bolt"),
    )
    edge = Edge(factory, client, clock)
    if oauth_settings is not None:  # direct messages go through each workspace's bot
        store = oauth_settings.installation_store
        edge.senders = oauth.TeamSenders(settings, store, factory)
        edge.directory = oauth.TeamDirectory(settings, store)
    app.command("/csp")(edge.on_command)
    app.action(_pattern(BUTTONS))(edge.on_button)
    app.action("return_submit")(edge.on_return_button)
    app.action(LINE_BUTTONS)(edge.on_line_button)
    app.view_submission(_pattern("^(" + "|".join(FORM_COMMANDS) + ")$"))(edge.on_submit)
    app.event("app_home_opened")(edge.on_home)
    return app


def _bot_token(token: str) -> Callable[..., AuthorizeResult]:
    """Bolt's authorize for one workspace: the bot token, with no Slack call.

    Bolt's own single-token authorization calls auth.test when the app is built
    (or, with that off, on the first request), so a Slack it cannot reach crashed
    the worker at start or answered a request with a 500 and a traceback, even
    one answered in the ack with no Slack call at all. bot/reach.py checks the
    token instead, in the background.
    """

    def authorize(
        enterprise_id: str | None, team_id: str | None, user_id: str | None
    ) -> AuthorizeResult:
        return AuthorizeResult(
            enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token
        )

    return authorize


# ------------------------------------------------------------------ payloads


def _pattern(text: str) -> Any:
    import re

    return re.compile(text)


def _is_slow(text: str) -> bool:
    try:
        cmd, _ = find(text.split()[:2])
    except UserError:
        return False
    return cmd.slow


def _team(body: dict[str, Any]) -> str | None:
    """The asker's own workspace: in a Slack Connect channel, not the channel's host.

    Buttons and forms carry it as ``user.team_id`` (``team.id`` is where the app
    answered); slash commands as ``team_id``; events as ``event.user_team``.
    """
    user = body.get("user")
    if isinstance(user, dict) and user.get("team_id"):
        return str(user["team_id"])
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user_team"), str):
        return str(event["user_team"])
    team = body.get("user_team") or body.get("team_id") or (body.get("team") or {}).get("id")
    return str(team) if team else None


def _user(body: dict[str, Any]) -> str:
    if "user_id" in body:
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    event = body.get("event") or {}
    return str(event.get("user", ""))


def _channel(body: dict[str, Any]) -> str | None:
    if "channel_id" in body:
        return str(body["channel_id"])
    channel = body.get("channel")
    if isinstance(channel, dict):
        return channel.get("id")
    return None


def _ephemeral(reply: Reply) -> dict[str, Any]:
    pages = reply_pages(reply)
    return {"response_type": "ephemeral", **message(pages[0], reply)}


def _respond(body: dict[str, Any], pages: list[list[dict[str, Any]]], reply: Reply) -> None:
    """Post pages of a reply to the request's response URL (after the ack)."""
    url = body.get("response_url")
    if not url:
        log.warning("no response_url to post %d page(s) to", len(pages))
        return
    hook = WebhookClient(str(url), timeout=RESPOND_TIMEOUT)
    hook.proxy = proxy_for(str(url))
    for page in pages:
        try:
            answer = hook.send_dict(
                {
                    "response_type": "in_channel" if reply.public else "ephemeral",
                    "replace_original": False,
                    **message(page, reply),
                }
            )
        except Exception as exc:  # Slack unreachable or too slow: log, don't crash
            log.warning("respond failed: %s", type(exc).__name__)
            return
        if answer.status_code != 200:  # an expired response_url (30 min, 5 uses)
            log.warning("respond refused: HTTP %s", answer.status_code)
            return


def _metadata(view: dict[str, Any]) -> dict[str, str] | None:
    """A form's private_metadata as we wrote it (an object of strings), or None."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except (ValueError, RecursionError, TypeError):
        return None
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        return None
    return meta


def _field_errors(outcome: Outcome, view: dict[str, Any]) -> dict[str, str]:
    """Per-field messages for the inputs that exist in the view."""
    ids = input_ids(view)
    error = outcome.error
    fields = {k: v for k, v in (error.fields if error else {}).items() if k in ids}
    if not fields and ids:
        text = error.message if error else "Sorry, something went wrong; nothing was saved."
        fields = {ids[-1]: text[:2000]}
    return {k: v[:2000] for k, v in fields.items()}
