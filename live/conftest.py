"""The live tier's fixtures: the servers that `live/run` started, SDK clients and an OpenAILLM.

`live_url` is llama.cpp's own llama-server; `py_url` is llama-cpp-python's server on the same model
(the tiny handmade one). `smol_url` is each of the two servers again on SmolLM2-135M-Instruct.
The variables are LIVE_*, not NOTESMITH_*: notesmith's config refuses NOTESMITH_ names it does not know.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import openai
import pytest

from notesmith.llm.openai_backend import OpenAILLM

RESULTS = Path(__file__).parent / ".cache" / "results.json"
_measured: dict[str, object] = {}


def _env(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        pytest.fail(f"{name} is not set: run the live tier with `bash live/run`, which starts the server",
                    pytrace=False)
    return value


@pytest.fixture(scope="session")
def live_url() -> str:
    """The server's base URL, ending in /v1."""
    return _env("LIVE_LLAMA_SERVER_URL")


@pytest.fixture(scope="session")
def py_url() -> str:
    """llama-cpp-python's server's base URL, ending in /v1."""
    return _env("LIVE_LLAMA_CPP_PYTHON_URL")


@pytest.fixture(scope="session")
def live_model() -> str:
    """The model name the server answers to."""
    return _env("LIVE_MODEL")


@pytest.fixture(scope="session")
def n_ctx() -> int:
    """The context size the server was started with."""
    return int(_env("LIVE_N_CTX"))


@pytest.fixture(scope="session")
def server_python() -> str:
    """The servers' venv python, where llama-cpp-python (and its grammar converter) is installed."""
    return _env("LIVE_SERVER_PYTHON")


@pytest.fixture(scope="session")
def smol_model() -> str:
    """The name SmolLM2-135M-Instruct is served under."""
    return _env("LIVE_SMOL_MODEL")


@pytest.fixture(scope="session")
def smol_n_ctx() -> int:
    """The context size both SmolLM2 servers were started with."""
    return int(_env("LIVE_SMOL_N_CTX"))


SMOL_SERVERS = {"llama-server": "LIVE_SMOL_LLAMA_SERVER_URL", "llama-cpp-python": "LIVE_SMOL_LLAMA_CPP_PYTHON_URL"}


@pytest.fixture(params=list(SMOL_SERVERS))
def smol_url(request) -> str:
    """Each server with SmolLM2-135M-Instruct in turn (request.param names it)."""
    return _env(SMOL_SERVERS[request.param])


SMOL_TEMPERATURE = 0.7


def smol_llm(url: str, model: str, n_ctx: int, state: Path, **kw) -> OpenAILLM:
    """notesmith's OpenAILLM on a SmolLM2 server: sampled with a fixed seed (so a run repeats), one retry.

    Not greedy: at temperature 0 this 135M model falls into a loop ("the finished compost is ready
    to go to the orchard. The finished compost is …") in a free-text field of most drafts of the
    garden inputs and writes until its answer is cut off, re-asks included; sampled at
    SMOL_TEMPERATURE more of its answers end (with the garden's short system prompt and bounded
    blocks: 2 created, 1 skipped, 1 waiting on llama-server; 3 created, 1 waiting on llama-cpp-python).
    """
    options = dict(base_url=url, api_key="not-needed", context_tokens=n_ctx, retries=1, backoff=0.1,
                   timeout=600, temperature=SMOL_TEMPERATURE, seed=42, capabilities_file=state / "capabilities.json")
    return OpenAILLM(model, **{**options, **kw})


def sdk(url: str) -> openai.OpenAI:
    """The real openai SDK on a server, without its own retries."""
    return openai.OpenAI(base_url=url, api_key="not-needed", max_retries=0, timeout=120)


@pytest.fixture
def client(live_url: str) -> openai.OpenAI:
    """The real openai SDK on llama-server."""
    return sdk(live_url)


@pytest.fixture
def py_client(py_url: str) -> openai.OpenAI:
    """The real openai SDK on llama-cpp-python's server."""
    return sdk(py_url)


@pytest.fixture(params=["llama-server", "llama-cpp-python"])
def any_client(request) -> openai.OpenAI:
    """The SDK on each server in turn."""
    return request.getfixturevalue("client" if request.param == "llama-server" else "py_client")


@pytest.fixture
def llm(live_url: str, live_model: str, n_ctx: int, tmp_path: Path) -> OpenAILLM:
    """notesmith's OpenAILLM on llama-server.

    The tiny model spends a token per byte, where notesmith's budget assumes about 3.5 bytes per
    token, so the context given to notesmith is a quarter of the server's.
    """
    return OpenAILLM(live_model, base_url=live_url, api_key="not-needed", context_tokens=n_ctx // 4,
                     max_output_tokens=1024, retries=1, backoff=0.1,
                     capabilities_file=tmp_path / "capabilities.json")


@pytest.fixture(scope="session")
def record():
    """Keep a measurement or an observed fact; all are printed at the end and written to results.json."""
    return _measured.__setitem__


def pytest_terminal_summary(terminalreporter) -> None:
    if not _measured:
        return
    terminalreporter.section("live tier measurements")
    for key, value in _measured.items():
        terminalreporter.write_line(f"{key}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(_measured, indent=2, default=str) + "\n", encoding="utf-8")
