"""Pulumi components that provision X (Twitter) credentials into AWS Secrets Manager."""

from .args import TwitterAppCredentialsArgs, TwitterProjectApp, TwitterProjectAppArgs, TwitterProjectArgs
from .credentials import TwitterAppCredentials
from .project import TwitterProject

__all__ = [
    "TwitterAppCredentials",
    "TwitterAppCredentialsArgs",
    "TwitterProject",
    "TwitterProjectApp",
    "TwitterProjectAppArgs",
    "TwitterProjectArgs",
]
