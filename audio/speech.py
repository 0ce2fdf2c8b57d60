"""Speech for the audio tier: scripts written for it, spoken by espeak-ng, and the word error rate."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

# Voice notes in the words a person would say them; no numbers (Whisper writes them as digits).
ENGLISH = (
    "This is a voice note about the bees. The weather was warm this morning, so the bees came out early. "
    "The second hive was already carrying pollen before breakfast. I want to check the queen next week, "
    "not today, because opening the box in a cold wind chills the brood. Before the lime trees flower, "
    "I need to order more boxes and a set of new frames. I should also clean the smoker and buy new gloves."
)
RUSSIAN = (
    "Привет. Это голосовая заметка. Сегодня хорошая погода, и я работал в саду. "
    "Завтра я поеду в город и куплю хлеб, молоко и сыр. Потом я позвоню маме и спрошу, как у неё дела. "
    "Вечером я буду читать книгу."
)
VOICES = {"en": ("en-us", 150), "ru": ("ru", 130)}  # espeak-ng voice and words per minute


def espeak() -> str:
    """The espeak-ng program; a clear failure when it is missing (the tier never skips)."""
    found = shutil.which("espeak-ng")
    if found is None:
        raise AssertionError("espeak-ng is not installed: run the tier with `bash audio/run`, which installs it "
                             "(apt-get install espeak-ng)")
    return found


def speak(text: str, language: str, path: Path) -> Path:
    """Synthesize text to a WAV file with espeak-ng."""
    voice, speed = VOICES[language]
    subprocess.run([espeak(), "-v", voice, "-s", str(speed), "-w", str(path), text], check=True,
                   capture_output=True)
    return path


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower().replace("ё", "е"))


def wer(reference: str, hypothesis: str) -> float:
    """Word error rate: word-level edit distance over the reference's length."""
    ref, hyp = words(reference), words(hypothesis)
    row = list(range(len(hyp) + 1))
    for i in range(1, len(ref) + 1):
        previous, row[0] = row[0], i
        for j in range(1, len(hyp) + 1):
            current = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (ref[i - 1] != hyp[j - 1]))
            previous = current
    return row[len(hyp)] / len(ref)
