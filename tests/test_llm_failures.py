"""Fast, clear failures of OpenAILLM: what cannot recover is not retried, and says what to change."""

from __future__ import annotations

import socket
import time

import pytest

from notesmith.errors import ConfigError, EndpointUnreachable, InvalidAnswer, ModelUnavailable
from notesmith.llm import Request, ask_json
from notesmith.llm.openai_backend import OpenAILLM
from tests.fake_openai import Answer

ASK = Request(messages=[{"role": "user", "content": "Route this."}], schema={
    "type": "object", "properties": {"action": {"type": "string", "enum": ["create", "update"]}},
    "required": ["action"], "additionalProperties": False}, purpose="route")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_a_refused_connection_on_this_machine_fails_at_once_without_retries():
    sleeps: list[float] = []
    llm = OpenAILLM("m", base_url=f"http://127.0.0.1:{closed_port()}/v1", api_key="k", retries=5,
                    sleep=sleeps.append)
    started = time.monotonic()
    with pytest.raises(EndpointUnreachable) as caught:
        llm.complete(ASK)
    assert time.monotonic() - started < 2
    assert sleeps == []
    message = str(caught.value)
    assert "connection refused" in message and "OPENAI_BASE_URL" in message and "\n" not in message
    assert isinstance(caught.value, ModelUnavailable)  # callers that wait on ModelUnavailable still do


def test_an_unknown_host_fails_at_once():
    sleeps: list[float] = []
    llm = OpenAILLM("m", base_url="http://no-such-host.invalid/v1", api_key="k", retries=5, sleep=sleeps.append)
    with pytest.raises(EndpointUnreachable, match="not known \\(DNS\\)"):
        llm.complete(ASK)
    assert sleeps == []


def test_https_to_a_plain_http_server_fails_at_once_naming_tls(fake_openai):
    sleeps: list[float] = []
    llm = OpenAILLM("m", base_url=fake_openai.url.replace("http://", "https://"), api_key="k", retries=5,
                    sleep=sleeps.append)
    with pytest.raises(EndpointUnreachable, match="TLS handshake failed; check http:// against https://"):
        llm.complete(ASK)
    assert sleeps == [] and fake_openai.requests == []


def test_no_endpoint_and_no_key_is_a_config_error_before_any_call(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError) as caught:
        OpenAILLM("gpt-4o-mini")
    message = str(caught.value)
    assert "'gpt-4o-mini'" in message and "OPENAI_BASE_URL" in message and "OPENAI_API_KEY" in message
    assert caught.value.exit_code == 2


def test_a_key_alone_still_means_openai(monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-something")
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert OpenAILLM("gpt-4o-mini").base_url.startswith("https://")


def test_temperature_and_seed_are_sent_only_when_set(fake_openai):
    fake_openai.queue("a", "b")
    OpenAILLM("m", base_url=fake_openai.url, api_key="k").complete(Request([{"role": "user", "content": "x"}]))
    OpenAILLM("m", base_url=fake_openai.url, api_key="k", temperature=0, seed=7).complete(
        Request([{"role": "user", "content": "x"}]))
    first, second = fake_openai.requests
    assert "temperature" not in first and "seed" not in first
    assert second["temperature"] == 0 and second["seed"] == 7


@pytest.mark.parametrize("answer", [
    Answer("", extra={"reasoning_content": "Let me think. " * 200}),  # llama.cpp, vLLM, DeepSeek
    Answer(None, extra={"reasoning": "Hmm. " * 100}),  # Ollama, OpenRouter
    Answer('{"act', finish_reason="length",
           usage={"prompt_tokens": 50, "completion_tokens": 1000,
                  "completion_tokens_details": {"reasoning_tokens": 996}}),  # OpenAI
], ids=["reasoning_content", "reasoning", "reasoning_tokens"])
def test_a_reasoning_model_that_only_thought_is_a_failed_answer_that_says_what_to_change(fake_openai, answer):
    fake_openai.queue(answer, {"action": "create"})
    llm = OpenAILLM("thinker", base_url=fake_openai.url, api_key="k")
    with pytest.raises(InvalidAnswer) as caught:
        ask_json(llm, ASK)
    assert len(fake_openai.requests) == 1
    assert caught.value.replies[0].reasoning_tokens > 0
    assert "thinker spent its answer on reasoning" in str(caught.value)
    assert "turn its reasoning effort down or off" in str(caught.value)


def test_reasoning_beside_an_answer_is_fine(fake_openai):
    fake_openai.queue(Answer('{"action": "update"}', extra={"reasoning_content": "It is about bees."}))
    data, replies = ask_json(OpenAILLM("thinker", base_url=fake_openai.url, api_key="k"), ASK)
    assert data == {"action": "update"} and replies[0].reasoning_tokens > 0


def _cli(ws, env_extra: dict, *args: str):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NOTESMITH_"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "notesmith", *args], cwd=ws, env=env, capture_output=True,
                          text=True, timeout=120)


