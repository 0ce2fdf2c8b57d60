"""The passage locator: the right lines of the stored file, tolerant of how quotes go wrong,
strict about what is not there."""

from __future__ import annotations

from pathlib import Path

import pytest

from notesmith.inputs.reading import decode, paragraphs, read_input
from notesmith.pipeline.locate import MAX_PASSAGE_WORDS, NotFound, Passage, locate, place_verbatim, quote_ends
from notesmith.pipeline.wordindex import SourceIndex

FIXTURES = Path(__file__).parent / "fixtures" / "locate"
EN = "20260301_101500_test_user_msg10_transcript.txt"
RU = "20260302_090000_test_user_msg11_transcript.txt"
SRT = "kiln-podcast.srt"
VTT = "standup.vtt"
WHISPER = "course-call.json"
ALL = (EN, RU, SRT, VTT, WHISPER)


def stored(name: str) -> str:
    return decode((FIXTURES / name).read_bytes())


_INDEXES: dict[str, SourceIndex] = {}


def index(name: str) -> SourceIndex:
    if name not in _INDEXES:
        _INDEXES[name] = SourceIndex(stored(name), name)
    return _INDEXES[name]


def found(result: Passage | NotFound) -> Passage:
    assert isinstance(result, Passage), result
    assert result.found
    return result


# -- golden table: where real quotes are ----------------------------------------------------------

# (file, first words, last words, lines of the stored file, time range)
GOLDEN = [
    (EN, "today I want to talk about the pottery studio", "the students don't come before noon", (9, 12), None),
    (EN, "The second thing is the clay order.", "moisture meter that Priya brought", (14, 17), None),
    (EN, "main problem is that the firing log", "which shelf is free", (10, 11), None),
    (EN, "kilns. The main problem is that", "which shelf is free", (9, 11), None),
    (RU, "я сейчас думаю, давай начнём новую статью", "почему ничего не работает", (7, 10), None),
    (RU, "Вторая мысль — про ёлку в офисе", "пусть он в пятницу всё уберёт", (12, 14), None),
    (RU, "Мы записываем каждую встречу", "короткие заметки сразу после встречи", (16, 17), None),
    (SRT, "Today we talk about kiln schedules", "The glaze tests move to Tuesday mornings", (7, 12), (4.5, 75.5)),
    (SRT, "[00:01:10] MAYA: The glaze tests move", "frees the big kiln for the students.", (12, 17), (70.0, 80.0)),
    (SRT, "Welcome back to the studio podcast", "Remember to label every shelf with a marker", (3, 21), (1.0, 154.0)),
    (VTT, "Dana Park: Let's start with the firing log.", "nobody writes the shelf numbers down", (9, 18), (1.0, 9.0)),
    (VTT, "It is behind by a whole week", "because nobody writes the shelf", (14, 18), (3.5, 9.0)),
    (VTT, "I can catch up on Friday & Saturday.", "the glaze inventory goes into the same sheet", (21, 24), (62.0, 68.0)),
    (WHISPER, "Мы решили начать с модуля про данные", "и там нужен живой сервер", (15, 21), (3.5, 12.25)),
    (WHISPER, "[00:01:15] Ещё вопрос: кто пишет ёмкое описание", "у неё лучше всех получается.", (27, 39),
     (75.0, 90.0)),
]


@pytest.mark.parametrize("name, first, last, lines, times", GOLDEN)
def test_golden_passages_are_placed_on_the_lines_that_hold_them(name, first, last, lines, times):
    passage = found(locate(index(name), first, last))
    assert passage.lines == lines
    assert passage.times == times
    assert passage.note == ""
    assert passage.matched == passage.asked


def test_the_span_is_the_stored_text_from_the_first_to_the_last_word():
    passage = found(locate(index(EN), "The second thing is the clay order.", "moisture meter that Priya brought"))
    start, end = passage.span.chars
    text = stored(EN)[start:end]
    assert text.startswith("The second thing")
    assert text.endswith("Priya brought")
    assert "state-of-the-\nart" in text


def test_times_are_none_for_untimed_inputs_and_lines_count_the_frontmatter():
    passage = found(locate(index(RU), "Ну вот, я сейчас думаю, давай начнём", "материалы к курсу"))
    assert passage.times is None
    assert stored(RU).split("\n")[passage.lines[0] - 1].startswith("Ну вот, я сейчас думаю")


