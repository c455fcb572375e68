"""An App's X credentials: their canonical form, fingerprint and validation.

Pure functions with no Pulumi or AWS import, so the Pulumi component, the
rotation Lambda, the CLI and consumer services all judge keys by one copy of
the rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping

from .errors import InvalidInputError, prefixed

#: The four OAuth 1.0a keys every secret holds: the keyword arguments of ``tweepy.Client``
#: (``TwitterCredentials.as_dict()`` gives exactly these, also when the secret holds more).
CREDENTIAL_FIELDS: tuple[str, ...] = (
    "consumer_key",
    "consumer_secret",
    "access_token",
    "access_token_secret",
)

#: The App's OAuth 2.0 client, for services that run OAuth 2.0 user flows: optional, and the
#: secret only for confidential clients (a public client has an id alone).
OAUTH2_CLIENT_FIELDS: tuple[str, ...] = ("client_id", "client_secret")
#: Every key field a secret may hold. The App's own fields (the API Key pair and the OAuth 2.0
#: client) are shared by all its user accounts; the Access Token pair belongs to one account.
KEY_FIELDS: tuple[str, ...] = (*CREDENTIAL_FIELDS, *OAUTH2_CLIENT_FIELDS)
APP_FIELDS: tuple[str, ...] = ("consumer_key", "consumer_secret", *OAUTH2_CLIENT_FIELDS)
ACCOUNT_FIELDS: tuple[str, ...] = ("access_token", "access_token_secret")
#: X's ``x-access-level`` values: the permission an Access Token was issued with.
ACCESS_LEVELS: tuple[str, ...] = ("read", "read-write", "read-write-directmessages")
#: Not a key: the declared permission level, stored beside the keys so a service can see it.
ACCESS_LEVEL_FIELD = "access_level"
#: Every JSON key a stored value may have, in no particular order (the value is sorted).
STORED_FIELDS: tuple[str, ...] = (*KEY_FIELDS, ACCESS_LEVEL_FIELD)

#: What the developer portal calls each field, used in hints.
PORTAL_NAMES: Mapping[str, str] = {
    "consumer_key": "API Key",
    "consumer_secret": "API Key Secret",
    "access_token": "Access Token",
    "access_token_secret": "Access Token Secret",
    "client_id": "OAuth 2.0 Client ID",
    "client_secret": "OAuth 2.0 Client Secret",
}

#: Lengths the portal usually issues. X's own examples vary, so a different
#: length only earns a warning.
USUAL_LENGTHS: Mapping[str, int] = {
    "consumer_key": 25,
    "consumer_secret": 50,
    "access_token_secret": 45,
}

FINGERPRINT_HEX_CHARS = 16

#: Shorter than anything X issues: placeholders (changeme, xxx, test), never real keys. X's docs and
#: real keys show API Keys of 21 to 25 characters, both secrets of 40 to 50, and an Access Token's
#: part after the dash of 30 or more (user ids are 1 to 19 digits).
MINIMUM_LENGTHS: Mapping[str, int] = {
    "consumer_key": 21,
    "consumer_secret": 40,
    "access_token": 30,  # the part after the dash
    "access_token_secret": 40,
    # X's Client IDs are 34 characters (Base64 of '<id>:1:ci'), Client Secrets 50.
    "client_id": 20,
    "client_secret": 40,
}
#: Secrets Manager's limit for one value.
SECRET_VALUE_MAX_BYTES = 65536

_ALNUM = re.compile(r"[A-Za-z0-9]+")
_ACCESS_TOKEN = re.compile(r"[0-9]{1,19}-[A-Za-z0-9]+")
# OAuth 2.0 client ids and secrets are URL-safe Base64: letters, digits, '-' and '_'.
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
# An OAuth 2.0 app-only Bearer Token starts with a long run of 'A's.
_BEARER_PREFIX = "AAAAAAAAAAAAAAAAAAAA"


def given_fields(values: Mapping[str, object]) -> list[str]:
    """The four required key fields, and each optional one (the OAuth 2.0 client) that is set."""
    return [f for f in KEY_FIELDS if f in CREDENTIAL_FIELDS or values.get(f) is not None]


def canonical_payload(credentials: Mapping[str, str | None]) -> str:
    """Serialize the stored fields that are set, sorted and compact.

    One byte-exact form makes the fingerprint and the stored value stable, so
    re-running the program writes nothing new; an app with only the four
    OAuth 1.0a keys serializes exactly as before the optional fields existed.
    """
    return json.dumps(
        {field: credentials[field] for field in STORED_FIELDS if credentials.get(field) is not None},
        sort_keys=True,
        separators=(",", ":"),
    )


def fingerprint(payload: str) -> str:
    """A short, non-reversible summary that audits use to see keys change."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:FINGERPRINT_HEX_CHARS]


def _field_problem(field: str, value: object) -> str | None:
    """Describe what is wrong with one value without ever quoting it."""
    portal = PORTAL_NAMES[field]
    if value is None:
        return f"{field} is missing; set it to the app's {portal} from the developer portal"
    if not isinstance(value, str):
        return f"{field} must be a string, got {type(value).__name__}"
    if value == "":
        return f"{field} is empty; set it to the app's {portal} from the developer portal"
    if value != value.strip():
        return (
            f"{field} has leading or trailing whitespace or a newline "
            "(a common copy-paste slip); set it again without it"
        )
    if len(value.encode("utf-8")) > SECRET_VALUE_MAX_BYTES:
        return f"{field} is longer than Secrets Manager's 64 KiB limit for a value; it is not the {portal}"
    if field == "access_token":
        if not _ACCESS_TOKEN.fullmatch(value):
            return (
                f"{field} is not in the form <numeric user id>-<letters and digits>; "
                f"copy the {portal} from the developer portal"
            )
        return None
    if value.startswith(_BEARER_PREFIX):
        return f"{field} looks like an app-only Bearer Token; this field needs the {portal}"
    if field in OAUTH2_CLIENT_FIELDS:
        if not _URL_SAFE.fullmatch(value):
            return (
                f"{field} contains characters other than A-Z, a-z, 0-9, '-' and '_'; copy the {portal} "
                "from the App's User authentication settings again"
            )
        return None
    if _ACCESS_TOKEN.fullmatch(value):
        return (
            f"{field} looks like an Access Token (digits, '-', then letters); this field needs the {portal}"
        )
    if not _ALNUM.fullmatch(value):
        return f"{field} contains characters other than A-Z, a-z and 0-9; copy the {portal} again"
    return None


