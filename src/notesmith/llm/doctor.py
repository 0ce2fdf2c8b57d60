"""`notesmith doctor`: can `process` use the configured model endpoint, and if not, why.

One finding per question, in plain words: is the endpoint reachable (and if not: refused, DNS,
TLS, timeout); is a key set (never shown) and does the endpoint need one; does it serve the model;
which structured-output modes work, each probed with one tiny request; how large is the context;
how long does a short answer take. No retries: the doctor reports what one attempt sees.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Mapping

from notesmith.config import Config
from notesmith.errors import FormatRefused, ModelError
from notesmith.llm.base import Request
from notesmith.llm.jsonschema import validate
from notesmith.llm.endpoint import safe_url
from notesmith.llm.structured import parse_json

OPENAI_URL = "https://api.openai.com/v1"
MODES = (("json_schema", "json_schema"), ("json_object_schema", "json_object+schema"), ("json_object", "json_object"))
PROBE_SCHEMA = {
    "type": "object",
    "properties": {"colour": {"type": "string", "enum": ["red", "seven"]}},
    "required": ["colour"],
    "additionalProperties": False,
}
PROBE_MESSAGES = [{"role": "user", "content": 'Which of these is a colour, "red" or "seven"? Answer in JSON.'}]
MODELS_SHOWN = 8


@dataclass
class Finding:
    """One answer of the doctor: what was checked, its status and what it found.

    Status: ok; no (a feature the endpoint lacks, which notesmith works around); warn (works, with a
    catch); fail (process would not work until it is fixed).
    """

    name: str
    status: str
    detail: str
    data: dict = field(default_factory=dict)


@dataclass
class Diagnosis:
    """Everything the doctor found about one endpoint and model."""

    endpoint: str
    model: str | None
    findings: list[Finding] = field(default_factory=list)
    verdict: str = ""

    @property
    def ok(self) -> bool:
        """True when `process` would work with this endpoint and model."""
        return not any(f.status == "fail" for f in self.findings)

    def add(self, name: str, status: str, detail: str, **data: Any) -> Finding:
        finding = Finding(name, status, detail, data)
        self.findings.append(finding)
        return finding

    def get(self, name: str) -> Finding | None:
        return next((f for f in self.findings if f.name == name), None)

    def lines(self) -> list[str]:
        """The report for a person: one line per finding, then the verdict."""
        head = f"notesmith doctor: {self.endpoint}, model {self.model or '(none)'}"
        width = max((len(f.name) for f in self.findings), default=0)
        body = [f"  {f.status:<4}  {f.name:<{width}}  {f.detail}" for f in self.findings]
        return [head, *body, self.verdict]

    def as_dict(self) -> dict:
        """The report for scripts (`--format json`)."""
        return {"ok": self.ok, "endpoint": self.endpoint, "model": self.model, "verdict": self.verdict,
                "findings": [asdict(f) for f in self.findings]}


def diagnose(config: Config, *, environ: Mapping[str, str] | None = None, timeout: float = 30.0,
             state: Path | None = None) -> Diagnosis:
    """Examine the endpoint and model that `config` names (and OPENAI_API_KEY in environ)."""
    environ = os.environ if environ is None else environ
    key = environ.get("OPENAI_API_KEY") or None
    endpoint = (config.base_url or "").rstrip("/") or OPENAI_URL
    diagnosis = Diagnosis(safe_url(endpoint), config.model)
    if not config.base_url and not key:
        diagnosis.add("endpoint", "fail", "none configured: set base_url (or OPENAI_BASE_URL) to your server's URL,"
                      " or OPENAI_API_KEY to use OpenAI's API")
        diagnosis.verdict = "process would not work: no endpoint"
        return diagnosis
    import openai

    def client(url: str, api_key: str | None) -> Any:
        return openai.OpenAI(base_url=url, api_key=api_key or "not-needed", max_retries=0, timeout=timeout)

    listing = _reach(diagnosis, client(endpoint, key), endpoint, timeout)
    if listing is None:
        diagnosis.verdict = "process would not work: the endpoint cannot be reached"
        return diagnosis
    _check_key(diagnosis, listing, key, lambda: client(endpoint, None))
    if diagnosis.get("key").status == "fail":  # type: ignore[union-attr]
        diagnosis.verdict = "process would not work: the key"
        return diagnosis
    models = listing.get("models")
    if not config.model:
        served = f"; it serves {_names(models)}" if models else ""
        diagnosis.add("model", "fail", f"no model is set{served}: process drafts offline until you set"
                      " NOTESMITH_MODEL, `model` in notesmith.toml, or --model")
        diagnosis.verdict = "process would draft offline: no model set"
        return diagnosis
    _check_model(diagnosis, config.model, models)
    from notesmith.llm.openai_backend import OpenAILLM

    llm = OpenAILLM(config.model, base_url=endpoint, api_key=key or "not-needed", timeout=timeout, retries=0,
                    context_tokens=config.context_tokens, max_output_tokens=2048,
                    temperature=config.temperature, seed=config.seed)
    latency = _probe_latency(diagnosis, llm)
    if latency is None:
        diagnosis.verdict = f"process would not work: see {_failed(diagnosis)}"
        return diagnosis
    modes = [_probe_mode(diagnosis, llm, fmt, label) for fmt, label in MODES]
    _check_context(diagnosis, client, endpoint, key, config, listing)
    chosen = next((fmt for fmt, works in zip([m[0] for m in MODES], modes) if works), None)
    if chosen is None:
        diagnosis.add("structured", "warn", "no response_format works here: answers are asked for with"
                      " instructions only, so expect invalid answers and re-asks")
        chosen = "plain"
    if state is not None and diagnosis.ok:
        _remember(state, llm.base_url, config.model, chosen)
    if diagnosis.ok:
        diagnosis.verdict = f"process would work: structured answers as {chosen}"
    else:
        diagnosis.verdict = f"process would not work: see {_failed(diagnosis)}"
    return diagnosis


def _failed(diagnosis: Diagnosis) -> str:
    return ", ".join(f.name for f in diagnosis.findings if f.status == "fail")


def _reach(diagnosis: Diagnosis, client: Any, endpoint: str, timeout: float) -> dict | None:
    """GET /models once; the listing (status, model ids, raw entries) or None when unreachable."""
    import openai

    started = time.monotonic()
    try:
        body = client.get("/models", cast_to=object)
    except openai.APIStatusError as exc:
        ms = (time.monotonic() - started) * 1000
        diagnosis.add("endpoint", "ok", f"answers (GET /models: HTTP {exc.status_code} in {ms:.0f} ms)")
        return {"status": exc.status_code, "models": None, "entries": []}
    except openai.APITimeoutError:
        diagnosis.add("endpoint", "fail", f"no answer within {timeout:g} s (timeout); is the server busy or"
                      " the host behind a firewall? Try --timeout, or check OPENAI_BASE_URL")
        return None
    except openai.APIConnectionError as exc:
        diagnosis.add("endpoint", "fail", describe_connection_error(exc, endpoint))
        return None
    ms = (time.monotonic() - started) * 1000
    entries = body.get("data") if isinstance(body, dict) else None
    if not isinstance(entries, list):
        diagnosis.add("endpoint", "fail", "answers, but not like an OpenAI-compatible API (GET /models);"
                      " check OPENAI_BASE_URL (it usually ends in /v1)")
        return None
    diagnosis.add("endpoint", "ok", f"answers (GET /models in {ms:.0f} ms)")
    entries = [e for e in entries if isinstance(e, dict)]
    return {"status": 200, "models": [str(e.get("id")) for e in entries], "entries": entries}


def describe_connection_error(exc: BaseException, endpoint: str) -> str:
    """Why a connection failed, in plain words with the next step, from the types in its causes."""
    from notesmith.llm.endpoint import causes
    from urllib.parse import urlsplit

    where = urlsplit(endpoint)
    for cause in causes(exc):
        if isinstance(cause, ConnectionRefusedError):
            return (f"unreachable: connection refused, nothing listens at {where.netloc};"
                    " start the server, or fix the port in OPENAI_BASE_URL")
        if isinstance(cause, socket.gaierror):
            return f"unreachable: the host name {where.hostname!r} is not known (DNS); check OPENAI_BASE_URL"
        if isinstance(cause, ssl.SSLCertVerificationError):
            return (f"unreachable: the TLS certificate is not trusted ({cause.verify_message});"
                    " set SSL_CERT_FILE to your CA bundle, or check the host name")
        if isinstance(cause, ssl.SSLError):
            return "unreachable: the TLS handshake failed; check http:// against https:// in OPENAI_BASE_URL"
        if isinstance(cause, (TimeoutError, socket.timeout)):
            return "unreachable: the connection timed out; check the host and any firewall or proxy"
        if isinstance(cause, ConnectionResetError):
            return "unreachable: the connection was reset; check the port and any proxy in between"
    return f"unreachable: the connection failed ({type(exc.__cause__ or exc).__name__}); check OPENAI_BASE_URL"


def _check_key(diagnosis: Diagnosis, listing: dict, key: str | None, keyless: Any) -> None:
    import openai

    status = listing["status"]
    if key and status in (401, 403):
        diagnosis.add("key", "fail", f"OPENAI_API_KEY is set, but the endpoint refused it (HTTP {status});"
                      " set a valid key for this endpoint")
        return
    if not key and status in (401, 403):
        diagnosis.add("key", "fail", f"the endpoint needs a key (HTTP {status}) and OPENAI_API_KEY is not set;"
                      " set it")
        return
    if not key:
        diagnosis.add("key", "ok", "OPENAI_API_KEY is not set, and this endpoint needs none")
        return
    try:
        keyless().get("/models", cast_to=object)
        needs = "this endpoint does not need one"
    except openai.APIStatusError as exc:
        needs = "this endpoint needs it" if exc.status_code in (401, 403) else "whether it needs one is unclear"
    except openai.APIError:
        needs = "whether it needs one is unclear"
    diagnosis.add("key", "ok", f"OPENAI_API_KEY is set (not shown); {needs}")


def _check_model(diagnosis: Diagnosis, model: str, models: list[str] | None) -> None:
    if models is None:
        diagnosis.add("model", "warn", f"the endpoint does not list its models; the probes below show"
                      f" whether {model!r} answers")
    elif model in models:
        diagnosis.add("model", "ok", f"{model} is served here")
    else:
        diagnosis.add("model", "fail", f"no model {model!r} here; it serves {_names(models)}:"
                      " set NOTESMITH_MODEL (or `model`, or --model) to one of them", served=models)


def _probe_latency(diagnosis: Diagnosis, llm: Any) -> float | None:
    request = Request([{"role": "user", "content": "Reply with one word: ready"}], max_tokens=16, purpose="probe")
    started = time.monotonic()
    try:
        reply = llm.ask_as(request, "text")
    except ModelError as exc:
        diagnosis.add("latency", "fail", f"a short completion failed: {exc.message}")
        return None
    seconds = time.monotonic() - started
    model_finding = diagnosis.get("model")
    if model_finding is not None and model_finding.status == "fail":
        model_finding.status = "warn"
        model_finding.detail += " (but it answered to this name anyway: the server ignores model names)"
    if not reply.text.strip() and reply.reasoning_tokens:
        diagnosis.add("latency", "warn", f"{seconds:.2f} s, all {reply.usage.completion_tokens} tokens spent on"
                      " reasoning: a reasoning model needs a larger answer budget or its reasoning turned down",
                      seconds=seconds)
        return seconds
    diagnosis.add("latency", "ok", f"{seconds:.2f} s for a short answer ({reply.usage.prompt_tokens} prompt +"
                  f" {reply.usage.completion_tokens} completion tokens)", seconds=seconds)
    return seconds


def _probe_mode(diagnosis: Diagnosis, llm: Any, fmt: str, label: str) -> bool:
    """One tiny structured request in one mode; True when its answer followed the schema."""
    request = Request(PROBE_MESSAGES, schema=PROBE_SCHEMA, schema_name="probe", max_tokens=200, purpose="probe")
    started = time.monotonic()
    try:
        reply = llm.ask_as(request, fmt)
    except FormatRefused as exc:
        diagnosis.add(label, "no", f"refused ({_short(exc.message)})")
        return False
    except ModelError as exc:
        diagnosis.add(label, "warn", f"failed ({exc.message})")
        return False
    seconds = time.monotonic() - started
    if not reply.text.strip() and reply.reasoning_tokens:
        diagnosis.add(label, "warn", f"accepted, but all {reply.usage.completion_tokens} tokens went to reasoning")
        return False
    try:
        data = parse_json(reply.text)
    except ValueError:
        diagnosis.add(label, "warn", f"accepted, but the answer was not JSON ({reply.finish_reason}): {reply.text[:60]!r}")
        return False
    if validate(data, PROBE_SCHEMA):
        what = "JSON, but the schema is not enforced" if fmt == "json_object" else \
            "accepted, but the answer did not follow the schema"
        diagnosis.add(label, "warn" if fmt != "json_object" else "ok", f"{what} ({seconds:.2f} s)")
        return False
    enforced = "the answer followed the schema" if fmt != "json_object" else "JSON (the schema only in the prompt)"
    diagnosis.add(label, "ok", f"works: {enforced} ({seconds:.2f} s)")
    return True


def _check_context(diagnosis: Diagnosis, client: Any, endpoint: str, key: str | None, config: Config,
                   listing: dict) -> None:
    told, source = _server_context(client, endpoint, key, listing, config.model)
    configured = config.context_tokens
    if told is None:
        diagnosis.add("context", "ok", f"the server does not say; notesmith assumes {configured} tokens"
                      " (context_tokens): make sure the server's is at least that", configured=configured)
    elif told < configured:
        diagnosis.add("context", "fail", f"{told} tokens ({source}), but notesmith assumes {configured}: set"
                      f" context_tokens = {told} (or NOTESMITH_CONTEXT_TOKENS), or give the server a larger one",
                      server=told, configured=configured)
    else:
        diagnosis.add("context", "ok", f"{told} tokens ({source}); notesmith uses {configured} (context_tokens)",
                      server=told, configured=configured)


def _server_context(client: Any, endpoint: str, key: str | None, listing: dict, model: str | None) -> tuple[int | None, str]:
    """The context size as the server tells it: llama.cpp's /props, else the model listing's metadata."""
    import openai

    root = endpoint[: -len("/v1")] if endpoint.endswith("/v1") else endpoint
    try:
        props = client(root, key).get("/props", cast_to=object)
    except openai.APIError:
        props = None
    if isinstance(props, dict):
        n_ctx = (props.get("default_generation_settings") or {}).get("n_ctx")
        if isinstance(n_ctx, int) and n_ctx > 0:
            return n_ctx, "llama.cpp's /props"
    for entry in listing.get("entries", []):
        if entry.get("id") != model:
            continue
        for name, source in (("max_model_len", "vLLM's model listing"), ("context_length", "the model listing"),
                             ("max_context_length", "the model listing")):
            if isinstance(entry.get(name), int):
                return entry[name], source
        meta = entry.get("meta")
        if isinstance(meta, dict) and isinstance(meta.get("n_ctx_train"), int):
            return meta["n_ctx_train"], "trained context, from the model listing"
    return None, ""


def _remember(state: Path, endpoint: str, model: str, fmt: str) -> None:
    """Tell the next run which structured format to start with, as OpenAILLM would have learnt it."""
    from notesmith.llm.openai_backend import _Capabilities

    _Capabilities(state / "endpoints.json").set(endpoint, model, format=fmt)


def _short(text: str, limit: int = 100) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _names(models: list[str]) -> str:
    shown = ", ".join(models[:MODELS_SHOWN]) or "no models"
    return shown + (f" and {len(models) - MODELS_SHOWN} more" if len(models) > MODELS_SHOWN else "")


def render(diagnosis: Diagnosis, fmt: str = "text") -> str:
    """The diagnosis as text lines or as JSON."""
    if fmt == "json":
        return json.dumps(diagnosis.as_dict(), indent=2)
    return "\n".join(diagnosis.lines())


__all__ = ["Diagnosis", "Finding", "describe_connection_error", "diagnose", "render"]
