"""Large batches, in-process: what the server does with a 50,000-recipient send_sms and a 5,000-record
iys_register before any request goes out (argument validation + the contract's preparation), against
jsonschema validating the same arguments item by item, the way every call was validated before.

The peak memory of the same work is taken in a fresh child process (this file run as a script), so
that the peak RSS (VmHWM) is this work's and nothing else's.

    uv run python benchmarks/large_batch.py 50000      # the memory child: one JSON line on stdout
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from common import PYTHON, REPO, Row, Summary, has_proc, median, proc_status_kib, python_env  # noqa: E402

RECIPIENTS = 50_000
RECORDS = 5000
SEND_TARGET_MS = 150.0
REGISTER_TARGET_MS = 30.0
MEMORY_TARGET_MB = 40.0
BASELINE_LABEL = "jsonschema alone on the same arguments, item by item (validation as it was)"


def _numbers(count: int) -> list[str]:
    # Every spelling people paste, spread over real operator ranges; all valid and distinct.
    forms = ("+90 {p} {a} {b} {c}", "0{p}{a}{b}{c}", "90{p}{a}{b}{c}", "{p}-{a}-{b}-{c}", "+90{p}{a}{b}{c}")
    prefixes = ("532", "542", "505", "555", "533", "549", "501", "507")
    out = []
    for i in range(count):
        rest = f"{i:07d}"
        out.append(forms[i % len(forms)].format(p=prefixes[i % len(prefixes)], a=rest[:3], b=rest[3:5], c=rest[5:]))
    return out


def send_arguments(count: int = RECIPIENTS) -> dict[str, Any]:
    return {"order": {"sender": "ACME", "iys": "1", "iysList": "BIREYSEL", "sendDateTime": "2030-06-15T10:30",
                      "message": {"text": "Yaz indirimi başladı! Tüm ürünlerde %20 indirim.",
                                  "receipents": {"number": _numbers(count)}}}}


def register_arguments(count: int = RECORDS) -> dict[str, Any]:
    records = []
    for i, number in enumerate(_numbers(count)):
        email = i % 10 == 9
        when = f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} 10:{i % 60:02d}:00"
        records.append({"recipient": f"kisi{i}@Example.com" if email else number, "recipientType": "BIREYSEL",
                        "type": "EPOSTA" if email else ("ARAMA" if i % 10 == 8 else "MESAJ"), "status": "ONAY",
                        "source": "HS_WEB", "consentDate": when})
    return {"consent": {"brandCode": "123456", "list": records}}


class Workload:
    """The catalog's real validators and contracts for the two tools, built from the bundled manifest."""

    def __init__(self) -> None:
        from iletimerkezi_mcp.manifest.loader import load_bundled
        from iletimerkezi_mcp.settings import Settings
        from iletimerkezi_mcp.tools import build_catalog

        # Caps raised so the send is accepted: a refusal would stop before the end of the work.
        self.settings = Settings(manifest_mode="bundled", max_recipients=RECIPIENTS,
                                 max_credits_per_call=10 * RECIPIENTS, confirm_above=10 * RECIPIENTS)
        self.specs = build_catalog(load_bundled(self.settings), self.settings).specs

    def ours(self, tool: str, arguments: dict[str, Any]) -> Callable[[], object]:
        """What dispatch does before the request: describe_errors over the validators, then prepare()."""
        from iletimerkezi_mcp.validation import describe_errors

        spec = self.specs[tool]

        def run() -> object:
            problems = describe_errors(spec.validators, arguments)
            if problems:
                raise RuntimeError(f"{tool}: the benchmark's arguments are invalid:\n{problems}")
            return spec.contract.prepare(arguments, self.settings)

        return run

    def baseline(self, tool: str, arguments: dict[str, Any]) -> Callable[[], object]:
        validators = self.specs[tool].validators

        def run() -> object:
            errors = [e for v in validators for e in v.iter_errors(arguments)]
            if errors:
                raise RuntimeError(f"{tool}: the benchmark's arguments are invalid: {errors[0].message[:200]}")
            return errors

        return run


def _ms(action: Callable[[], object], loops: int) -> float:
    gc.collect()  # each side starts from a collected heap, not from the other side's garbage
    started = time.perf_counter()
    for _ in range(loops):
        action()
    return (time.perf_counter() - started) * 1000 / loops