def _length_problem(field: str, value: str) -> str | None:
    """Shorter than anything X issues: a placeholder such as changeme, xxx or test."""
    portal = PORTAL_NAMES[field]
    counted = value.split("-", 1)[1] if field == "access_token" else value
    if len(counted) >= MINIMUM_LENGTHS[field]:
        return None
    what = "the part after the dash has" if field == "access_token" else "it has"
    return (
        f"{field} is too short for an {portal} ({what} fewer than {MINIMUM_LENGTHS[field]} characters): "
        f"a placeholder? Copy the {portal} from the developer portal"
    )


def credential_problems(credentials: Mapping[str, object]) -> list[str]:
    """Every problem with one app's credential set, field by field.

    The four OAuth 1.0a keys are required; the OAuth 2.0 client is optional,
    its secret only together with its id.
    """
    problems: list[str] = []
    unknown = [i for i, name in enumerate(credentials, start=1) if name not in KEY_FIELDS]
    if unknown:
        # Named by position: a field "name" can be a key pasted in the wrong place.
        problems.append(
            f"credential field(s) number {', '.join(map(str, unknown))} (in the order given) are not known; "
            f"valid fields are {', '.join(KEY_FIELDS)}"
        )
    present = given_fields(credentials)
    bad = set()
    for field in present:
        problem = _field_problem(field, credentials.get(field))
        if problem:
            problems.append(problem)
            bad.add(field)
    if credentials.get("client_secret") is not None and credentials.get("client_id") is None:
        problems.append(
            "client_secret is set without client_id; set client_id to the App's OAuth 2.0 Client ID too "
            "(a public client has a Client ID and no secret)"
        )
    # Two fields holding the same value means one was pasted twice.
    seen: dict[str, str] = {}
    for field in present:
        value = credentials.get(field)
        if field in bad or not isinstance(value, str):
            continue
        if value in seen:
            problems.append(
                f"{field} is the same as {seen[value]}; copy the {PORTAL_NAMES[field]} into {field}"
            )
            bad.add(field)
        else:
            seen[value] = field
    for field in present:
        value = credentials.get(field)
        if field not in bad and isinstance(value, str):
            problem = _length_problem(field, value)
            if problem:
                problems.append(problem)
    return problems


def length_warnings(credentials: Mapping[str, str]) -> list[str]:
    """Unusual lengths: worth a look, not worth failing a deployment."""
    warnings = []
    for field, usual in USUAL_LENGTHS.items():
        value = credentials.get(field)
        if isinstance(value, str) and len(value) != usual:
            warnings.append(
                f"{field} is {len(value)} characters; the developer portal usually issues "
                f"{usual} for the {PORTAL_NAMES[field]}. Check it was copied whole"
            )
    return warnings


def validate_credentials(label: str, credentials: Mapping[str, object]) -> dict[str, str]:
    """Return the key fields that are set if they are usable, else raise naming app and field."""
    problems = credential_problems(credentials)
    if problems:
        raise InvalidInputError(prefixed(label, problems))
    return {f: credentials[f] for f in KEY_FIELDS if credentials.get(f) is not None}  # type: ignore[misc]


def access_level_problem(value: object) -> str | None:
    """The declared access level, checked without quoting it (it sits beside the keys)."""
    if value is None or value in ACCESS_LEVELS:
        return None
    return (
        f"access_level must be one of {', '.join(ACCESS_LEVELS)} (X's x-access-level values: the App's "
        "permission when the Access Token was generated)"
    )


#: A shared run this long counts as part of a key: random 10-character runs
#: of letters and digits do not occur in names, tags or descriptions by chance.
FRAGMENT_CHARS = 10


def key_fragments(credentials: Mapping[str, str]) -> set[str]:
    """Every 10-character run of every key.

    The access token's numeric prefix is the public user id, so only the part
    after the '-' (and the runs that cross it) count.
    """
    fragments: set[str] = set()
    for field, value in credentials.items():
        if field not in KEY_FIELDS or not isinstance(value, str):
            continue  # access_level and other plain settings are not key material
        if field == "access_token" and "-" in value:
            value = value[value.index("-") - 1 :] if value.index("-") else value
        fragments.update(value[i : i + FRAGMENT_CHARS] for i in range(len(value) - FRAGMENT_CHARS + 1))
    return fragments


def text_fragments(text: str) -> set[str]:
    return {text[i : i + FRAGMENT_CHARS] for i in range(len(text) - FRAGMENT_CHARS + 1)}


def fields_containing_key_material(credentials: Mapping[str, str], texts: Mapping[str, str]) -> list[str]:
    """Names of non-secret texts that contain a key, or any part of one.

    A key pasted into an owner, tag or description would end up in plain
    text in state, tags and stack outputs; catching it here keeps it out.
    Linear in the text: set look-ups of every 10-character window.
    """
    fragments = key_fragments(credentials)
    return sorted(name for name, text in texts.items() if text_fragments(text) & fragments)