# -- perturbations: each still lands on the clean quote's lines ---------------------------------

EN_CLEAN = ("today I want to talk about the pottery studio", "the students don't come before noon")
RU_CLEAN = ("я сейчас думаю, давай начнём новую статью", "почему ничего не работает")
PERTURBED = [
    ("case", EN, "TODAY i want TO TALK about the Pottery Studio", "THE STUDENTS DON'T COME BEFORE NOON"),
    ("punctuation", EN, "today, I want to talk... about the pottery studio!", "the students don't come; before noon"),
    ("no punctuation", EN, "today I want to talk about the pottery studio", "the students dont come before noon"),
    ("typography", EN, "“today I want to talk about the pottery studio”", "the students don’t come before noon…"),
    ("fillers added", EN, "today, uh, I want to, um, talk about the pottery studio", "the students, like, don't come"
                                                                                      " before noon"),
    ("fillers dropped", EN, "So today I want to talk about the pottery", "the students don't come before noon"),
    ("hard wraps", EN, "today I want\n to   talk about the pottery\nstudio", "the students\ndon't come before\nnoon"),
    ("misspelt word", EN, "today I want to talk about the potery studio", "the studnets don't come before noon"),
    ("swapped letters", EN, "today I want to talk abuot the pottery studio", "the students don't coem before noon"),
    ("word said twice", EN, "today I I want to talk about the the pottery studio", "the students don't come before noon"),
    ("anchor copied", EN, "[00:00:00] today I want to talk about the pottery studio", EN_CLEAN[1]),
    ("case", RU, "Я СЕЙЧАС ДУМАЮ, давай начнём новую статью", "Почему Ничего Не Работает"),
    ("е for ё", RU, "я сейчас думаю, давай начнем новую статью", "почему ничего не работает"),
    ("typography", RU, "«я сейчас думаю — давай начнём новую статью»", "почему ничего не работает…"),
    ("fillers added", RU, "я, ну, сейчас думаю, типа, давай начнём новую статью", "почему вот ничего не работает"),
    ("fillers dropped", RU, "Ну вот я сейчас думаю давай начнём новую статью", "и потом ученики спрашивают, почему"
                                                                                   " ничего не работает"),
    ("misspelt word", RU, "я сейчас думаю, давай начнём новую сатью", "почему ничего не рабоатет"),
    ("hard wraps", RU, "я сейчас\nдумаю,   давай начнём\n новую статью", "почему ничего\nне работает"),
]


@pytest.mark.parametrize("what, name, first, last", PERTURBED, ids=[f"{p[1][:12]}-{p[0]}" for p in PERTURBED])
def test_perturbed_quotes_land_on_the_clean_quotes_lines(what, name, first, last):
    clean = found(locate(index(name), *(EN_CLEAN if name == EN else RU_CLEAN)))
    passage = found(locate(index(name), first, last))
    assert passage.lines == clean.lines


def test_a_dropped_hyphen_or_apostrophe_still_matches_the_words_it_joined():
    passage = found(locate(index(EN), "test it first, with a stateoftheart moisture meter", "her old workshop"))
    assert passage.lines == (16, 17)
    passage = found(locate(index(RU), "а в Markdownдокументе остаётся старая версия", "ничего не работает"))
    assert passage.lines == (9, 10)


def test_a_start_shifted_across_a_line_break_moves_the_first_line_with_it():
    later = found(locate(index(EN), "main problem is that the firing log", "which shelf is free"))
    earlier = found(locate(index(EN), "The main problem is that the firing log", "which shelf is free"))
    assert later.lines == (10, 11)
    assert earlier.lines == (9, 11)


# -- strictness: what is not in the source is not found -----------------------------------------

FOREIGN = [
    (RU, EN, EN_CLEAN),
    (EN, RU, RU_CLEAN),
    (SRT, EN, ("we should move the glaze tests to Tuesday mornings", "the students don't come before noon")),
    (EN, SRT, ("Today we talk about kiln schedules", "why the firing log falls behind")),
    (SRT, VTT, ("Let's start with the firing log", "nobody writes the shelf numbers down")),
    (RU, WHISPER, ("Мы решили начать с модуля про данные", "и там нужен живой сервер")),
    (WHISPER, RU, ("Мы записываем каждую встречу", "короткие заметки сразу после встречи")),
]


