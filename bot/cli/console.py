"""The console: type ``/csp ...`` lines as a person from the plan, read the replies as text.

Like Hubot's shell adapter or Errbot's text backend, it runs the very same
command code as Slack (dispatch, permissions, templates) on the local database
with no Slack credentials, including a leading ``in:<slug>`` for one command in
another partnership. Replies are the Block Kit that Slack would get, printed as
terminal text (:mod:`bot.render.terminal`: bold, emoji and links rendered, never raw
mrkdwn); buttons are shown as the commands they stand for; a form is shown with
its pre-filled values. Lines that are not commands:

``/as NAME``     act as someone from the plan (``/as operator`` for the console's own
                 coordinator rights), ``/in SLUG`` switch partnership, ``/who``,
``/quit``        leave; ``# text`` is a comment (echoed in scripts).
"""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterable
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.render.environment import render_blocks
from bot.render.replies import reply_pages
from bot.render.terminal import PLAIN, Style, encodable, terminal_text
from bot.schedule.finish import finish
from bot.schedule.sender import PrintSender
from bot.slack.directory import ConsoleDirectory
from bot.slack.identity import take_partnership
from bot.slack.runner import apology, execute
from commands.framework.core import Form
from commands.framework.dispatch import Outcome, dispatch_text
from partnership.context import Context, Reply, UserError
from partnership.lookup import match_person, people
from partnership.messages import edge as say
from storage.models import Partnership, Person, Source

log = logging.getLogger("csp_bot.console")
Out = Callable[[str], None]
OPERATOR = "operator"


class ConsoleError(Exception):
    """The console cannot start as asked (unknown partnership or person)."""


