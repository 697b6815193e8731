"""The console: type ``/csp ...`` lines as a person from the plan, read the replies as text.

Like Hubot's shell adapter or Errbot's text backend, it runs the very same
command code as Slack (dispatch, permissions, templates) on the local database
with no Slack credentials. Replies are the Block Kit that Slack would get,
printed as text; buttons are shown as the commands they stand for; a form is
shown with its pre-filled values. Lines that are not commands:

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

from bot.blocks import to_text
from bot.render import render_blocks
from bot.runner import apology, execute
from bot.sender import PrintSender
from bot.sweeps.finish import finish
from bot.views import reply_pages
from commands.core import Context, Form, Reply, UserError
from commands.dispatch import Outcome, dispatch_text
from commands.lookup import match_person, people
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
    ) -> None:
        self.factory = factory
        self.out = out
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
        are printed here instead of sent.
        """
        outcome = execute(
            self.factory, self._context, lambda ctx: dispatch_text(ctx, command), label="console"
        )
        if outcome.ok and isinstance(outcome.result, Reply):
            outcome.result = finish(
                self.factory, PrintSender(self.out), outcome.result, self.clock()
            )
        return self.show(outcome)

    def _context(self, session: Session) -> Context:
        partnership = self._partnership(session, self.slug)
        person = session.get(Person, self.person_id) if self.person_id is not None else None
        if self.person_id is not None and person is None:
            raise UserError("The person you were acting as is no longer in the plan; use /as.")
        return Context(
            session=session,
            partnership=partnership,
            person=person,
            now=self.clock(),
            source=Source.CONSOLE,
            operator=person is None,
        )

    def show(self, outcome: Outcome) -> str:
        """An outcome as console text: a reply's pages, or a form with its values."""
        result = outcome.result
        if isinstance(result, Form):
            return form_text(result)
        assert isinstance(result, Reply)
        visibility = "(posted in the channel)\n" if result.public and outcome.ok else ""
        try:
            return visibility + "\n".join(to_text(page) for page in reply_pages(result))
        except Exception:  # a template fault must not end the session with a traceback
            log.exception("rendering %s failed", result.template)
            return to_text(render_blocks("error", apology("render").data))


def form_text(form: Form) -> str:
    """A form as text: Slack would open it; the console shows it and the typed way."""
    fields = to_text(render_blocks(f"form_{form.name}", {"form": form, "values": form.values}))
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
