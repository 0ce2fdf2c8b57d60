"""Benchmark of local transcription (notesmith[audio]): speed and peak memory.

    python bench/bench_transcribe.py [--model DIR] [--minutes 10] [--chunks 300] [--whole] [--hour]

1. A recording of `--minutes` of speech (espeak-ng reading sentences in a seeded order, one-second
   pauses, encoded as Ogg Opus like a voice note) transcribed by notesmith's LocalTranscriber in a
   child process, once per chunk length in `--chunks` (seconds): speed as a multiple of real time
   (model loading apart), peak RSS, and the word error rate against what was read. With --whole,
   also faster-whisper's own transcribe() on the whole file (decoded whole), for comparison.
2. With --hour: decoding an hour of audio the way LocalTranscriber does (16 kHz blocks, chunks of
   two minutes) against decoding it whole as faster-whisper's decode_audio does: peak RSS of each.

The model is Whisper base in CTranslate2 form; `bash audio/run` joins it into audio/.cache.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "audio")]

from encode import encode  # noqa: E402
from speech import speak, wer  # noqa: E402

SENTENCES = [
    "The bees came out early because the morning was warm.",
    "I want to check the queen next week, not today.",
    "Opening the box in a cold wind chills the brood.",
    "Before the lime trees flower we need more boxes and new frames.",
    "The smoker needs cleaning and the gloves are worn through.",
    "The delivery truck could not reach the compost bays, so we moved them closer to the gate.",
    "On Saturday the new rota starts with two people on each shift.",
    "The tomatoes in the greenhouse need water every evening in July.",
    "Remember to write down the swarm dates in the ledger on the shelf.",
    "The bicycle chain was stretched, and shifting to the largest sprocket lagged.",
    "Half a turn on the barrel adjuster fixed the rear derailleur.",
    "The sourdough starter doubles in five hours at room temperature.",
]

# Peak memory is the child's VmHWM: ru_maxrss would also count the parent's memory at fork.
PEAK = """
def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
"""

CHILD_TRANSCRIBE = PEAK + """
import json, sys, time
from notesmith.audio.local import LocalTranscriber
started = time.monotonic()
transcriber = LocalTranscriber(sys.argv[1], chunk_seconds=float(sys.argv[3]) if sys.argv[3] != "whole" else 300)
whisper = transcriber._whisper()
loaded = time.monotonic()
if sys.argv[3] == "whole":
    segments, info = whisper.transcribe(sys.argv[2], vad_filter=True, beam_size=5)
    texts, duration = [s.text for s in segments], info.duration
else:
    result = transcriber.transcribe(sys.argv[2])
    texts, duration = [c.text for c in result.segments], result.duration
done = time.monotonic()
print(json.dumps({"load_s": loaded - started, "transcribe_s": done - loaded, "duration_s": duration,
                  "text": " ".join(texts), "segments": len(texts),
                  "peak_rss_mb": peak_mb()}))
"""

CHILD_DECODE = PEAK + """
import json, sys, time
started = time.monotonic()
if sys.argv[1] == "chunked":
    from notesmith.audio.local import CHUNK_SECONDS, RATE, SEARCH_SECONDS, _Source, _chunks
    samples = sum(len(chunk) for _, chunk in _chunks(_Source(__import__("pathlib").Path(sys.argv[2])).blocks(),
                                                     int(CHUNK_SECONDS * RATE), int(SEARCH_SECONDS * RATE)))
else:
    from faster_whisper import decode_audio
    samples = len(decode_audio(sys.argv[2]))
print(json.dumps({"seconds_of_audio": samples / 16000, "wall_s": time.monotonic() - started,
                  "peak_rss_mb": peak_mb()}))
"""


def recording(folder: Path, minutes: float) -> tuple[Path, str]:
    """An Ogg Opus recording of at least `minutes` of speech, and the text it reads."""
    order = random.Random(7)
    spoken: list[str] = []
    pieces: list[Path] = []
    total = 0.0
    while total < minutes * 60:
        paragraph = " ".join(order.sample(SENTENCES, 4))
        wav = speak(paragraph, "en", folder / f"part{len(pieces)}.wav")
        with wave.open(str(wav)) as handle:
            total += handle.getnframes() / handle.getframerate() + 1.0
        pieces.append(wav)
        spoken.append(paragraph)
    joined = folder / "speech.wav"
    with wave.open(str(pieces[0])) as first:
        params = first.getparams()
    with wave.open(str(joined), "wb") as out:
        out.setparams(params)
        for piece in pieces:
            with wave.open(str(piece)) as handle:
                out.writeframes(handle.readframes(handle.getnframes()))
            out.writeframes(bytes(params.framerate * params.sampwidth))  # one second of silence
            piece.unlink()
    return encode(joined, folder / "speech.ogg"), " ".join(spoken)


def child(code: str, *args: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.environ.get("AUDIO_MODEL_DIR") or
                        str(ROOT / "audio/.cache/whisper-base-ct2"))
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--chunks", default="300", help="chunk lengths to measure, in seconds, comma-separated")
    parser.add_argument("--whole", action="store_true", help="also faster-whisper on the whole file")
    parser.add_argument("--hour", action="store_true", help="also compare decoding memory on a one-hour recording")
    args = parser.parse_args()
    if not (Path(args.model) / "model.bin").is_file():
        raise SystemExit(f"no model in {args.model}: run `bash audio/run` once, or pass --model DIR")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        audio, text = recording(folder, args.minutes)
        print(f"recording: {audio.stat().st_size / 2**20:.1f} MB Ogg Opus, made in {time.monotonic() - started:.0f} s")
        for how in [*filter(None, args.chunks.split(",")), *(["whole"] if args.whole else [])]:
            result = child(CHILD_TRANSCRIBE, args.model, str(audio), how)
            speed = result["duration_s"] / result["transcribe_s"]
            label = "faster-whisper on the whole file" if how == "whole" else f"LocalTranscriber, {how} s chunks"
            print(f"{label}: {result['duration_s'] / 60:.1f} min in {result['transcribe_s']:.0f} s, {speed:.1f}x real "
                  f"time (model loaded in {result['load_s']:.1f} s); peak RSS {result['peak_rss_mb']:.0f} MB; "
                  f"{result['segments']} segments; WER {wer(text, result['text']):.3f}; load average "
                  f"{os.getloadavg()[0]:.1f}", flush=True)
        if args.hour:
            with wave.open(str(folder / "speech.wav")) as handle:
                params, frames = handle.getparams(), handle.readframes(handle.getnframes())
            hour = folder / "hour.wav"
            with wave.open(str(hour), "wb") as out:
                out.setparams(params)
                seconds = len(frames) / params.framerate / params.sampwidth
                for _ in range(int(3600 // seconds) + 1):
                    out.writeframes(frames)
            long = encode(hour, folder / "hour.ogg")
            hour.unlink()
            for how in ("chunked", "whole"):
                measured = child(CHILD_DECODE, how, str(long))
                print(f"decode {measured['seconds_of_audio'] / 60:.0f} min {how}: peak RSS "
                      f"{measured['peak_rss_mb']:.0f} MB in {measured['wall_s']:.0f} s")


if __name__ == "__main__":
    main()
