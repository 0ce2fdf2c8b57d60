"""`notesmith doctor` against a real HTTP server on localhost: healthy, closed port, no json_schema, unknown model."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from notesmith.config import Config
from notesmith.llm.doctor import diagnose
from tests.fake_openai import Answer

KEY = "sk-doctor-secret-31337"
COLOUR = {"colour": "red"}


def run_doctor(cwd: Path, env_extra: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "NOTESMITH_"))}
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "notesmith", "doctor", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)


def statuses(out: str) -> dict[str, str]:
    found = {}
    for line in out.splitlines()[1:-1]:
        status, name, *_ = line.split()
        found[name] = status
    return found


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_healthy_server(fake_openai, tmp_path):
    fake_openai.api_key = KEY
    fake_openai.props = {"default_generation_settings": {"n_ctx": 32768}}
    fake_openai.queue("ready", COLOUR, COLOUR, COLOUR)
    out = run_doctor(tmp_path, {"OPENAI_BASE_URL": fake_openai.url, "OPENAI_API_KEY": KEY,
                                "NOTESMITH_MODEL": "fake-model"})
    print(out.stdout)
    assert out.returncode == 0, out.stdout + out.stderr
    assert statuses(out.stdout) == {"endpoint": "ok", "key": "ok", "model": "ok", "latency": "ok",
                                    "json_schema": "ok", "json_object+schema": "ok", "json_object": "ok",
                                    "context": "ok"}
    assert "OPENAI_API_KEY is set (not shown); this endpoint needs it" in out.stdout
    assert "32768 tokens (llama.cpp's /props)" in out.stdout
    assert out.stdout.splitlines()[-1] == "process would work: structured answers as json_schema"
    assert KEY not in out.stdout + out.stderr
    assert [r.get("response_format", {}).get("type") for r in fake_openai.requests] == [
        None, "json_schema", "json_object", "json_object"]
    assert all(r["max_tokens"] <= 200 for r in fake_openai.requests)  # tiny probes


def test_a_closed_port(tmp_path):
    port = closed_port()
    out = run_doctor(tmp_path, {"OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1", "NOTESMITH_MODEL": "m"})
    print(out.stdout)
    assert out.returncode == 1
    assert statuses(out.stdout) == {"endpoint": "fail"}
    assert f"connection refused, nothing listens at 127.0.0.1:{port}" in out.stdout
    assert out.stdout.splitlines()[-1] == "process would not work: the endpoint cannot be reached"


def test_a_server_that_refuses_json_schema(fake_openai, tmp_path):
    fake_openai.reject_formats = {"json_schema"}
    fake_openai.queue("ready", COLOUR, Answer('{"colour": "blue"}'))
    ws = tmp_path / "ws"
    (ws / ".notesmith").mkdir(parents=True)
    (ws / "notesmith.toml").write_text(f'model = "fake-model"\nbase_url = "{fake_openai.url}"\n')
    out = run_doctor(ws, {}, "--format", "json")
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)
    found = {f["name"]: f for f in report["findings"]}
    assert found["json_schema"]["status"] == "no" and "refused (HTTP 400" in found["json_schema"]["detail"]
    assert found["json_object+schema"]["status"] == "ok"
    assert found["json_object"]["status"] == "ok" and "schema is not enforced" in found["json_object"]["detail"]
    assert report["ok"] is True and report["verdict"] == "process would work: structured answers as json_object_schema"
    remembered = json.loads((ws / ".notesmith" / "endpoints.json").read_text())
    assert remembered == {fake_openai.url: {"fake-model": {"format": "json_object_schema"}}}
    fake_openai.queue("ready", COLOUR, Answer('{"colour": "blue"}'))
    text = run_doctor(ws, {}, "--timeout", "5")  # the text form of the same, for the record
    print(text.stdout)
    assert text.returncode == 0 and "json_object+schema" in text.stdout


def test_a_model_name_that_does_not_exist(fake_openai, tmp_path):
    fake_openai.strict_models = True
    fake_openai.model_ids = ["llama3.2:3b", "qwen2.5:7b"]
    out = run_doctor(tmp_path, {"OPENAI_BASE_URL": fake_openai.url}, "--model", "llama3.2")
    print(out.stdout)
    assert out.returncode == 1
    assert statuses(out.stdout) == {"endpoint": "ok", "key": "ok", "model": "fail", "latency": "fail"}
    assert "no model 'llama3.2' here; it serves llama3.2:3b, qwen2.5:7b" in out.stdout
    assert out.stdout.splitlines()[-1] == "process would not work: see model, latency"


def test_a_server_that_ignores_model_names_is_a_warning_not_a_failure(fake_openai):
    fake_openai.model_ids = ["smollm2"]
    fake_openai.queue("ready", COLOUR, COLOUR, COLOUR)
    diagnosis = diagnose(Config(model="other", base_url=fake_openai.url), environ={})
    assert diagnosis.ok and diagnosis.get("model").status == "warn"
    assert "answered to this name anyway" in diagnosis.get("model").detail


def test_a_wrong_key_and_a_missing_key(fake_openai):
    fake_openai.api_key = KEY
    wrong = diagnose(Config(model="fake-model", base_url=fake_openai.url), environ={"OPENAI_API_KEY": "sk-wrong-1"})
    missing = diagnose(Config(model="fake-model", base_url=fake_openai.url), environ={})
    assert not wrong.ok and "refused it (HTTP 401)" in wrong.get("key").detail
    assert not missing.ok and "needs a key (HTTP 401) and OPENAI_API_KEY is not set" in missing.get("key").detail
    assert "sk-wrong-1" not in json.dumps(wrong.as_dict())
    assert fake_openai.requests == []  # no completion was attempted


def test_a_server_context_smaller_than_configured_fails_with_the_setting_to_change(fake_openai):
    fake_openai.props = {"default_generation_settings": {"n_ctx": 4096}}
    fake_openai.queue("ready", COLOUR, COLOUR, COLOUR)
    diagnosis = diagnose(Config(model="fake-model", base_url=fake_openai.url, context_tokens=8192), environ={})
    context = diagnosis.get("context")
    assert not diagnosis.ok and context.status == "fail"
    assert "4096 tokens" in context.detail and "context_tokens = 4096" in context.detail


def test_context_from_the_model_listing_or_the_configured_one(fake_openai):
    fake_openai.model_extra = {"max_model_len": 16384}  # as vLLM lists it
    fake_openai.queue(*(["ready", COLOUR, COLOUR, COLOUR] * 2))
    listed = diagnose(Config(model="fake-model", base_url=fake_openai.url, context_tokens=8192), environ={})
    assert listed.get("context").detail.startswith("16384 tokens (vLLM's model listing); notesmith uses 8192")
    fake_openai.model_extra = {}
    unknown = diagnose(Config(model="fake-model", base_url=fake_openai.url, context_tokens=4096), environ={})
    assert unknown.get("context").detail.startswith("the server does not say; notesmith assumes 4096")


def test_no_endpoint_and_no_key(tmp_path):
    out = run_doctor(tmp_path, {"NOTESMITH_MODEL": "gpt-4o-mini"})
    assert out.returncode == 1
    assert "none configured: set base_url (or OPENAI_BASE_URL)" in out.stdout


def test_no_model_lists_what_the_server_serves(fake_openai, tmp_path):
    out = run_doctor(tmp_path, {"OPENAI_BASE_URL": fake_openai.url})
    assert out.returncode == 1
    assert "no model is set; it serves fake-model" in out.stdout
    assert fake_openai.requests == []


def test_the_cli_does_not_import_openai_or_the_doctor_until_asked():
    code = "import sys, notesmith.cli; print('openai' in sys.modules, 'notesmith.llm.doctor' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
