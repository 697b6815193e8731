"""Baselines for the ack-latency benchmark: a bare Bolt app that only acknowledges ``/csp``.

Served exactly like the bot (gunicorn, gthread workers, Bolt's WSGI adapter at
``/slack/events``, the same signing secret, Bolt's signature verification on),
but its listener does nothing but ``ack()``. Two modes:

* ``default``: ``App(...)`` with Bolt's defaults (``process_before_response=False``:
  the listener runs on Bolt's thread pool and the request thread waits for the ack);
* ``pbr``: the same with ``process_before_response=True`` (the ack is the response),
  which is how the bot's app is configured.

Run: ``python benchmarks/baseline_app.py --mode default --port 3001`` with
SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET and SLACK_API_URL in the environment.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wsgiref.types import StartResponse, WSGIEnvironment

WSGIApp = Callable[["WSGIEnvironment", "StartResponse"], Iterable[bytes]]


def build(mode: str) -> WSGIApp:
    """The baseline WSGI callable: Bolt at /slack/events, /healthz answering 200."""
    from slack_bolt import Ack, App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    client = WebClient(
        token=os.environ["SLACK_BOT_TOKEN"],
        base_url=os.environ.get("SLACK_API_URL") or "https://slack.com/api/",
    )
    options: dict[str, Any] = {"process_before_response": True} if mode == "pbr" else {}
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=client,
        **options,
    )

    @app.command("/csp")
    def on_command(ack: Ack) -> None:
        ack()

    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return slack(environ, start_response)

    return application


def serve(mode: str, host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn with the options ``bot.slack.server.serve`` uses."""
    from gunicorn.app.base import BaseApplication

    class Gunicorn(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "timeout": 30,
                "graceful_timeout": 10,
                "accesslog": None,
                "loglevel": "info",
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> WSGIApp:
            return build(mode)

    Gunicorn().run()


def main() -> None:
    """Parse the options and serve."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--mode", choices=["default", "pbr"], required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    serve(args.mode, args.host, args.port, args.workers, args.threads)


if __name__ == "__main__":
    main()
