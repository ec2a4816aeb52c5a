"""Command line: the stdio MCP server by default, plus sandbox, doctor, manifest, tools, call.

Only the MCP server speaks on stdout while serving; every sub-command prints its report to
stdout (it is not serving MCP), and all logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from types import FrameType

    from _typeshed import SupportsWrite

    from iletimerkezi_mcp.front import Handover
    from iletimerkezi_mcp.settings import Settings

# Imported inside functions: a stdio start answers from its snapshot (iletimerkezi_mcp.front) before
# pydantic and the MCP SDK load.

EPILOG = """commands:
  (none)              serve MCP over stdio (what MCP clients launch)
  sandbox             run the built-in fake API standalone and print its URL and test credentials
  doctor              check settings, cache, manifest, network and credentials, with fixes
  manifest show|diff|refresh
                      which manifest is served and why; bundled vs cached vs live; refresh now
  tools [--lint]      the tool list as a table; --lint checks it against what clients accept
  history [--since 24h] [--tool T] [--json]
                      what went out, at what cost, and who confirmed it (the send ledger)
  call TOOL --json ARGS
                      one tool call through the same pipeline (for scripts and debugging)
  serve-http [--host 127.0.0.1] [--port 8000]
                      serve MCP over streamable HTTP at /mcp for a team (bearer tokens or OAuth)
  token new NAME --role reader|sender|admin
                      a new static bearer token for serve-http, and its line for the tokens file
                      (--budget-hour/--budget-day given here become this caller's own budgets)

Every setting is also read from its environment variable (shown in brackets); a flag wins.
Docs: https://github.com/iletimerkezi-mcp/iletimerkezi-mcp#readme"""

# Started by hand in a terminal, the server would sit silent waiting for JSON-RPC; one line on stderr
# (never stdout, the protocol's channel) says what it is and what to try instead.
TERMINAL_HINT = ("iletimerkezi-mcp: this is an MCP server, waiting for an MCP client on stdin/stdout. "
                 "To try it instead: `iletimerkezi-mcp --help`, `iletimerkezi-mcp doctor`, or the MCP Inspector "
                 "`npx @modelcontextprotocol/inspector iletimerkezi-mcp --sandbox`. Ctrl+C stops it.")

# A report piped into a reader that stops early (`| head`) ends as a C tool killed by SIGPIPE would:
# quietly, with the status a shell shows for that (128 + 13), so `set -o pipefail` sees a cut report.
SIGPIPE_EXIT = 141
CTRL_C_GRACE = 1.0  # seconds after Ctrl+C for cancelled calls to be recorded, when serving a terminal


def _add_setting_flags(parser: argparse.ArgumentParser) -> None:
    from iletimerkezi_mcp.settings import SETTINGS

    group = parser.add_argument_group("settings")
    for spec in SETTINGS:
        if spec.is_bool:
            group.add_argument(spec.flag, dest=spec.field, action="store_const", const=True,
                               default=argparse.SUPPRESS, help=f"{spec.help} [{spec.env}]")
        else:
            metavar = spec.field.upper()
            group.add_argument(spec.flag, dest=spec.field, metavar=metavar, default=argparse.SUPPRESS,
                               help=f"{spec.help} [{spec.env}]")


class _Parser(argparse.ArgumentParser):
    """argparse, minus swallowing a failed write: --help outgrew a pipe's 8 KiB buffer, so its text is
    written at once and a closed pipe must end the run with SIGPIPE_EXIT, as any report does."""

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            (file or sys.stderr).write(message)


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    _add_setting_flags(common)
    parser = _Parser(
        prog="iletimerkezi-mcp",
        description="A safe MCP server for the iletiMerkezi SMS API (Turkey).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common],
    )
    from iletimerkezi_mcp import __version__

    parser.add_argument("--version", action="version", version=f"iletimerkezi-mcp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sandbox = sub.add_parser("sandbox", parents=[common], help="run the fake API standalone")
    sandbox.add_argument("--port", type=int, default=8080, help="port on 127.0.0.1 (default 8080; 0 = any)")
    sandbox.add_argument("--state-file", default=None, help="keep the sandbox state in this JSON file")
    sandbox.add_argument("--delivery-delay", type=float, default=3.0,
                         help="seconds before a message moves from accepted to delivered (default 3)")
    sub.add_parser("doctor", parents=[common], help="diagnose the setup")
    manifest = sub.add_parser("manifest", parents=[common], help="show, diff or refresh the manifest")
    manifest.add_argument("action", choices=["show", "diff", "refresh"])
    tools = sub.add_parser("tools", parents=[common], help="list the tools as a table")
    tools.add_argument("--lint", action="store_true",
                       help="also check the tool list against what the major MCP clients accept")
    history = sub.add_parser("history", parents=[common], help="what went out: the ledger of every write")
    history.add_argument("--since", default="24h", help="a span like 30m, 24h, 7d, or a date (default 24h)")
    history.add_argument("--tool", default=None, help="only this tool, e.g. send_sms")
    history.add_argument("--outcome", default=None,
                         choices=["sent", "refused", "unknown", "pending", "dry-run"],
                         help="only this outcome (unknown = may have gone out)")
    history.add_argument("--limit", type=int, default=50, help="rows at most (default 50)")
    history.add_argument("--json", dest="as_json", action="store_true", help="JSON lines instead of a table")
    http = sub.add_parser("serve-http", parents=[common], help="serve MCP over streamable HTTP (a team server)")
    http.add_argument("--host", default="127.0.0.1",
                      help="address to listen on (default 127.0.0.1; any other needs authorization)")
    http.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    token = sub.add_parser("token", parents=[common], help="create a static bearer token for serve-http")
    token.add_argument("action", choices=["new"])
    token.add_argument("name", help="who the token is for: the ledger's actor (letters, digits, _ . @ -)")
    token.add_argument("--role", required=True, choices=["reader", "sender", "admin"],
                       help="reader: read tools; sender: also send_sms; admin: every tool")
    call = sub.add_parser("call", parents=[common], help="call one tool")
    call.add_argument("tool")
    call.add_argument("--json", dest="args_json", default="{}", help="the arguments as a JSON object")
    return parser


def settings_from(namespace: argparse.Namespace) -> Settings:
    from iletimerkezi_mcp.settings import SETTINGS, load_settings

    fields = {spec.field for spec in SETTINGS}
    overrides = {k: v for k, v in vars(namespace).items() if k in fields}
    return load_settings(overrides=overrides)


def main(argv: Sequence[str] | None = None) -> None:
    handover = None
    if argv is None:  # a real process start: the front may answer the client's first requests now
        from iletimerkezi_mcp.front import early_start

        handover = early_start(sys.argv[1:], os.environ)
    from iletimerkezi_mcp.manifest.models import ManifestError
    from iletimerkezi_mcp.overlay import OverlayError
    from iletimerkezi_mcp.settings import SettingsError

    parser = build_parser()
    try:
        namespace = parser.parse_args(argv)
    except SystemExit:  # --help, --version (on stdout) or a usage error
        _flush_stdout()
        raise
    except BrokenPipeError:  # --help into a reader that is gone
        _drop_stdout()
    try:
        settings = settings_from(namespace)
    except SettingsError as exc:
        print(f"iletimerkezi-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    log_format = "iletimerkezi-mcp %(levelname)s: %(message)s"
    logging.basicConfig(stream=sys.stderr, level=settings.log_level, format=log_format)
    from iletimerkezi_mcp.redact import Redactor, redact_logs, secrets_of

    redact_logs(Redactor(secrets_of(settings)), log_format)
    flagged = [flag for flag, field in (("--api-key", "api_key"), ("--api-hash", "api_hash"))
               if getattr(namespace, field, None) is not None]
    if flagged:
        logging.getLogger("iletimerkezi_mcp").warning(
            "%s on the command line can be read by every local user in the process list; put the credentials in "
            "ILETIMERKEZI_API_KEY and ILETIMERKEZI_API_HASH (the environment or the client's env block) instead",
            " and ".join(flagged))
    command = namespace.command
    try:
        if command is None:
            _serve(settings, handover, interactive=_stdin_is_a_terminal())
        elif command == "serve-http":
            import anyio

            from iletimerkezi_mcp.http.app import serve_http
            from iletimerkezi_mcp.http.logs import use_json_logs
            from iletimerkezi_mcp.redact import Redactor, secrets_of

            use_json_logs(Redactor(secrets_of(settings)))  # a team server's logs go to a collector

            anyio.run(serve_http, settings, namespace.host, namespace.port)
        elif command == "sandbox":
            from iletimerkezi_mcp.sandbox import run_standalone

            try:
                run_standalone(namespace.port, namespace.state_file, namespace.delivery_delay)
            except OSError as exc:
                print(f"iletimerkezi-mcp sandbox: cannot listen on 127.0.0.1:{namespace.port} "
                      f"({exc.strerror or exc}); choose another --port", file=sys.stderr)
                raise SystemExit(1) from None
        else:
            from iletimerkezi_mcp import commands

            try:
                code = commands.run(command, namespace, settings)
            except BrokenPipeError:
                _drop_stdout()
            _flush_stdout()
            raise SystemExit(code)
    except (SettingsError, OverlayError, ManifestError) as exc:
        print(f"iletimerkezi-mcp: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except KeyboardInterrupt:
        raise SystemExit(130) from None


def _serve(settings: Settings, handover: Handover | None, interactive: bool = False) -> None:
    if interactive:
        print(TERMINAL_HINT, file=sys.stderr, flush=True)  # before the SDK loads: at once
    import anyio

    from iletimerkezi_mcp.server import Terminated, serve

    restore = _end_soon_after_ctrl_c() if interactive else None
    try:
        anyio.run(serve, settings, handover)
    except Terminated:
        raise SystemExit(143) from None  # 128 + SIGTERM, as if the signal had ended us
    finally:
        if restore is not None:
            restore()


def _stdin_is_a_terminal() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (OSError, ValueError):  # a closed or detached stdin is no terminal
        return False


def _end_soon_after_ctrl_c() -> Callable[[], None] | None:
    """Make Ctrl+C end a server that reads a terminal; returns what puts the old handler back.

    The SDK reads a terminal in a worker thread that no cancellation reaches, so after Ctrl+C the run
    would wait for one more line of input. Ctrl+C still cancels what is in flight (a send among it is
    recorded as "may have gone out"); a process still here CTRL_C_GRACE seconds later ends at once.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None  # only the main thread may set signal handlers

    def on_ctrl_c(signum: int, frame: FrameType | None) -> None:
        timer = threading.Timer(CTRL_C_GRACE, os._exit, args=(130,))
        timer.daemon = True
        timer.start()
        signal.default_int_handler(signum, frame)

    previous = signal.signal(signal.SIGINT, on_ctrl_c)

    def restore() -> None:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)

    return restore


def _flush_stdout() -> None:
    """Flush now, while a closed pipe can still end the run quietly; at interpreter exit it would print
    "Exception ignored ... BrokenPipeError" and exit 120."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _drop_stdout()


def _drop_stdout() -> NoReturn:
    """The reader of stdout is gone: what is left is discarded and the run ends with SIGPIPE_EXIT.

    As Python's signal docs advise, stdout is pointed at the null device so the interpreter's own
    flush at exit cannot fail a second time.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, sys.stdout.fileno())
        finally:
            os.close(devnull)
    except (OSError, ValueError):  # no file descriptor behind sys.stdout (a test's capture)
        pass
    raise SystemExit(SIGPIPE_EXIT)
