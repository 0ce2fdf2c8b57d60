"""The word index of a stored input: normal forms, what is left out, and where words are."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesmith.inputs.reading import decode
from notesmith.pipeline.wordindex import SourceIndex, normalize_word, words_of

FIXTURES = Path(__file__).parent / "fixtures" / "locate"


def words(ix: SourceIndex) -> list[str]:
    return [ix.vocabulary[t] for t in ix.tokens]


@pytest.mark.parametrize("raw, normal", [
    ("ЁЛКА", "елка"), ("ёмкое", "емкое"), ("Café", "cafe"), ("йогурт", "йогурт"), ("ЙОД", "йод"),
    ("Ноутбук", "ноутбук"), ("STRASSE", "strasse"), ("то\u0301рт", "торт"),
])
def test_normal_forms(raw, normal):
    assert normalize_word(raw) == normal


def test_quotes_lose_punctuation_fillers_and_immediate_repeats():
    assert words_of("Ну, вот — the the “Quote”… uh, типа ёж-ёж") == ["the", "quote", "еж"]


def test_frontmatter_is_left_out_and_lines_count_it():
    text = "---\nsource: telegram_voice\nusername: someone\n---\n\nHello there,\nsecond line.\n"
    ix = SourceIndex(text, "a_transcript.txt")
    assert words(ix) == ["hello", "there", "second", "line"]
    assert ix.span(0, 3).lines == (6, 7)


def test_a_file_that_only_starts_with_dashes_has_no_frontmatter():
    text = "--- not a fence\nwords here\n"
    assert words(SourceIndex(text, "note.md")) == ["not", "a", "fence", "words", "here"]


def test_a_word_said_twice_is_one_word_spanning_both_but_not_across_a_paragraph():
    ix = SourceIndex("the the cat\n\nType\n\n- Type", "n.txt")
    assert words(ix) == ["the", "cat", "type", "type"]
    assert ix.span(0, 0).chars == (0, 7)


def test_subtitles_index_cue_text_only_and_drop_rolling_repeats():
    ix = SourceIndex(decode((FIXTURES / "standup.vtt").read_bytes()), "standup.vtt")
    assert words(ix).count("firing") == 1
    assert words(ix).count("whole") == 1
    assert "webvtt" not in words(ix) and "note" not in words(ix) and "captions" not in words(ix)
    assert "amp" not in words(ix)
    assert ix.cue_times[0] == (1.0, 3.0)
    first_behind = words(ix).index("behind")
    assert ix.span(first_behind, first_behind).lines == (14, 14)
    assert ix.span(first_behind, first_behind).times == (3.5, 6.0)


def test_srt_cue_numbers_and_timings_are_not_words():
    ix = SourceIndex(decode((FIXTURES / "kiln-podcast.srt").read_bytes()), "kiln-podcast.srt")
    assert words(ix)[:3] == ["welcome", "back", "to"]
    assert not any(w.isdigit() for w in words(ix))
    assert "i" not in words(ix)  # the <i> tag


def test_whisper_words_come_from_segments_not_the_whole_text():
    ix = SourceIndex(decode((FIXTURES / "course-call.json").read_bytes()), "course-call.json")
    assert words(ix).count("привет") == 1
    assert len(ix.cue_times) == 5  # the blank segment is no cue
    assert ix.span(0, 0).lines == (9, 9)


def test_json_without_segments_is_read_as_plain_text():
    ix = SourceIndex('{"note": "just words"}', "x.json")
    assert not ix.timed
    assert words(ix) == ["note", "just", "words"]


def test_similar_finds_words_one_edit_away_and_two_for_long_ones():
    ix = SourceIndex("the pottery studio and the moisture meter, a stoneware order", "n.txt")
    similar = {w: [ix.vocabulary[t] for t in ix.similar(w)] for w in ("potery", "stonewear", "studoi", "cat")}
    assert similar == {"potery": ["pottery"], "stonewear": ["stoneware"], "studoi": ["studio"], "cat": []}


def test_a_word_that_always_follows_another_carries_little_surprise():
    ix = SourceIndex("скорее всего да. " * 20 + "скорее нет. и всего хорошего.", "n.txt")
    vocab = {w: ix.token_id(w) for w in ("скорее", "всего")}
    assert ix.next_bits(vocab["скорее"], vocab["всего"]) < 0.5 < 1.5 < ix.bits(vocab["всего"])


def test_a_pair_of_words_said_twice_is_one_pair_in_sources_and_quotes_alike():
    ix = SourceIndex("я публикую какие-то какие-то заметки", "n.txt")
    assert words(ix) == ["я", "публикую", "какие", "то", "заметки"]
    assert ix.span(3, 3).chars == (17, 28)  # the second "то" is inside the first one's span
    assert words_of("Match perfect match perfect match") == ["match", "perfect", "match"]
