"""Keeps the HTTP and AWS libraries' own loggers quiet, whatever the root logger's level.

At DEBUG, ``oauthlib`` and ``requests_oauthlib`` log signature base strings
(with the API Key and Access Token), ``urllib3`` logs request URLs (a bearer
token being invalidated travels in one) and ``botocore`` logs request and
response bodies (whole secret values). A Lambda with ``AWS_LAMBDA_LOG_LEVEL=DEBUG``
or a service with ``logging.basicConfig(level=logging.DEBUG)`` would write
them all to its logs. Everything that handles keys calls ``keep_quiet()``.
"""

from __future__ import annotations

import logging

#: Libraries whose DEBUG (and INFO) records can carry key material.
NOISY = (
    "oauthlib",
    "requests_oauthlib",
    "urllib3",
    "requests",
    "botocore",
    "boto3",
    "s3transfer",
    "aws_secretsmanager_caching",
    "tweepy",  # logs request headers, Authorization included, at DEBUG
)


def keep_quiet(level: int = logging.WARNING) -> None:
    """Raise each noisy library's logger to ``level`` (WARNING): their errors still show."""
    for name in NOISY:
        logger = logging.getLogger(name)
        if logger.level < level:
            logger.setLevel(level)
