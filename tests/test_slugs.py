from __future__ import annotations

import pytest

from notesmith.text.slugs import detect_language, language_of, slugify, transliterate, unique_slug


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Щука и ёж", "Shchuka i yozh"),
        ("Жизнь в Хабаровске", "Zhizn v Khabarovske"),
        ("Гетьман Київ", "Hetman Kyyiv"),  # Ukrainian: г is h, ї is yi
        ("Гарбуз і груша", "Harbuz i hrusha"),
        ("Беларуская мова ў Мінску", "Belaruskaya mova u Minsku"),
        ("Ελληνικά γράμματα", "Ellinika grammata"),
        ("Θάλασσα", "Thalassa"),
        ("Crème brûlée, Straße", "Creme brulee, Strasse"),
        ("Łódź Ørsted Æsir", "Lodz Orsted Aesir"),
        ("日本語 and العربية", " and "),
        ("plain ASCII 123", "plain ASCII 123"),
    ],
)
def test_transliterate(text: str, expected: str) -> None:
    assert transliterate(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How a Data Engineer Can Move to AI", "how-a-data-engineer-can-move-to-ai"),
        ("Курсы по Claude Code", "kursy-po-claude-code"),
        ("Ελληνική σαλάτα", "elliniki-salata"),
        ("Café à l'école", "cafe-a-lecole"),
        ("  --Hello,   World!--  ", "hello-world"),
        ("Don't panic", "dont-panic"),
        ("日本語", "untitled"),
        ("", "untitled"),
        ("!!!", "untitled"),
        ("one two three four five six seven eight nine ten",
         "one-two-three-four-five-six-seven-eight"),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_cuts_at_word_boundary_within_max_len() -> None:
    slug = slugify("alpha beta gamma delta epsilon", max_len=17)
    assert slug == "alpha-beta-gamma"
    assert slugify("x" * 100, max_len=10) == "x" * 10


def test_slugify_respects_max_words() -> None:
    assert slugify("a b c d", max_words=2) == "a-b"


@pytest.mark.parametrize(
    ("slug", "taken", "expected"),
    [
        ("notes", [], "notes"),
        ("notes", ["other"], "notes"),
        ("notes", ["notes"], "notes-2"),
        ("notes", ["Notes"], "notes-2"),
        ("notes", ["NOTES", "notes-2"], "notes-3"),
        ("notes", ["notes", "Notes-2", "NOTES-3"], "notes-4"),
        ("notes-2", ["notes"], "notes-2"),
    ],
)
def test_unique_slug_is_case_insensitive(slug: str, taken: list[str], expected: str) -> None:
    assert unique_slug(slug, taken) == expected


def test_unique_slug_accepts_any_iterable() -> None:
    assert unique_slug("a", (name for name in ["A", "a-2"])) == "a-3"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Это просто заметка о том, что я сделал вчера", "ru"),
        ("Це український текст, і він має літери", "uk"),
        ("Гэта беларускі тэкст пра ўсё", "be"),
        ("This is a note about what I did yesterday", "en"),
        ("Das ist nicht der Garten, den ich kenne", "de"),
        ("Le chat est dans la maison avec les enfants", "fr"),
        ("El perro está en la casa con los niños", "es"),
        ("Я использую Claude Code и Codex каждый день", "ru"),
        ("Καλημέρα κόσμε", "el"),
        ("今日はいい天気です", "ja"),
        ("今天天气很好", "zh"),
        ("오늘 날씨가 좋아요", "ko"),
        ("", "en"),
        ("12345", "en"),
        ("Про jaxn", "ru"),  # one Russian word beside a Latin name: Russian
        ("Смотри https://example.com/how-it-works-in-the-garden-and-the-house", "ru"),  # not the URL's words
        ("Notiz: https://example.org/o-que-e-a-casa-e-o-povo-de-um-lugar", "en"),  # URL words are no language
        ("Thanks!", "en"),  # too little text: the default
    ],
)
def test_language_of(text: str, expected: str) -> None:
    assert language_of(text) == expected


@pytest.mark.parametrize("text", ["", "https://example.com/o-que-e-a-casa", "Thanks!", "Mira, Sam", "@lena #bees"])
def test_too_little_text_takes_the_workspace_language(text: str) -> None:
    assert detect_language(text) is None
    assert language_of(text, "de") == "de"


def test_a_few_latin_names_do_not_make_russian_text_english() -> None:
    text = "Я поставил Claude Code, Codex и GitHub Copilot и сравнил их на одной задаче"
    assert language_of(text) == "ru"
    assert language_of("We compared три tools for a week, and Codex won the first round") == "en"
