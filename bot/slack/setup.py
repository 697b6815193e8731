"""Getting started from Slack: ``/csp setup``, its form, and what strangers are told.

Who may set a partnership up is Slack's to say, so this edge module decides it
(see :class:`SetupEdge.grounds`): the installer (OAuth mode: slack-sdk's
installation store keeps the installing user), a workspace admin or owner
(``users.info``'s ``is_admin``/``is_owner``, with a short timeout inside the
ack), whoever ``CSP_SETUP_USERS`` names, whoever redeemed a one-time code, and
a coordinator of a partnership this workspace already holds. The rule itself
(checking the form, creating the partnership) is :mod:`partnership.setup`.

It wraps the ``/csp`` command and Home tab listeners of :class:`Edge`: a
``/csp setup`` is answered here, and so is anything from someone in no
partnership here (the welcome, instead of "I don't know you yet"); everyone
else goes on to the edge unchanged, with the same partnership isolation.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.settings import Settings
from bot.slack import payload
from bot.slack.identity import memberships, take_partnership
from bot.slack.listeners import Edge
from bot.slack.runner import apology
from bot.slack.views import home_view, input_ids, submitted_values
from commands.framework.dispatch import error_reply
from commands.framework.registry import is_slow
from commands.setup import FORM, setup_form
from partnership import setup, setup_codes
from partnership.context import Reply, UserError
from partnership.messages import setup as say

if TYPE_CHECKING:
    from slack_sdk.oauth import InstallationStore

log = logging.getLogger("csp_bot.setup")
# Seconds users.info may take inside an ack (the form's trigger lasts 3 s in all).
ADMIN_TIMEOUT = 1.0
# After the ack (the Home tab) there is no such hurry.
ADMIN_TIMEOUT_LATER = 5.0
_CODE = re.compile(r"^code[:=]\s*(\S+)$", re.IGNORECASE)
OPEN_BUTTON = "setup_open"
# The form's callback id (views.form_view names a modal after its form).
SETUP_FORM = FORM


class SetupEdge:
    """The set-up listeners, and the stranger's answers, around one :class:`Edge`."""

    def __init__(
        self, edge: Edge, settings: Settings, store: InstallationStore | None = None
    ) -> None:
        self.edge = edge
        self.settings = settings
        self.store = store

    # ----------------------------------------------------------------- grounds

    def where(self, team: str | None) -> setup.Workspace:
        """The asker's workspace; with many workspaces, a plan with no team is not its."""
        return setup.Workspace(team, unassigned=not self.settings.oauth_mode)

    def grounds(
        self,
        session: Session,
        client: WebClient,
        team: str | None,
        user: str,
        *,
        timeout: float = ADMIN_TIMEOUT,
        ask_slack: bool = True,
    ) -> setup.Grounds:
        """Why this user may set up here: the cheap grounds first, Slack's last (if asked)."""
        now = self.edge.clock()
        cheap = setup.Grounds(
            named=user in self.settings.setup_users,
            installer=self._installer(team, user),
            code=setup_codes.holds(session, team, user, now),
            coordinator=setup.coordinates_here(session, self.where(team), user),
        )
        if cheap.may or not ask_slack:
            return cheap
        return setup.Grounds(admin=self._admin(client, user, timeout))

    def _installer(self, team: str | None, user: str) -> bool:
        """OAuth mode: whether this user installed the app in this workspace."""
        if self.store is None or not team:
            return False
        try:
            found = self.store.find_installation(enterprise_id=None, team_id=team, user_id=user)
        except Exception as exc:  # the store is our database: a failure is no ground
            log.warning("installation lookup failed: %s", type(exc).__name__)
            return False
        return found is not None and found.user_id == user

    def _admin(self, client: WebClient, user: str, timeout: float) -> bool:
        """Whether Slack says the user is a workspace admin or owner (False if it cannot say)."""
        quick = copy.copy(client)  # the same token and URL; its own timeout, no retries
        quick.timeout, quick.retry_handlers = int(max(1, timeout)), []
        try:
            answer = quick.users_info(user=user)
        except (SlackApiError, SlackClientError, OSError) as exc:
            log.warning("users.info failed: %s", type(exc).__name__)
            return False
        found = answer.get("user")
        if not isinstance(found, dict):
            return False
        return any(found.get(k) is True for k in ("is_admin", "is_owner", "is_primary_owner"))

    def _stranger(self, team: str | None, user: str) -> bool:
        """Whether the user is in no partnership of (or admitting) this workspace."""
        with self.edge.factory() as session:
            return not memberships(session, team, user)

    # --------------------------------------------------------------- listeners

    def on_command(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """``/csp …``: set-up and strangers here; everything else to the edge."""
        started = time.perf_counter()
        try:
            _slug, text = take_partnership(body.get("text") or "")
            words = text.split()
            team, user = payload.team(body), payload.user(body)
            if words and words[0].lower() == "setup":
                self.setup_command(ack, body, client, words[1:])
                _logged("setup", started)
                return
            # Help (or nothing) is the welcome; any other command says first that it
            # cannot run for someone the bot does not know.
            asked = bool(words) and words[0].lower() != "help"

            def welcome() -> Reply:
                reply = self.welcome(client, team, user, home=False, unknown=asked)
                _logged("welcome", started)
                return reply

            # A slow command is acknowledged before it runs, so a stranger is found
            # first; any other learns it from the command's own identification (no
            # session and query of its own before every command).
            if is_slow(text) and self._stranger(team, user):
                ack(**payload.ephemeral(welcome()))
                return
        except Exception:  # the last guard: Slack must get an answer, never a 500
            log.exception("setup listener failed")
            ack(**payload.ephemeral(apology("setup")))
            return
        self.edge.on_command(ack, body, client, welcome=welcome)

    def setup_command(
        self, ack: Ack, body: dict[str, Any], client: WebClient, words: list[str]
    ) -> None:
        """``/csp setup [code:XXXX]``: redeem the code, check who may, open the form."""
        team, user = payload.team(body), payload.user(body)
        code = None
        if words:
            match = _CODE.match(" ".join(words))
            if match is None:
                ack(**payload.ephemeral(error_reply(UserError(say.SETUP_USAGE))))
                return
            code = match[1]
        with self.edge.factory() as session:
            if code is not None:
                try:
                    setup_codes.redeem(session, code, team, user, self.edge.clock())
                except UserError as exc:
                    session.rollback()
                    ack(**payload.ephemeral(error_reply(exc)))
                    return
                session.commit()
            grounds = self.grounds(session, client, team, user)
            if not grounds.may:
                ack(**payload.ephemeral(error_reply(UserError(say.refused()))))
                return
            form = setup_form(session, self.where(team))
        if payload.open_form(client, body, form, None):
            ack()
        else:
            ack(**payload.ephemeral(error_reply(UserError(say.FORM_FAILED))))

    def on_open_button(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The Home tab's **Set up a partnership** button: the same checks, the same form."""
        ack()
        try:
            team, user = payload.team(body), payload.user(body)
            with self.edge.factory() as session:
                grounds = self.grounds(session, client, team, user)
                form = setup_form(session, self.where(team)) if grounds.may else None
            if form is None:
                refused = error_reply(UserError(say.refused()))
            elif payload.open_form(client, body, form, None, from_home=True):
                return
            else:
                refused = error_reply(UserError(say.FORM_FAILED))
            self.edge.later(lambda: payload.direct(client, user, refused), "setup button")
        except Exception:  # Slack already has its ack: log it
            log.exception("setup button failed")

    def on_submit(self, ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The form's submission: check who may again, create, errors on the fields."""
        view = body.get("view") or {}
        ids = input_ids(view)
        try:
            meta = payload.metadata(view)
            if meta is None:
                ack(response_action="errors", errors={ids[0]: say.FIX_FIELDS}) if ids else ack()
                return
            team, user = payload.team(body), payload.user(body)
            values = {**submitted_values(view), **_conversations(view)}
            started = time.perf_counter()
            outcome = self._create(client, team, user, values)
            _logged("setup form", started, ok=not isinstance(outcome, UserError))
            if isinstance(outcome, UserError):
                fields = {k: v[:2000] for k, v in outcome.fields.items() if k in ids}
                if not fields and ids:
                    fields = {ids[0]: outcome.message[:2000]}
                ack(response_action="errors", errors=fields)
                return
            ack()
            reply, slug = outcome

            def tell() -> None:
                payload.confirm(client, body, meta, reply)
                self.edge.publish_home(client, body, slug=slug)

            self.edge.later(tell, "setup confirmation")
        except Exception:
            log.exception("setup form failed")
            sorry = "Sorry, something went wrong on our side and nothing was saved. Try again."
            ack(response_action="errors", errors={ids[0]: sorry}) if ids else ack()

    def _create(
        self, client: WebClient, team: str | None, user: str, values: dict[str, str]
    ) -> UserError | tuple[Reply, str]:
        """Create the partnership in one transaction; a clash runs it once more."""
        for attempt in (1, 2):
            with self.edge.factory() as session:
                if not self.grounds(session, client, team, user).may:
                    return UserError(say.refused())
                try:
                    partnership = setup.create(session, self.where(team), user, values)
                    setup_codes.spend(session, team, user, partnership, self.edge.clock())
                    reply = setup.done(partnership)
                    slug = partnership.slug
                    session.commit()
                    return reply, slug
                except UserError as exc:
                    session.rollback()
                    return exc
                except IntegrityError:
                    # Someone took the short name or a channel at the same moment: the
                    # second attempt's check then says which field.
                    session.rollback()
                    if attempt == 2:
                        raise
        raise AssertionError("unreachable")

    def on_home(self, body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        """The Home tab: the welcome for strangers, the person's own view for everyone else."""
        if event.get("tab") != "home":
            return
        user = str(event.get("user") or "")
        team = payload.team(body)

        def publish() -> None:
            if not self._stranger(team, user):
                self.edge.publish_home(client, body, user=user)
                return
            reply = self.welcome(client, team, user, home=True)
            try:
                client.views_publish(user_id=user, view=home_view(reply))
            except (SlackApiError, SlackClientError) as exc:
                log.warning("views.publish failed: %s", type(exc).__name__)

        self.edge.later(publish, "home")

    # ----------------------------------------------------------------- answers

    def welcome(
        self,
        client: WebClient,
        team: str | None,
        user: str,
        *,
        home: bool,
        unknown: bool = False,
    ) -> Reply:
        """What the bot is and how to start, for someone in no partnership here.

        In an ack (not ``home``) Slack is not asked whether they are an admin: the
        reply says who may, and ``/csp setup`` asks. The Home tab, published after
        the ack, asks, to show the button only to those who may.
        """
        with self.edge.factory() as session:
            grounds = self.grounds(
                session, client, team, user, timeout=ADMIN_TIMEOUT_LATER, ask_slack=home
            )
            return setup.welcome(
                session, self.where(team), may=grounds.may, home=home, unknown=unknown
            )


def _logged(command: str, started: float, *, ok: bool = True) -> None:
    """The one log line per request, as the edge writes it; never who typed what."""
    log.info(
        "request",
        extra={
            "event": "request",
            "kind": "form" if command.endswith("form") else "command",
            "partnership": "-",
            "command": command,
            "ok": ok,
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )


def _conversations(view: dict[str, Any]) -> dict[str, str]:
    """The channels chosen in a submitted view's ``conversations_select`` inputs."""
    found: dict[str, str] = {}
    state = (view.get("state") or {}).get("values") or {}
    if not isinstance(state, dict):
        return found
    for block_id, actions in state.items():
        if not isinstance(actions, dict):
            continue
        for element in actions.values():
            if isinstance(element, dict) and element.get("type") == "conversations_select":
                chosen = element.get("selected_conversation")
                found[str(block_id)] = chosen if isinstance(chosen, str) else ""
    return found