def large_batch_rows(reps: int, loops: int, memory_reps: int, recipients: int = RECIPIENTS,
                     records: int = RECORDS) -> list[Row]:
    """The targets are for the full sizes; a quick run passes smaller ones (its figures mean nothing)."""
    work = Workload()
    rows = []
    cases = (("large_send", "send_sms", send_arguments(recipients), SEND_TARGET_MS,
              f"Validate + prepare send_sms, {recipients:,} recipients"),
             ("large_iys", "iys_register", register_arguments(records), REGISTER_TARGET_MS,
              f"Validate + prepare iys_register, {records:,} records"))
    for key, tool, arguments, target, figure in cases:
        ours, baseline = work.ours(tool, arguments), work.baseline(tool, arguments)
        ours()  # first-use costs (the validator's plan, lazy imports) excluded, as for every row
        baseline()
        ours_ms: list[float] = []
        base_ms: list[float] = []
        for rep in range(reps):
            pair = [(ours, ours_ms), (baseline, base_ms)]
            for action, into in pair if rep % 2 == 0 else reversed(pair):
                into.append(_ms(action, loops))
        rows.append(Row(key=key, figure=figure, unit="ms", ours=Summary(ours_ms), baseline=Summary(base_ms),
                        baseline_label=BASELINE_LABEL, compare="absolute", target=target,
                        target_text=f"< {target:g} ms", digits=1,
                        notes=[f"{reps} reps × {loops} loops, mean per call (a full garbage collection before "
                               "each side's loops, the collector left on while timing), in-process, with the "
                               "catalog's own validators and contract. Ours is everything the server does with "
                               "the arguments "
                               "before the request: every argument checked against the closed schema (problems "
                               "in words), every number or record normalised and checked, the preview, what a "
                               "confirmation binds to. The baseline is the validation alone as jsonschema does "
                               f"it item by item (ours / baseline: {median(ours_ms) / median(base_ms):.2f}x)."]))
    memory = _memory_row(memory_reps, recipients)
    return rows + ([memory] if memory is not None else [])


def _memory_row(reps: int, recipients: int) -> Row | None:
    if not has_proc():
        return None
    samples = []
    for _ in range(reps):
        proc = subprocess.run([PYTHON, str(Path(__file__).resolve()), str(recipients)], cwd=str(REPO),
                              env=python_env(None),
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError(f"large-batch memory child failed:\n{proc.stderr[-2000:]}")
        samples.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    mb = 1024.0
    parsed = [(s["parsed_peak_kib"] - s["before_parse_kib"]) / mb for s in samples]
    return Row(key="large_send_memory", figure=f"Peak RSS, validate + prepare {recipients:,} recipients", unit="MB",
               ours=Summary([s["peak_kib"] / mb for s in samples]),
               baseline=Summary([s["before_kib"] / mb for s in samples]),
               baseline_label="RSS with the request parsed, just before", compare="delta", target=MEMORY_TARGET_MB,
               target_text=f"≤ {MEMORY_TARGET_MB:g} MB growth", digits=1,
               notes=[f"{reps} fresh processes; /proc/self/status VmHWM after the work against VmRSS before it. "
                      f"For scale, parsing the request itself (`json.loads` of its {samples[0]['request_kib']:,} KiB "
                      f"of JSON) raised the peak by a median {median(parsed):.1f} MB."])


def _memory_child(recipients: int) -> None:
    import os

    work = Workload()
    warm = send_arguments(200)
    work.ours("send_sms", warm)()  # the plan and lazy imports, as a running server has them
    text = json.dumps(send_arguments(recipients))
    gc.collect()
    _reset_peak()
    before_parse = proc_status_kib(os.getpid())
    arguments = json.loads(text)
    parsed = proc_status_kib(os.getpid())
    gc.collect()
    _reset_peak()
    before = proc_status_kib(os.getpid())
    work.ours("send_sms", arguments)()
    after = proc_status_kib(os.getpid())
    print(json.dumps({"before_kib": before["VmRSS"], "peak_kib": after["VmHWM"],
                      "before_parse_kib": before_parse["VmRSS"], "parsed_peak_kib": parsed["VmHWM"],
                      "request_kib": len(text.encode()) // 1024}))


def _reset_peak() -> None:
    """VmHWM back to the current RSS (Linux 4.0+), so the next peak is the next step's own; where that is
    not allowed the peak stays the process's so far, which can only overstate the growth."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass


if __name__ == "__main__":
    _memory_child(int(sys.argv[1]) if len(sys.argv) > 1 else RECIPIENTS)