@pytest.mark.parametrize("where, origin, quote", FOREIGN, ids=[f"{o[:6]}-in-{w[:6]}" for w, o, _ in FOREIGN])
def test_a_passage_from_another_transcript_is_not_found(where, origin, quote):
    assert locate(index(origin), *quote).found  # it is a real passage of its own file
    result = locate(index(where), *quote, label="S2")
    assert isinstance(result, NotFound)
    assert not result.found
    assert result.reason.startswith(("S2 does not contain", "in S2,", "'"))


def test_invented_words_are_not_found_and_the_reason_names_them():
    result = locate(index(EN), "today I want to talk about the pottery studio",
                    "twelve crates of porcelain from Limoges", label="S1")
    assert isinstance(result, NotFound)
    assert result.reason == ("S1 does not contain 'twelve crates of porcelain from Limoges'; copy the last "
                             "words verbatim from S1")
    result = locate(index(RU), "мы купили новый сервер для команды", "почему ничего не работает", label="S3")
    assert result.reason.startswith("S3 does not contain 'мы купили новый сервер для команды'; copy the first")


def test_frontmatter_is_not_part_of_the_source():
    result = locate(index(EN), "source: telegram_voice date: 2026-03-01", "username: test_user")
    assert not result.found


def test_common_words_said_everywhere_are_refused_as_too_common():
    text = "---\nsource: telegram_voice\n---\n\n" + "and then we went to the shop. " * 200 + "The end of the walk.\n"
    result = locate(SourceIndex(text, "x_transcript.txt"), "and then we went", "to the shop", label="S1")
    assert isinstance(result, NotFound)
    assert result.reason.startswith("'and then we went … to the shop' is too common in S1 to place")


def test_a_one_word_phrase_is_too_few_to_place():
    result = locate(index(EN), "today I want to talk about the pottery studio", "noon.", label="S1")
    assert isinstance(result, NotFound)
    assert "the last words 'noon.' are too few to place in S1" in result.reason


def test_an_empty_quote_asks_for_words():
    result = locate(index(EN), "  ", "…", label="S4")
    assert isinstance(result, NotFound)
    assert "S4" in result.reason and "no words" in result.reason


def test_phrases_too_far_apart_are_not_one_passage():
    words = [f"w{n}" for n in range(MAX_PASSAGE_WORDS + 100)]
    text = "alpha beta gamma delta " + " ".join(words) + " omega sigma kappa lambda\n"
    result = locate(SourceIndex(text, "long.txt"), "alpha beta gamma delta", "omega sigma kappa lambda", label="S1")
    assert isinstance(result, NotFound)
    assert result.reason.startswith("in S1, 'omega sigma kappa lambda' does not come after 'alpha beta gamma delta'")


# -- choices: repeated phrases, reversed phrases, order -----------------------------------------

def test_a_repeated_first_phrase_pairs_with_the_nearest_last_phrase_and_says_so():
    passage = found(locate(index(EN), "Every month we write about the studio", "keep it to one page"))
    assert passage.lines == (20, 21)  # the second "Every month ...", not the first on line 19
    assert "the first words occur at 2 places" in passage.note


def test_a_repeated_first_phrase_takes_the_occurrence_the_last_phrase_follows():
    passage = found(locate(index(EN), "Every month we write about the studio", "we send it late"))
    assert passage.lines == (19, 20)


def test_last_words_before_the_first_words_give_the_stretch_between_with_a_note():
    passage = found(locate(index(EN), "keep it to one page", "the third thing, the newsletter"))
    assert passage.lines == (19, 21)
    assert "the last words come before the first words" in passage.note


def test_after_places_a_repeated_phrase_past_the_given_word():
    ix = index(EN)
    first = found(locate(ix, "Every month we write about the studio"))
    again = found(locate(ix, "Every month we write about the studio", after=first.span.words[1]))
    assert first.lines == (19, 19) and again.lines == (20, 20)
    assert "2 places" in first.note


def test_first_and_last_words_may_overlap_in_a_short_passage():
    passage = found(locate(index(SRT), "Remember to label every shelf", "every shelf with a marker"))
    assert passage.lines == (21, 21)
    assert passage.times == (150.0, 154.0)


