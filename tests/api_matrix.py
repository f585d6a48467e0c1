"""The access matrix every read-only endpoint shares, asserted the same way in each file."""

from tests.conftest import API_PERSONAS

# Reading is open to all; a write to a read-only endpoint is refused by who asks, then by method.
WRITE_REFUSAL = {
    "anonymous": 401,
    "read_token": 403,
    "write_token": 405,
    "rapporteur": 405,
    "curator": 405,
}


def assert_read_only_for_everyone(api_as, persona: str, url: str):
    assert persona in API_PERSONAS
    client = api_as(persona)

    read = client.get(url)
    write = client.post(url, {}, format="json")

    assert read.status_code == 200
    assert read["ETag"]
    assert write.status_code == WRITE_REFUSAL[persona]
