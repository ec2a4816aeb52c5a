"""The shape of a tool contract: everything this server knows about one tool, in one value.

A contract says whether the tool reads or writes, whether it may be repeated, when the person
must confirm and why, how arguments are checked and normalised before anything is sent, how the
provider's answer is shaped and summarised, and what a failure without a clear answer means.
Dispatch, the catalog, results and error texts look a contract up; they never test a tool name.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator

from iletimerkezi_mcp.errors import Meaning, WriteRisk
from iletimerkezi_mcp.ledger import Ledger
from iletimerkezi_mcp.results.coerce import ShapeContext
from iletimerkezi_mcp.results.schemas import output_schema_with
from iletimerkezi_mcp.safety import PreparedCall
from iletimerkezi_mcp.settings import Settings

# (payload, arguments, out, ctx, ok): pops the payload keys it understands into `out`.
Shaper = Callable[[dict[str, Any], dict[str, Any], dict[str, Any], ShapeContext, bool], None]
# (shaped result, arguments) -> one or two lines for the person.
Summary = Callable[[dict[str, Any], dict[str, Any]], str]
# (validated arguments, settings) -> exactly what will be sent; raises safety.Refusal.
Prepare = Callable[[dict[str, Any], Settings], PreparedCall]
# (prepared call, settings) -> why the person must confirm, or None when they need not.
ConfirmRule = Callable[[PreparedCall, Settings], "str | None"]
# (arguments, the ledger) -> (structuredContent, summary) for tools that run locally, without the API.
LocalRun = Callable[[dict[str, Any], Ledger], "tuple[dict[str, Any], str]"]

_ARGUMENTS_SHOWN = 600  # characters of a payload shown to the person when asking

# Said once in each description that needs it. How the person confirms is said by the
# confirmation_token argument of every write and by the server's instructions.
CONFIRM_HOW = "needs the person's confirmation"
NEVER_RETRIED = "Never retried automatically."


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else (plural_form or word + 's')}"


def prepare_as_is(arguments: dict[str, Any], settings: Settings) -> PreparedCall:
    """No domain rules: the validated arguments are sent unchanged."""
    shown = json.dumps(arguments, ensure_ascii=False, sort_keys=True)
    if len(shown) > _ARGUMENTS_SHOWN:
        shown = shown[: _ARGUMENTS_SHOWN - 1] + "…"
    # Nothing is normalised, so the whole payload is bound as sent (the "other fields" part).
    return PreparedCall(arguments=arguments, lines=[f"Arguments: {shown}"])


def never(prepared: PreparedCall, settings: Settings) -> str | None:
    return None


def always(reason: str) -> ConfirmRule:
    def rule(prepared: PreparedCall, settings: Settings) -> str | None:
        return reason

    return rule


def shape_passthrough(payload: dict, args: dict, out: dict, ctx: ShapeContext, ok: bool) -> None:
    """Every field passes through (typed common ones are coerced later)."""


def summary_done(structured: dict[str, Any], arguments: dict[str, Any]) -> str:
    return "Done."


def no_arguments(variables: Mapping[str, str]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Feed:
    """What a read tool's answer serves besides its own result (see guide/): a resource, or one part of
    one, and values for completing prompt and template arguments."""

    resource: str | None = None  # a guide.uris address (or template) this tool's result is served at
    part: str | None = None  # the result's key taken into that resource; None: the whole result
    arguments: Callable[[Mapping[str, str]], dict[str, Any]] = no_arguments  # template variables -> arguments
    completes: str | None = None  # the kind of value it lists (guide.uris.SENDER, ORDER_ID)
    values: Callable[[dict[str, Any]], list[str]] | None = None  # those values, from a structured result


@dataclass(frozen=True)
class ToolContract:
    name: str
    path: str | None  # the API path it binds to; None for tools that run locally
    read_only: bool
    destructive: bool
    idempotent: bool
    retry: bool = False  # may the executor repeat it after a network error or 5xx?
    open_world: bool = True
    experimental: bool = False
    prepare: Prepare = prepare_as_is
    confirm: ConfirmRule = never
    shape: Shaper = shape_passthrough
    summary: Summary = summary_done
    output: Mapping[str, Any] = field(default_factory=dict)  # result properties beyond the common ones
    previews: bool = False  # prepare() counts SMS, so its results (and confirmations, dry runs) carry a preview
    risk: WriteRisk | None = None  # what an unclear failure means; None for reads
    meanings: Mapping[int, Meaning] = field(default_factory=dict)  # provider codes that mean more here
    note: str = ""  # safety facts for the description; {confirm_above} is filled from the settings
    adjust_schema: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # widen what prepare() accepts
    # Argument paths that `prepare` puts, normalised, into PreparedCall.parts; everything else is bound
    # to a confirmation as sent.
    covers: tuple[tuple[str, ...], ...] = ()
    # A local tool has no manifest entry: it brings its own run, schema, title and description.
    local: LocalRun | None = None
    input_schema: Mapping[str, Any] | None = None
    title: str = ""
    description: str = ""
    offered_with: str | None = None  # also offered when an allow list names this tool
    feed: Feed | None = None  # a read whose result also serves a resource or completions

    @property
    def asks_confirmation(self) -> bool:
        """Whether a call can stop for confirmation (so the token argument is offered): every write
        can, by its own rule or the ledger's (budgets, a repeated send, an unusable ledger)."""
        return not self.read_only

    @property
    def kind(self) -> str:
        """"local", "read" or "write": what decides the result's common fields and the tool table."""
        return "local" if self.local is not None else "read" if self.read_only else "write"

    # Built once per contract: the full output schema and its compiled validator.
    _schema: dict[str, Any] = field(init=False, repr=False, compare=False)
    _validator: Draft202012Validator = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        schema = output_schema_with(self.output, self.kind, self.previews)
        object.__setattr__(self, "_schema", schema)  # frozen: set once, here
        object.__setattr__(self, "_validator", Draft202012Validator(schema))

    @property
    def output_schema(self) -> dict[str, Any]:
        return self._schema

    @property
    def output_validator(self) -> Draft202012Validator:
        return self._validator

    def describe_note(self, settings: Settings) -> str:
        return self.note.format(confirm_above=settings.confirm_above)


def reader(name: str, path: str, **facts: Any) -> ToolContract:
    """A read: no side effects, so it may be repeated after a network error or 5xx."""
    return ToolContract(name=name, path=path, read_only=True, destructive=False, idempotent=True, retry=True,
                        **facts)
