"""Pulumi components that provision X (Twitter) credentials into AWS Secrets Manager."""

from .credentials import TwitterAppCredentials, TwitterAppCredentialsArgs
from .project import TwitterProject, TwitterProjectArgs

__all__ = [
    "TwitterAppCredentials",
    "TwitterAppCredentialsArgs",
    "TwitterProject",
    "TwitterProjectArgs",
]
