from __future__ import annotations

import pytest

from notesmith.text.slugs import language_of, slugify, title_from_text, transliterate, unique_slug


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
        ("So, um, I was thinking about the weekly review process today. More.",
         "I was thinking about the weekly review process"),
        ("А вот я сейчас думаю, давай начнём новую статью. Вторая фраза.",
         "Я сейчас думаю давай начнём новую статью"),
        ("ну короче, курсы по Python!", "Курсы по Python"),
        ("Hi! Let me tell you about gardening in spring",
         "Let me tell you about gardening in spring"),
        ("# Release notes\n\nfor version two", "Release notes for version two"),
        ("check https://example.com/page this link", "Check this link"),
        ("Der Garten im Frühling ist schön.", "Der Garten im Frühling ist schön"),
        ("", "Untitled"),
        ("...", "Untitled"),
    ],
)
def test_title_from_text(text: str, expected: str) -> None:
    assert title_from_text(text) == expected


def test_title_from_text_unwraps_hard_wrapped_lines_and_cuts_words() -> None:
    text = "this sentence was\nwrapped at a narrow\ncolumn by the recorder and goes on"
    assert title_from_text(text, max_words=6) == "This sentence was wrapped at a"


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
    ],
)
def test_language_of(text: str, expected: str) -> None:
    assert language_of(text) == expected