def test_process_against_a_closed_port_is_quick_and_says_why_once_per_input(tmp_path):
    from tests.process_helpers import INPUTS, new_workspace

    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    started = time.monotonic()
    out = _cli(ws, {"NOTESMITH_MODEL": "m", "OPENAI_BASE_URL": f"http://127.0.0.1:{closed_port()}/v1"}, "process")
    seconds = time.monotonic() - started
    assert out.returncode == 1, out.stdout + out.stderr
    assert seconds < 15, seconds  # was ~25 s per input: five retries with backoff
    assert out.stderr.count("retry") == 0, out.stderr
    waiting = [line for line in out.stdout.splitlines() if line.startswith("  waiting")]
    assert len(waiting) == len(INPUTS) and all("connection refused" in line for line in waiting), out.stdout
    assert sorted(p.name for p in (ws / "inbox").iterdir() if p.is_file()) == sorted(INPUTS)
    # Once the endpoint proved unreachable, the other groups are not tried: one attempt in the log.
    import json

    log = json.loads(next((ws / ".notesmith/runs").glob("*.json")).read_text(encoding="utf-8"))
    assert len(log["calls"]) == 1 and "connection refused" in log["calls"][0]["error"]


def test_process_with_a_model_but_no_endpoint_or_key_stops_before_any_call(tmp_path):
    from tests.process_helpers import INPUTS, new_workspace

    ws = new_workspace(tmp_path / "ws", inputs=INPUTS)
    out = _cli(ws, {"NOTESMITH_MODEL": "gpt-4o-mini"}, "process")
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stdout == ""
    assert out.stderr.strip().count("\n") == 0 and "OPENAI_API_KEY" in out.stderr, out.stderr


def test_temperature_and_seed_come_from_config_and_environment(tmp_path):
    from notesmith.config import load_config
    from notesmith.errors import ConfigError as Bad

    (tmp_path / "notesmith.toml").write_text("temperature = 0\n")
    config = load_config(tmp_path, environ={"NOTESMITH_SEED": "42"})
    assert (config.temperature, config.seed) == (0.0, 42)
    assert (load_config(tmp_path / "nowhere", environ={}).temperature, load_config(tmp_path, environ={}).seed) == (None, None)
    with pytest.raises(Bad, match="'seed' must be a number"):
        load_config(tmp_path, environ={"NOTESMITH_SEED": "soon"})


def test_a_capped_answer_a_reasoning_model_spent_thinking_is_asked_again_with_the_whole_budget(fake_openai, tmp_path):
    caps = tmp_path / "endpoints.json"
    thinking = {"prompt_tokens": 50, "completion_tokens": 300, "completion_tokens_details": {"reasoning_tokens": 300}}
    fake_openai.queue(Answer("", finish_reason="length", usage=thinking), {"action": "create"}, {"action": "update"})
    capped = Request(ASK.messages, schema=ASK.schema, purpose="route", max_tokens=300)
    llm = OpenAILLM("thinker", base_url=fake_openai.url, api_key="k", context_tokens=8000, capabilities_file=caps)
    data, replies = ask_json(llm, capped)
    assert data == {"action": "create"} and len(replies) == 1
    first, second = fake_openai.requests
    assert first["max_tokens"] == 300 and second["max_tokens"] > 4000
    again = OpenAILLM("thinker", base_url=fake_openai.url, api_key="k", context_tokens=8000, capabilities_file=caps)
    ask_json(again, capped)
    assert fake_openai.requests[2]["max_tokens"] > 4000  # remembered: no capped attempt first


def test_a_cap_applies_to_models_that_do_not_reason(fake_openai):
    fake_openai.queue({"action": "create"})
    llm = OpenAILLM("m", base_url=fake_openai.url, api_key="k", context_tokens=8000)
    ask_json(llm, Request(ASK.messages, schema=ASK.schema, max_tokens=300))
    assert fake_openai.requests[0]["max_tokens"] == 300
