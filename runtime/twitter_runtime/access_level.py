"""The Access Token's permission level: what was declared against what X reports.

X fixes an Access Token's permission when the token is generated, from the
App's permission setting at that moment; changing the setting later does not
change tokens already issued. So every fix here ends in "regenerate the Access
Token pair", and a mismatch in either direction fails: a token with less than
declared breaks the service at its first write, one with more than declared
carries power nobody asked for.
"""

from __future__ import annotations

from .keys import ACCESS_LEVELS

#: What the portal's "App permissions" radio buttons call each level.
PORTAL_PERMISSIONS = {
    "read": "Read",
    "read-write": "Read and write",
    "read-write-directmessages": "Read and write and Direct message",
}


def access_level_mismatch(label: str, declared: str, reported: str) -> str | None:
    """``None`` when X reports the declared level; otherwise what is wrong and the fix."""
    if reported == declared:
        return None
    fix = (
        f"in the developer portal set the App's permissions (User authentication settings) to "
        f"'{PORTAL_PERMISSIONS.get(declared, declared)}', then regenerate the Access Token and Secret "
        "(tokens keep the permission they were generated with) and store the new pair"
    )
    if not reported:
        return (
            f"{label}: X did not report the Access Token's permission level (no x-access-level header), so "
            f"access_level {declared} cannot be checked; check it in the developer portal, or remove "
            "access_level (or verify) from the settings"
        )
    if reported not in ACCESS_LEVELS:
        return f"{label}: X reported an unknown permission level for the Access Token; expected {declared}"
    if ACCESS_LEVELS.index(reported) < ACCESS_LEVELS.index(declared):
        return f"{label}: the Access Token was issued with {reported} access, but access_level is {declared}: {fix}"
    return (
        f"{label}: the Access Token was issued with {reported} access, more than access_level {declared}: "
        f"{fix}; or, if the service needs {reported}, set access_level: {reported}"
    )
