"""`unspin serve`: the local web service (page at /, JSON API at /api, API docs at /docs)."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from ..serve.settings import LOOPBACK, MB, ServeSettings
from . import add_device_option


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the local web service (page + JSON API)",
                       description="Serve a page and a JSON API on this machine. Models are loaded once at "
                                   "start; the process makes no outbound connections.")
    p.add_argument("--host", default=LOOPBACK, help="address to bind (default %(default)s: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default %(default)s; 0 picks a free one)")
    p.add_argument("--max-body-mb", type=float, default=5.0, help="largest request body in MB (default %(default)s)")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds allowed per request (default %(default)s)")
    p.add_argument("--max-in-flight", type=int, default=4,
                   help="restores/scans running at once (default %(default)s)")
    p.add_argument("--max-queued", type=int, default=16,
                   help="requests that may wait for a slot; beyond that 503 + Retry-After (default %(default)s)")
    p.add_argument("--max-chars", type=int, default=200_000,
                   help="longest text (pasted or extracted) a request may have (default %(default)s)")
    p.add_argument("--worker-memory-mb", type=int, default=768,
                   help="memory an engine worker may use beyond the loaded models; 0: no cap (default %(default)s)")
    p.add_argument("--header-timeout", type=float, default=10.0,
                   help="seconds a request head may take to arrive (default %(default)s)")
    p.add_argument("--keep-alive", type=float, default=5.0,
                   help="seconds an idle connection is kept open (default %(default)s)")
    p.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                   help="also answer requests for this Host name (repeat; '*' for any). Others get 421: "
                        "a web page cannot reach this server by pointing its own name at it")
    p.add_argument("--lm", default="ngram", help="language model: ngram, smollm2, gemma3 or a model name (default %(default)s)")
    add_device_option(p)
    p.add_argument("--fingerprints", metavar="FILE", help="extra list of known tortured phrases for scan")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="how to print the startup line with the bound URL")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(handler=run)


def settings_from_args(args: argparse.Namespace) -> ServeSettings:
    return ServeSettings(host=args.host, port=args.port, max_body_bytes=int(args.max_body_mb * MB),
                         timeout_s=args.timeout, max_in_flight=args.max_in_flight, max_queued=args.max_queued, lm=args.lm,
                         fingerprints=args.fingerprints, max_text_chars=args.max_chars,
                         worker_memory_mb=args.worker_memory_mb, head_timeout_s=args.header_timeout,
                         keep_alive_s=args.keep_alive, allowed_hosts=tuple(args.allow_host), device=args.device)


def run(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
    except ValueError as exc:
        print(f"unspin serve: {exc}", file=sys.stderr)
        return 2
    try:
        import uvicorn  # noqa: F401

        from ..serve.app import create_app, forbid_outbound_network, load_real_engines
    except ImportError as exc:
        from ..errors import MissingExtraError

        raise MissingExtraError("serve", f"`unspin serve` ({exc.name} is missing)") from exc
    if settings.host not in {LOOPBACK, "localhost", "::1"}:
        print(f"unspin serve: warning: listening on {settings.host}, reachable from other machines; "
              "there is no authentication", file=sys.stderr)
    forbid_outbound_network()
    engines = load_real_engines(settings)  # once, before binding: a missing model fails here, plainly
    app = create_app(settings=settings, load_engines=lambda: engines)
    return serve_app(app, settings, args.format, args.log_level)


def serve_app(app, settings: ServeSettings, fmt: str = "text", log_level: str = "warning") -> int:  # type: ignore[no-untyped-def]
    """Run `app` under uvicorn until interrupted, printing the bound URL once it listens. SIGTERM
    or Ctrl+C: requests in flight get `shutdown_grace_s`, then the engine workers are killed."""
    import uvicorn

    from ..serve.protocol import uvicorn_config

    server = uvicorn.Server(uvicorn_config(app, settings, log_level))
    server.startup = _announce(server, settings, fmt)  # type: ignore[method-assign]
    if threading.current_thread() is threading.main_thread():
        # uvicorn shuts down gracefully on SIGTERM, then re-raises it: make that a clean exit.
        signal.signal(signal.SIGTERM, _exit_quietly)
    try:
        server.run()
    except KeyboardInterrupt:  # uvicorn re-raises the Ctrl+C it handled
        pass
    except SystemExit as exc:  # uvicorn exits 1 (cannot bind) or 3 (startup failed); SIGTERM exits 0
        if exc.code not in (0, None):
            return 4
    return 0 if server.started else 4


def _exit_quietly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _announce(server, settings: ServeSettings, fmt: str):  # type: ignore[no-untyped-def]
    """Wrap uvicorn's startup to print the URL actually bound (the port may have been 0)."""
    startup = server.startup

    async def startup_and_print(sockets=None):  # type: ignore[no-untyped-def]
        await startup(sockets=sockets)
        if not server.started:
            return
        port = _bound_port(server) or settings.port
        url = ServeSettings(host=settings.host, port=port).url
        if fmt == "json":
            print(json.dumps({"event": "listening", "url": url, "host": settings.host, "port": port,
                              "docs": url + "docs", "max_body_bytes": settings.max_body_bytes,
                              "timeout_s": settings.timeout_s, "max_in_flight": settings.max_in_flight,
                              "lm": settings.lm}), flush=True)
        else:
            print(f"unspin serve: open {url} (API docs at {url}docs); Ctrl+C stops", flush=True)

    return startup_and_print


def _bound_port(server) -> int | None:  # type: ignore[no-untyped-def]
    for listener in getattr(server, "servers", []) or []:
        for sock in getattr(listener, "sockets", []) or []:
            return int(sock.getsockname()[1])
    return None
