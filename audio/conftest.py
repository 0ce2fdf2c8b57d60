"""The audio tier's fixtures: Whisper base joined by `audio/run`, a LocalTranscriber on it, measurements.

Run it with `bash audio/run`: it installs espeak-ng and `notesmith[audio]` and joins the model.
A missing piece is a failure with a message saying so, never a skip.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

try:
    import av  # noqa: F401
    import faster_whisper  # noqa: F401
except ImportError as exc:
    raise pytest.UsageError(f"the audio tier needs notesmith[audio] ({exc}); run it with `bash audio/run`") from None

from notesmith.audio.local import LocalTranscriber

RESULTS = Path(os.environ.get("AUDIO_CACHE") or Path(__file__).parent / ".cache") / "results.json"
_measured: dict[str, object] = {}


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """Whisper base in CTranslate2 form, joined from the two PyPI wheels by audio/run."""
    value = os.environ.get("AUDIO_MODEL_DIR", "")
    if not value or not (Path(value) / "model.bin").is_file():
        pytest.fail("AUDIO_MODEL_DIR does not name a joined Whisper model: run the tier with `bash audio/run`",
                    pytrace=False)
    return Path(value)


@pytest.fixture(scope="session")
def transcriber(model_dir: Path) -> LocalTranscriber:
    """notesmith's local backend on the joined model (loaded once for the session)."""
    return LocalTranscriber(str(model_dir))


@pytest.fixture(scope="session")
def record():
    """Keep a measurement; all are printed at the end and written to results.json."""
    return _measured.__setitem__


def pytest_terminal_summary(terminalreporter) -> None:
    if not _measured:
        return
    terminalreporter.section("audio tier measurements")
    for key, value in _measured.items():
        terminalreporter.write_line(f"{key}: {value}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(_measured, indent=2, default=str) + "\n", encoding="utf-8")