class Console:
    """One console session: a partnership, a person (or the operator), and a clock."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        partnership: str,
        person: str | None = None,
        *,
        out: Out = print,
        clock: Callable[[], dt.datetime] | None = None,
        style: Style = PLAIN,
    ) -> None:
        self.factory = factory
        self.style = style
        # Everything the console prints fits the output's encoding (never a UnicodeError).
        self.out: Out = lambda text: out(encodable(text, style))
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.slug = partnership
        self.person_id: int | None = None
        self.person_name = "the console operator"
        with factory() as session:
            self._partnership(session, partnership)
            if person and person != OPERATOR:
                self._become(session, person)

    # ------------------------------------------------------------ identity

    def _partnership(self, session: Session, slug: str) -> Partnership:
        found = session.scalars(select(Partnership).where(Partnership.slug == slug)).first()
        if found is None:
            known = ", ".join(session.scalars(select(Partnership.slug).order_by(Partnership.slug)))
            raise ConsoleError(f"no partnership {slug!r}; known: {known or 'none'}")
        return found

    def _become(self, session: Session, who: str) -> None:
        partnership = self._partnership(session, self.slug)
        ctx = Context(session, partnership, None, self.clock(), Source.CONSOLE, operator=True)
        everyone = people(ctx)
        person = match_person(everyone, who)
        if person is None:
            names = ", ".join(p.name for p in everyone) or "nobody yet"
            raise ConsoleError(f"{who!r} is not in {partnership.name}'s plan. People: {names}")
        self.person_id, self.person_name = person.id, person.name

    def whoami(self) -> str:
        """Who the console is acting as, and where."""
        if self.person_id is None:
            return f"You are the console operator (coordinator rights) in {self.slug}."
        return f"You are {self.person_name} in {self.slug}."

    # ------------------------------------------------------------- running

    def handle(self, line: str) -> bool:
        """Handle one typed line; False when the session should end."""
        text = line.strip()
        if not text:
            return True
        if text.startswith("#"):
            self.out(text)
            return True
        word, _, rest = text.partition(" ")
        if word in ("/quit", "/exit", "quit", "exit"):
            return False
        if word in ("/as", "/in", "/who"):
            self._meta(word, rest.strip())
            return True
        command = text[len("/csp") :] if word == "/csp" else text
        self.out(self.run(command.strip()))
        return True

    def _meta(self, word: str, rest: str) -> None:
        try:
            with self.factory() as session:
                if word == "/in":
                    self._partnership(session, rest)
                    self.slug, self.person_id = rest, None
                    self.person_name = "the console operator"
                elif word == "/as":
                    if rest in ("", OPERATOR):
                        self.person_id, self.person_name = None, "the console operator"
                    else:
                        self._become(session, rest)
        except ConsoleError as exc:
            self.out(f"console: {exc}")
            return
        self.out(f"console: {self.whoami()}")

    def run(self, command: str) -> str:
        """Run one ``/csp`` command (without the ``/csp``) and return the text shown.

        Messages a command sends to others (``/csp chase``'s direct messages) go
        through the outbox as from Slack, so they are recorded the same way, but
        are printed here instead of sent. A leading ``in:<slug>`` runs it in that
        partnership, as in Slack, as the same person there (by Slack id, else by
        name); the console stays where it was.
        """
        slug, text = take_partnership(command)

        def context(session: Session) -> Context:
            return self._context(session, slug)

        outcome = execute(
            self.factory, context, lambda ctx: dispatch_text(ctx, text), label="console"
        )
        if outcome.ok and isinstance(outcome.result, Reply):
            outcome.result = finish(
                self.factory, PrintSender(self.out, self.style), outcome.result, self.clock()
            )
        return self.show(outcome)

    def _context(self, session: Session, slug: str | None = None) -> Context:
        person = session.get(Person, self.person_id) if self.person_id is not None else None
        if self.person_id is not None and person is None:
            raise UserError(say.ACTED_AS_GONE)
        if slug is None or slug == self.slug:
            partnership = self._partnership(session, self.slug)
        else:
            partnership, person = self._elsewhere(session, slug, person)
        return Context(
            session=session,
            partnership=partnership,
            person=person,
            now=self.clock(),
            source=Source.CONSOLE,
            directory=ConsoleDirectory(),
            operator=person is None,
        )

    def _elsewhere(
        self, session: Session, slug: str, person: Person | None
    ) -> tuple[Partnership, Person | None]:
        """``in:<slug>``: that partnership, and the person acting there (None: the operator)."""
        try:
            partnership = self._partnership(session, slug)
        except ConsoleError:
            raise UserError(say.no_partnership(slug=slug, known=_known(session))) from None
        if person is None:
            return partnership, None
        ctx = Context(session, partnership, None, self.clock(), Source.CONSOLE, operator=True)
        everyone = people(ctx)
        same_account = [p for p in everyone if p.slack_user_id == (person.slack_user_id or "-")]
        there = same_account[0] if same_account else match_person(everyone, person.name)
        if there is None:
            raise UserError(
                say.cannot_act_there(name=person.name, partnership=partnership.name, slug=slug)
            )
        return partnership, there

    def show(self, outcome: Outcome) -> str:
        """An outcome as console text: a reply's pages, or a form with its values."""
        result = outcome.result
        if isinstance(result, Form):
            return form_text(result, self.style)
        assert isinstance(result, Reply)
        visibility = "(posted in the channel)\n" if result.public and outcome.ok else ""
        try:
            pages = reply_pages(result)
            return visibility + "\n".join(terminal_text(page, self.style) for page in pages)
        except Exception:  # a template fault must not end the session with a traceback
            log.exception("rendering %s failed", result.template)
            return terminal_text(render_blocks("error", apology("render").data), self.style)


def _known(session: Session) -> str:
    slugs = ", ".join(
        f"`{s}`" for s in session.scalars(select(Partnership.slug).order_by(Partnership.slug))
    )
    return say.partnerships_here(slugs=slugs)


def form_text(form: Form, style: Style = PLAIN) -> str:
    """A form as text: Slack would open it; the console shows it and the typed way."""
    blocks = render_blocks(f"form_{form.name}", {"form": form, "values": form.values})
    fields = terminal_text(blocks, style)
    ref = form.values.get("ref", "A-1")
    typed = {
        "action_update": f'/csp action update {ref} rag:amber "what happened"',
        "action_add": '/csp action add "Title of the action" owner:@name due:31/03/2027',
        "action_snooze": f"/csp action snooze {ref} until:30/06/2027",
        "return_submit": '/csp return submit summary:"How the quarter went" rag:P1=green',
    }.get(form.name, "/csp help")
    return (
        f"[In Slack this opens a form: {form.title}]\n{fields}\n"
        f"In the console, type the values instead, e.g. {typed}"
    )


def repl(console: Console, stream: TextIO = sys.stdin, *, echo: bool | None = None) -> None:
    """Read lines until end of input or /quit; prompt when interactive, echo when piped."""
    interactive = stream.isatty()
    echo = (not interactive) if echo is None else echo
    if interactive:
        console.out(console.whoami() + " Type /csp help, /as NAME, /quit.")
    while True:
        if interactive:
            try:
                line = input("csp> ")
            except EOFError:
                break
        else:
            line = stream.readline()
            if not line:
                break
        if echo and line.strip() and not line.lstrip().startswith("#"):
            console.out(f"\n> {line.strip()}")
        if not console.handle(line):
            break


def play(console: Console, lines: Iterable[str]) -> None:
    """Play a scripted session, echoing each line before its reply."""
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            console.out(f"\n> {line.strip()}")
        console.handle(line)
