from __future__ import annotations

import pytest

from notesmith.inputs.credentials import find_credentials, redact

# Built from parts so that secret scanners do not flag this file.
OPENAI = "sk-" + "proj-" + "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
GITHUB = "ghp" + "_" + "aB3cD4eF5gH6iJ7kL8mN9oP0qR1sT2uV3wX4"
GITHUB_PAT = "github" + "_pat_" + "11ABCDEFG0123456789_abcdefghijklmnop"
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
SLACK = "xoxb" + "-123456789012-abcdefghijKLMN"
GOOGLE = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"
JWT = (
    "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0"
    + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
)
PEM = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7\nq9Zk2L\n"
    + "-----END RSA " + "PRIVATE KEY-----"
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"my key is {OPENAI} ok", "api-key"),
        (f"OPENAI_API_KEY={OPENAI}", "api-key"),
        (f"token {GITHUB}", "github-token"),
        (GITHUB_PAT, "github-token"),
        (f"aws: {AWS}", "aws-access-key"),
        (SLACK, "slack-token"),
        (f"key={GOOGLE}", "google-api-key"),
        (PEM, "private-key"),
        (f"Authorization: {JWT}", "jwt"),
        ("api_key = 'Zx9Lm2Qp8Rt4Vb6Nc1Kd'", "secret-assignment"),
        ("auth_token: Zx9Lm2Qp8Rt4Vb6Nc1Kd", "secret-assignment"),
        ("Authorization: Bearer abcDEF123456ghiJKL789", "secret-assignment"),
        ("password: hunter2", "password"),
        ("Password - abc123", "password"),
        ("my password is hunter2!", "password"),
        ("PASSWORD=s3cr3t", "password"),
        ("password: xK9mz", "password"),
        ("пароль: qwerty123", "password"),
        ("Пароль от вайфая: kotik2020", "password"),
        ("пароль — kotik2020", "password"),
        ("Passwort = geheim", "password"),
        ("password for the router: Tr0ub4dor", "password"),
        ("db at postgres://admin:s3cretpw@db.local/app", "url-password"),
    ],
)
def test_finds_credential(text: str, kind: str) -> None:
    assert find_credentials(text) == [(1, kind)]


@pytest.mark.parametrize(
    "text",
    [
        "I forgot my password yesterday",
        "The password is strong",
        "Change your password: go to settings and press reset",
        "Password: forgotten again this morning",
        "the password-protected archive",
        "password: <your password here>",
        "password: ********",
        "пароль я так и не вспомнил",
        "Я забыл пароль от почты",
        "max_tokens: 4096",
        "token count: 1234567890123456",
        "commit a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 fixed it",
        "we use scikit-learn and task-abcdefghijklmnopqrstuvwxyz",
        "author: JohnSmith1234567890abc",
        "see https://github.com/user/repo and https://example.com/a:b",
        "Токены и ключи API мы храним в секретах GitHub",
        "",
    ],
)
def test_no_false_positive(text: str) -> None:
    assert find_credentials(text) == []
    assert redact(text) == text


def test_line_numbers_and_order() -> None:
    text = f"hello\n\npassword: hunter2\nnothing here\nkey {AWS}\n"
    assert find_credentials(text) == [(3, "password"), (5, "aws-access-key")]


def test_value_on_next_line_is_not_taken() -> None:
    assert find_credentials("password:\nThe meeting is at noon") == []


def test_redact_replaces_values_only() -> None:
    text = f"password: hunter2\nkey={OPENAI}\nthe rest stays"
    assert redact(text) == "password: [REDACTED]\nkey=[REDACTED]\nthe rest stays"


def test_redact_whole_private_key_block() -> None:
    text = f"before\n{PEM}\nafter"
    redacted = redact(text)
    assert redacted == "before\n[REDACTED]\nafter"
    assert find_credentials(text) == [(2, "private-key")]


def test_unterminated_private_key_redacts_to_end() -> None:
    text = "x\n-----BEGIN OPENSSH " + "PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n"
    assert redact(text) == "x\n[REDACTED]"


def test_overlapping_patterns_report_once() -> None:
    text = f"token: {JWT}"
    assert find_credentials(text) == [(1, "jwt")]
    assert redact(text) == "token: [REDACTED]"


def test_redacted_text_has_nothing_left() -> None:
    text = "\n".join([OPENAI, GITHUB, AWS, SLACK, GOOGLE, JWT, "password: hunter2"])
    assert find_credentials(redact(text)) == []


@pytest.mark.parametrize(
    "text",
    [
        "the wifi password is CorrectHorseBatteryStaple",
        "user admin, pass Tr0ub4dor&3",
        "пароль от почты — kotik2020",
        "Пароль от почты: KotikMurzik",
        "das Passwort für das WLAN ist Sommer2024!",
        "la contraseña del router es Perro123",
        "le mot de passe du wifi est Chat-2024",
        "mdp: Soleil2024",
        "clave: Gato#77",
    ],
)
def test_finds_passwords_said_in_passing_in_the_languages_notes_arrive_in(text: str) -> None:
    found = find_credentials(text)
    assert [kind for _, kind in found] == ["password"], text
    assert redact(text) != text and "[REDACTED]" in redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "pass the salt, please",
        "we had to pass it on to the next team",
        "the password is strong enough for now",
        "пароль от почты я забыл",
        "the pin is in the drawer",
        "la contraseña es segura",
    ],
)
def test_everyday_words_near_password_words_are_not_credentials(text: str) -> None:
    assert find_credentials(text) == [], text