def test_every_paragraph_the_reader_shows_is_placed_in_order_by_its_ends():
    # What the offline drafter does: its paragraphs are the reader's, so each must anchor.
    for name in ALL:
        ix = index(name)
        after = 0
        for text in paragraphs(read_input(FIXTURES / name).text):
            passage = found(locate(ix, *quote_ends(text), after=after))
            assert passage.span.words[0] >= after
            after = passage.span.words[1]
        assert after == len(ix), name


def test_quote_ends_leaves_out_the_readers_time_anchor():
    assert quote_ends("[00:01:10] MAYA: The glaze tests move to Tuesday mornings", 3) == (
        "MAYA: The glaze", "to Tuesday mornings")


def test_whisper_json_written_without_escapes_maps_each_word_to_its_characters():
    import json

    data = {"segments": [{"start": 1.0, "end": 2.0, "text": " Ёлку ставим в пятницу."},
                         {"start": 2.0, "end": 4.0, "text": " А убираем — в январе."}]}
    text = json.dumps(data, ensure_ascii=False, indent=1)
    passage = found(locate(SourceIndex(text, "call.json"), "ёлку ставим в пятницу", "а убираем в январе"))
    start, end = passage.span.chars
    assert text[start:end].startswith("Ёлку ставим") and text[start:end].endswith("в январе")
    assert passage.times == (1.0, 4.0)
    assert passage.lines == (text[:start].count("\n") + 1, text[:end].count("\n") + 1)
    assert passage.lines[0] < passage.lines[1]


def test_reversed_phrases_with_too_little_evidence_are_refused_with_the_reason(monkeypatch):
    from notesmith.pipeline import locate as module

    monkeypatch.setattr(module, "SWAPPED_BITS", 1000.0)
    result = locate(index(EN), "keep it to one page", "the third thing, the newsletter", label="S1")
    assert isinstance(result, NotFound)
    assert result.reason.startswith("in S1, 'the third thing, the newsletter' comes before 'keep it to one page'")


# -- verbatim passages in order (the offline drafter) -----------------------------------------------

def test_a_verbatim_paragraph_is_placed_word_for_word_after_the_one_before_even_when_short():
    text = "Intro line.\n\nTODO\n\nSome words here.\n\nTODO\n\nMore words there.\n"
    ix = SourceIndex(text, "notes.md")
    assert isinstance(locate(ix, "TODO", "TODO"), NotFound)  # one common word: too little to place by quote
    first = found(place_verbatim(ix, "TODO"))
    assert first.lines == (3, 3)
    second = found(place_verbatim(ix, "TODO", after=first.span.words[1]))
    assert second.lines == (7, 7)  # the next one: the drafter's paragraphs follow the file
    assert found(place_verbatim(ix, "Some words\nhere.")).lines == (5, 5)  # wraps and punctuation aside
    assert isinstance(place_verbatim(ix, "Some words there."), NotFound)  # not word for word
    assert isinstance(place_verbatim(ix, "Intro line.", after=2), NotFound)  # not after the one before


def test_verbatim_subtitle_paragraphs_leave_the_readers_time_anchors_out():
    item = read_input(FIXTURES / SRT)
    ix = index(SRT)
    after = 0
    for text in paragraphs(item.text):
        passage = found(place_verbatim(ix, text, after=after))
        assert passage.times is not None and passage.matched == passage.asked
        after = passage.span.words[1]
    assert after == len(ix)  # every word of the file, each paragraph in turn


def test_quote_ends_of_a_long_text_read_only_its_ends():
    text = "[00:00:01] First words of a very long talk " + "filler words in the middle " * 2000 + \
        "and the [00:59:59] very last words of it."
    assert quote_ends(text, 4) == ("First words of a", "last words of it.")
    assert quote_ends(text) == ("First words of a very long talk filler", "middle and the very last words of it.")


def test_a_short_note_quoted_whole_is_placed_though_its_words_are_few():
    index = SourceIndex("---\nsource: telegram\n---\nThe bees swarmed at noon.\n", "a.md")
    found = locate(index, "The bees swarmed at noon.", "The bees swarmed at noon.")
    assert found.found and found.lines == (4, 4)
    # Part of it is not the whole note: rule 5 still decides, and five common words are too few.
    assert not locate(index, "The bees swarmed", "").found
    # And a short note's whole text is no place for a quote of something else.
    other = SourceIndex("The hens laid at noon.\n", "b.md")
    assert not locate(other, "The bees swarmed at noon.", "The bees swarmed at noon.").found
