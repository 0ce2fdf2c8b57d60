"""Write a tiny llama-architecture GGUF model for the live tier: byte-level vocabulary, hand-set weights.

No weights can be downloaded here, so the model is made: 2 layers, n_embd 64, a GPT-2-style
byte-level vocabulary (256 byte tokens, one unused merge) plus <s> and </s>. Its layers hold small seeded
random weights, so every token goes through a real forward pass, but the answer is steered by the
embeddings and the output matrix, which together act as a bigram table: the next token depends
on the last one. Under llama.cpp's grammar (from a JSON Schema) that makes answers short and
deterministic: every free string is "note", arrays hold one item, enums take their first
preferred value (S1, paragraph, create, 2). Without a grammar the model says "note" and stops.

Usage: python make_tiny_model.py OUT.gguf
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from gguf import GGUFWriter, TokenType

N_EMBD = 64
N_HEAD = 4
N_LAYER = 2
N_FF = 128
N_CTX = 16384  # the prompts are ~4k bytes and every byte is a token
SEED = 20240521
BOS, EOS = 256, 257
# GGUF cannot hold an empty array and llama.cpp wants a merges list, so there is one merge, of two
# bytes that never occur in text (0x00 0x01), into token 258.
MERGE = ("\u0100", "\u0101")
N_VOCAB = 259

# Logits for the next token by the last one (a class); tokens not named get 0. Gaps of 5 or more
# keep sampling deterministic in practice at the servers' default temperatures.
_DEFAULT = {"n": 100, '"': 90, "{": 85, "[": 80, "1": 75, "2": 70, "3": 65, "]": 60, "}": 55, ",": 50}
BIGRAMS: dict[str, dict[str | int, float]] = {
    "default": _DEFAULT,
    '"': {"n": 100, "p": 90, "c": 85, "a": 80, "]": 70, "}": 65, ",": 60, ":": 55},
    "[": {'"': 100, "{": 90, "]": 80},
    "]": {EOS: 100, "}": 90, ",": 80},
    "}": {EOS: 100, "]": 90, ",": 80},
    "n": {"o": 50},
    "o": {"t": 50},
    "t": {"e": 50},
    "e": {EOS: 100, '"': 90},
}
CLASSES = list(BIGRAMS)

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>\n{{ message['content'] }}\n{% endfor %}"
    "<|assistant|>\n"
)


def byte_tokens() -> list[str]:
    """GPT-2's byte-to-unicode table: the text of each of the 256 byte tokens."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in chars:
            chars[b] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def _token_id(key: str | int) -> int:
    return key if isinstance(key, int) else key.encode()[0]


def weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """All tensors, in the [out, in] layout llama.cpp reads from GGUF."""
    f32 = np.float32
    classes = {c: i for i, c in enumerate(CLASSES)}
    embd = rng.normal(0, 0.01, (N_VOCAB, N_EMBD)).astype(f32)
    for tok in range(N_VOCAB):
        char = chr(tok) if tok < 128 else None
        embd[tok, classes.get(char, classes["default"])] = 1.0
    # After the final RMSNorm a class's unit vector is about sqrt(N_EMBD) long.
    out = rng.normal(0, 0.001, (N_VOCAB, N_EMBD)).astype(f32)
    for name, row in BIGRAMS.items():
        for key, logit in row.items():
            out[_token_id(key), classes[name]] = logit / np.sqrt(N_EMBD)
    tensors = {"token_embd.weight": embd, "output_norm.weight": np.ones(N_EMBD, f32), "output.weight": out}
    for layer in range(N_LAYER):
        p = f"blk.{layer}."
        tensors[p + "attn_norm.weight"] = np.ones(N_EMBD, f32)
        for name in ("attn_q", "attn_k", "attn_v"):
            tensors[p + name + ".weight"] = rng.normal(0, 0.02, (N_EMBD, N_EMBD)).astype(f32)
        # Small output projections keep the layers from drowning the bigram signal.
        tensors[p + "attn_output.weight"] = rng.normal(0, 0.002, (N_EMBD, N_EMBD)).astype(f32)
        tensors[p + "ffn_norm.weight"] = np.ones(N_EMBD, f32)
        tensors[p + "ffn_gate.weight"] = rng.normal(0, 0.02, (N_FF, N_EMBD)).astype(f32)
        tensors[p + "ffn_up.weight"] = rng.normal(0, 0.02, (N_FF, N_EMBD)).astype(f32)
        tensors[p + "ffn_down.weight"] = rng.normal(0, 0.002, (N_EMBD, N_FF)).astype(f32)
    return tensors


def write(path: Path) -> None:
    """Write the model to path."""
    writer = GGUFWriter(str(path), "llama")
    writer.add_name("notesmith-live-tiny")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_rope_freq_base(10000.0)
    writer.add_vocab_size(N_VOCAB)
    writer.add_file_type(0)  # all F32
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("default")
    writer.add_token_list([*byte_tokens(), "<s>", "</s>", "".join(MERGE)])
    writer.add_token_types([TokenType.NORMAL] * 256 + [TokenType.CONTROL, TokenType.CONTROL, TokenType.NORMAL])
    writer.add_token_merges([" ".join(MERGE)])
    writer.add_bos_token_id(BOS)
    writer.add_eos_token_id(EOS)
    writer.add_add_bos_token(False)
    writer.add_chat_template(CHAT_TEMPLATE)
    for name, tensor in weights(np.random.default_rng(SEED)).items():
        writer.add_tensor(name, tensor)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    write(path)
    print(f"wrote {path} ({path.stat().st_size} bytes) in {time.monotonic() - start:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
