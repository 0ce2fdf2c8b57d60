"""Real-looking inputs for the live tier's real model (SmolLM2-135M-Instruct) and for bench/bench_live.py.

A small community-garden workspace: one existing article (the compost bays, with its source in
inbox/used/ and an index), and four inputs spread over three days, so that each is a group of its
own: a voice note that belongs in the compost article, a voice note on a new topic (the bike
trailer), a text message on another new topic (seed swap), and a message that is feedback about
the assistant rather than content.
"""

from __future__ import annotations

COMPOST_NOTE = "20260310_071200_marta_k_msg301_transcript.txt"
TRAILER_NOTE = "20260311_183000_marta_k_msg302_transcript.txt"
SEED_SWAP = "20260312_120500_Tom_R_msg303.md"
FEEDBACK = "20260313_090000_marta_k_msg304.md"

INPUTS: dict[str, str] = {
    COMPOST_NOTE: """---
source: telegram_voice
date: 2026-03-10T07:12:00+01:00
user_id: 5150
username: marta_k
audio_file: voice_0301.ogg
---
So about the compost bays again. We turned bay two this morning and it was still cold in the
middle, which means it is too dry, so from now on whoever turns it adds two watering cans of water
before closing the lid. Bay three is ready to sieve. The finished compost goes to the raised beds
first, then to the orchard.
""",
    TRAILER_NOTE: """---
source: telegram_voice
date: 2026-03-11T18:30:00+01:00
user_id: 5150
username: marta_k
audio_file: voice_0302.ogg
---
Quick one about the bike trailer. The left wheel bearing is worn, it wobbles when the trailer is
loaded, so nobody should carry more than forty kilos in it until it is fixed. I ordered a new
bearing, it should arrive on Friday, and Tom said he can fit it on Saturday morning.
""",
    SEED_SWAP: """---
source: telegram
date: 2026-03-12T12:05:00+01:00
username: Tom_R
---
Seed swap is on Sunday the 22nd at the garden shed, from ten to one. Bring seeds in paper envelopes
with the variety and the year written on them. We are short of tomato and bean seeds this year.
""",
    FEEDBACK: """---
source: telegram
date: 2026-03-13T09:00:00+01:00
username: marta_k
---
Note for the assistant, not for the articles: last week you put my watering note in the wrong
article. Please keep the names of the beds exactly as I say them next time.
""",
}

COMPOST_ARTICLE_REL = "articles/compost-bays.md"
COMPOST_SOURCE = "inbox/used/20260201_080000_marta_k_msg250_transcript.txt"
SMALL_MODEL_SYSTEM = ("You turn notes into articles for a knowledge base. Answer with JSON only. Keep every fact"
                      " from the sources and write each sentence once. Write in {{language_name}}.\n")
FILES: dict[str, str] = {
    COMPOST_ARTICLE_REL: """---
title: "Compost bays"
created: 2026-02-01
updated: 2026-02-01
tags: [compost, garden]
status: draft
---

# Compost bays

The garden has three compost bays behind the shed, turned in turn every two weeks[^1].

## Turning rota

Two people turn one bay each Saturday morning[^1].

## Sources

[^1]: [20260201_080000_marta_k_msg250_transcript.txt](../inbox/used/20260201_080000_marta_k_msg250_transcript.txt)
""",
    COMPOST_SOURCE: """---
source: telegram_voice
date: 2026-02-01T08:00:00+01:00
username: marta_k
---
We have three compost bays behind the shed and we turn them in turn every two weeks, two people
each Saturday morning.
""",
    "articles/_index.md": """# Articles

| Title | Status | Last Updated | Description |
|-------|--------|--------------|-------------|
| [Compost bays](compost-bays.md) | draft | 2026-02-01 | How the garden's compost bays are turned. |
""",
    # The workspace's own system prompt, short, as a person serving a 135M model would write it: with
    # the default one (about 800 tokens of editorial rules) SmolLM2 loses the task and loops in the
    # first free-text field of every draft; the drafting prompts themselves are notesmith's own.
    "prompts/system.md": SMALL_MODEL_SYSTEM,
    "prompts/style.md": "",
}
