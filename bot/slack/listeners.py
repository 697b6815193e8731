"""The Slack listeners: one per surface (slash command, button, form, Home tab).

:class:`Edge` reads team, user, channel, text, trigger and values out of each
payload (:mod:`bot.slack.payload`), runs the command in a transaction
(:mod:`bot.slack.runner`) and answers in the ack, or after it on the edge's
background pool (see :mod:`bot.slack.app` for why).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from bot.render.replies import message, reply_pages
from bot.schedule.base import Sender
from bot.schedule.finish import finish
from bot.schedule.sender import SlackSender
from bot.slack import payload
from bot.slack.directory import SlackDirectory
from bot.slack.identity import StrangerError, identify, take_partnership
from bot.slack.runner import apology, execute
from bot.slack.uploads import deliver
from bot.slack.views import (
    FORM_COMMANDS,
    home_view,
    input_ids,
    split_value,
    submitted_values,
)
from commands.framework.core import Form
from commands.framework.dispatch import (
    Outcome,
    dispatch_args,
    dispatch_button,
    dispatch_text,
    error_reply,
)
from commands.framework.registry import Args, is_slow
from partnership.context import Context, Directory, Reply, UserError
from partnership.messages import edge as say
from partnership.messages.actions import FORM_WONT_OPEN
from storage.models import Source

log = logging.getLogger("csp_bot.slack")

Clock = Callable[[], dt.datetime]
# Keys of a modal's private_metadata that the edge sets (not the command's values).
EDGE_META = frozenset({"channel", "from", "partnership"})
# Threads per web process for work after the ack. Each mostly waits on Slack, so
# a few hung calls (10 s timeouts, retried) must not queue everyone else's replies.
AFTER_ACK_THREADS = 16
# Runs a job after the ack; tests pass one that runs it at once.
AfterAck = Callable[[Callable[[], None]], object]
# The sender for a slow command's outbox messages: given the request's client and
# the partnership's slug (OAuth mode picks that partnership's workspace's bot).
Senders = Callable[[WebClient, str | None], Sender]
# A button's value read: the partnership it is tagged with, and what it runs.
Pressed = tuple[str | None, Callable[[Context], Outcome]]


def request_sender(client: WebClient, _slug: str | None) -> Sender:
    """Token mode: send with the request's own client."""
    return SlackSender(client)


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
        welcomed: bool = False,
    ) -> Outcome:
        """Identify the asker from the payload and run ``call`` in one transaction."""
        team = payload.team(body)
        user = payload.user(body)
        channel = channel or payload.channel(body)
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
        if welcomed and isinstance(outcome.error, StrangerError):
            return outcome  # the welcome writes the request's one log line
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

    def on_command(
        self,
        ack: Ack,
        body: dict[str, Any],
        client: WebClient,
        welcome: Callable[[], Reply] | None = None,
    ) -> None:
        """``/csp ...``: run it and answer in the ack (or acknowledge slow work).

        ``welcome`` is the answer for someone in no partnership here (bot/slack/setup.py).
        """
        try:
            slug, text = take_partnership(body.get("text") or "")
            if is_slow(text):
                ack(
                    response_type="ephemeral",
                    text=say.ON_IT,
                )
                self.later(lambda: self.slow_command(body, client, slug, text), "slow command")
                return
            outcome = self.run(
                body,
                Source.COMMAND,
                lambda ctx: dispatch_text(ctx, text),
                slug=slug,
                label="command",
                welcomed=welcome is not None,
            )
            if welcome is not None and isinstance(outcome.error, StrangerError):
                ack(**payload.ephemeral(welcome()))
                return
            self._answer(ack, body, client, outcome)
        except Exception:  # the last guard: Slack must get an answer, never a 500
            log.exception("command listener failed")
            ack(**payload.ephemeral(apology("listener")))

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
            else error_reply(UserError(say.OPENS_NO_FORM))
        )
        if outcome.ok:
            # `/csp digest send` and `/csp chase` asked for messages to go out:
            # through the outbox, after the command's transaction, each claimed
            # and marked in transactions of its own.
            sender = self.senders(client, outcome.partnership)
            reply = finish(self.factory, sender, reply, self.clock())
            reply = deliver(client, payload.user(body), reply)  # /csp export: files to the DM
        payload.respond(body, reply_pages(reply, outcome.partnership), reply)

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
            payload.open_form(client, body, result, outcome.partnership, from_home=from_home)
        elif from_home:

            def refresh() -> None:
                if not outcome.ok:  # the Home tab has no reply area: say why by direct message
                    payload.direct(client, payload.user(body), result)
                self.publish_home(client, body, slug=slug)

            self.later(refresh, "home refresh")
        else:
            self.later(
                lambda: payload.respond(body, reply_pages(result, outcome.partnership), result),
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

        def read(tagged: str) -> Pressed:
            value, slug = split_value(tagged)
            return slug, lambda ctx: dispatch_button(ctx, "return submit", value)

        outcome = self.pressed(body, read, "return button")
        if outcome is None:
            return
        result = outcome.result
        if isinstance(result, Form):
            if not payload.open_form(client, body, result, outcome.partnership):
                failed = error_reply(UserError(say.FORM_FAILED))
                self.later(
                    lambda: payload.direct(client, payload.user(body), failed), "return button"
                )
        else:  # a refusal, or "the deadline has passed": the button sits in a DM
            self.later(lambda: payload.direct(client, payload.user(body), result), "return button")

    def on_line_button(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A button that runs a command line it carries (a series' Confirm), as if typed.

        The line runs with the presser's own rights, exactly as if they had typed
        it, so a button's value can do nothing its presser could not type.
        """
        ack()

        def read(tagged: str) -> Pressed:
            slug, text = take_partnership(tagged)
            return slug, lambda ctx: dispatch_text(ctx, text)

        outcome = self.pressed(body, read, "line button")
        if outcome is None:
            return
        result = outcome.result
        if isinstance(result, Form):  # `person link "Name"`: the people picker
            from_home = body.get("container", {}).get("type") == "view"
            if not payload.open_form(
                client, body, result, outcome.partnership, from_home=from_home
            ):
                failed = error_reply(UserError(say.LINK_FORM_FAILED))
                self.later(lambda: payload.direct(client, payload.user(body), failed), "link form")
        elif isinstance(result, Reply):
            reply, where = result, outcome.partnership
            self.later(
                lambda: payload.respond(body, reply_pages(reply, where), reply), "button reply"
            )

    def pressed(
        self, body: dict[str, Any], read: Callable[[str], Pressed], what: str
    ) -> Outcome | None:
        """Run what a button's value asks, after the ack; None (logged) if it cannot be read."""
        try:
            slug, call = read(str(body["actions"][0].get("value", "")))
            return self.run(body, Source.BUTTON, call, slug=slug, label="button")
        except Exception:  # a payload we cannot read: log it; Slack already has its ack
            log.exception("%s listener failed", what)
            return None

    def on_submit(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A form's submission: the same command, the same validation, errors on fields."""
        view = body["view"]
        try:
            meta = payload.metadata(view)
            if meta is None:  # not what we put there: a stale, broken or tampered form
                ids = input_ids(view)
                ack(response_action="errors", errors={ids[0]: say.STALE_FORM}) if ids else ack()
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
                ack(response_action="errors", errors=payload.field_errors(outcome, view))
                return
            ack()
            result = outcome.result

            def tell() -> None:
                if isinstance(result, Reply):
                    payload.confirm(client, body, meta, result)
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
        from partnership.home import home

        user_id = user or payload.user(body)

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
            if payload.open_form(client, body, result, outcome.partnership):
                ack()
            else:
                ack(**payload.ephemeral(error_reply(UserError(FORM_WONT_OPEN))))
            return
        pages = reply_pages(result, outcome.partnership)
        ack(
            response_type="in_channel" if result.public and outcome.ok else "ephemeral",
            **message(pages[0], result),
        )
        if len(pages) > 1:  # the rest of a long reply follows through the response URL
            self.later(lambda: payload.respond(body, pages[1:], result), "follow-up pages")
