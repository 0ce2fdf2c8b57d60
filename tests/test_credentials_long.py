"""Long texts are searched around likely spots only; nothing may slip through that way."""

from notesmith.inputs.credentials import find_credentials, redact

FILLER = "Мы перенесли компостные ящики ближе к воротам, чтобы грузовик мог подъехать.\n" * 5000


def test_credentials_deep_in_a_long_text_are_found():
    text = FILLER + "the router Password: hunter2xyz\n" + FILLER + "key sk-abcdefghijklmnopqrstuvwx\n"
    found = find_credentials(text)
    assert [kind for _, kind in found] == ["password", "api-key"]
    assert found[0][0] == 5001
    assert "hunter2xyz" not in redact(text) and "sk-abcdefghijklmnopqrstuvwx" not in redact(text)


def test_a_private_key_spanning_lines_in_a_long_text_is_found():
    key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc\n-----END RSA PRIVATE KEY-----\n"
    assert [kind for _, kind in find_credentials(FILLER + key + FILLER)] == ["private-key"]


def test_a_long_text_without_credentials_gives_nothing():
    assert find_credentials(FILLER * 2) == []
