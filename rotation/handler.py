"""Secrets Manager rotation for an X app's bearer token (the four-step protocol).

Deployed by TwitterAppCredentials with ``bearer_rotation``. The bearer token
is the one X credential that can be replaced without a human: X keeps one per
app and hands out the same one until it is invalidated, so createSecret
invalidates the current token and asks for a new one. Every step is safe to
run twice. Logs name steps and versions, never a value.

Environment:
  CREDENTIALS_SECRET_ARN  the app's main secret (read only: the consumer pair and the
                          owner's access token pair, which signs the invalidation)
  X_API_BASE_URL          default https://api.x.com
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
from botocore.exceptions import ClientError

from twitter_runtime.credentials import TwitterCredentials
from twitter_runtime.keys import CREDENTIAL_FIELDS
from twitter_runtime.logs import keep_quiet
from twitter_runtime.xapi import (
    XApiClient,
    XApiError,
    XBearerRejectedError,
    XConsumerRejectedError,
    XRateLimitedError,
)

logger = logging.getLogger(__name__)
logger.setLevel(logging.INFO)
keep_quiet()  # even with AWS_LAMBDA_LOG_LEVEL=DEBUG: their DEBUG records carry keys

CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"
#: testSecret waits out a rate limit this short (the function times out at 300 s).
MAX_RATE_LIMIT_WAIT_SECONDS = 90


class PendingTokenDeadError(RuntimeError):
    """The AWSPENDING token died at X before it became AWSCURRENT; the rotation was healed and stops.

    Secrets Manager reattempts a failed rotation with the same version, whose value
    cannot change: retrying would test the same dead token forever. So the function
    stores the app's live token as AWSCURRENT itself, takes AWSPENDING off the dead
    version (the next rotation starts afresh) and fails this one, so that the
    RotationFailed event tells someone that the token was changed outside the rotation.
    """


def lambda_handler(event: dict[str, Any], context: Any) -> None:
    rotation = BearerRotation(
        boto3.client("secretsmanager"),
        XApiClient.for_host(),
        os.environ["CREDENTIALS_SECRET_ARN"],
    )
    rotation.run(event["SecretId"], event["ClientRequestToken"], event["Step"])


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ResourceNotFoundException"


class BearerRotation:
    def __init__(
        self, secrets: Any, x: XApiClient, credentials_arn: str, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.secrets = secrets
        self.x = x
        self.credentials_arn = credentials_arn
        self.sleep = sleep

    def run(self, arn: str, token: str, step: str) -> None:
        steps = {
            "createSecret": self.create_secret,
            "setSecret": self.set_secret,
            "testSecret": self.test_secret,
            "finishSecret": self.finish_secret,
        }
        if step not in steps:
            raise ValueError(f"unknown rotation step {step!r}")
        metadata = self.secrets.describe_secret(SecretId=arn)
        if not metadata.get("RotationEnabled"):
            raise ValueError(f"{arn}: rotation is not enabled")
        versions = metadata.get("VersionIdsToStages", {})
        if token not in versions:
            raise ValueError(f"{arn}: version {token} is not a version of this secret")
        if CURRENT in versions[token]:
            logger.info("%s: version %s is already AWSCURRENT; nothing to do", step, token)
            if step == "finishSecret" and PENDING in versions[token]:
                self._drop_pending(arn, token)  # a finishSecret that stopped between its two calls
            return
        if PENDING not in versions[token]:
            raise ValueError(f"{arn}: version {token} is not AWSPENDING")
        logger.info("%s: %s version %s", step, arn, token)
        steps[step](arn, token)

    # --- the four steps -----------------------------------------------------------------------

    def create_secret(self, arn: str, token: str) -> None:
        if self._bearer(arn, token=token) is not None:
            logger.info("createSecret: version %s already holds a new token", token)
            return
        current = self._bearer(arn, stage=CURRENT) or ""
        creds = self._app_credentials()
        if not current:
            # First rotation: the secret holds the placeholder, but X may already have handed
            # a token out. Fetch it, so it is invalidated like any other.
            current = self.x.issue_bearer(creds.consumer_key, creds.consumer_secret)
            logger.info("createSecret: no token stored yet; fetched the app's current one to replace it")
        try:
            self.x.invalidate_bearer(creds, current)
            logger.info("createSecret: invalidated the AWSCURRENT token at X")
        except XConsumerRejectedError:
            # X no longer knows it: a previous attempt invalidated it already.
            logger.info("createSecret: X does not know the AWSCURRENT token (already invalidated)")
        new = self.x.issue_bearer(creds.consumer_key, creds.consumer_secret)
        if new == current:
            # X hands out the same token until it is invalidated: so it was not.
            raise RuntimeError(
                f"{arn}: X returned the same bearer token, so it was not invalidated; check that the main "
                "secret's access token belongs to the app's owner (oauth2/invalidate_token requires it)"
            )
        self.secrets.put_secret_value(
            SecretId=arn,
            ClientRequestToken=token,
            SecretString=json.dumps({"bearer_token": new}),
            VersionStages=[PENDING],
        )
        logger.info("createSecret: stored the new token as AWSPENDING version %s", token)

    def set_secret(self, arn: str, token: str) -> None:
        # X changed the token when it issued it: there is no other system to update.
        logger.info("setSecret: nothing to do for version %s", token)

    def test_secret(self, arn: str, token: str) -> None:
        pending = self._bearer(arn, token=token)
        if not pending:
            raise ValueError(f"{arn}: version {token} holds no token to test")
        try:
            self._check(pending)
        except XBearerRejectedError:
            self._heal(arn, token, pending, "testSecret")
        logger.info("testSecret: X accepts the token of version %s", token)

    def _check(self, bearer: str) -> None:
        try:
            self.x.check_bearer(bearer)
        except XRateLimitedError as error:
            # The old token is already dead: a short wait beats failing the rotation.
            wait = (error.reset_at - datetime.now(UTC)).total_seconds() + 1 if error.reset_at else None
            if wait is None or wait > MAX_RATE_LIMIT_WAIT_SECONDS:
                raise
            logger.info("rate limited; waiting %.0f s for the reset", wait)
            self.sleep(max(wait, 0.0))
            self.x.check_bearer(bearer)

    def _heal(self, arn: str, token: str, pending: str, step: str) -> None:
        """X rejected the pending token: keep it if X was only wrong once, else store X's live token.

        ``oauth2/token`` hands out the app's valid token, a new one when none is valid. If
        that is the pending token, the 401 was X's passing fault and the rotation goes on.
        Otherwise someone invalidated the pending token (another rotation, a person in the
        portal, X itself) and the live token goes straight to AWSCURRENT, under a version id
        derived from the rotation's and the token's digest, so a retry finds it and writes nothing.
        """
        creds = self._app_credentials()
        live = self.x.issue_bearer(creds.consumer_key, creds.consumer_secret)
        self._check(live)
        if live == pending:
            logger.info("%s: X rejected the token once, then accepted it", step)
            return
        digest = hashlib.sha256(live.encode()).hexdigest()
        healed = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{arn}#{token}#{digest}"))
        versions = self.secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
        if healed not in versions:
            self.secrets.put_secret_value(
                SecretId=arn,
                ClientRequestToken=healed,
                SecretString=json.dumps({"bearer_token": live}),
                VersionStages=[CURRENT],
            )
        elif CURRENT not in versions[healed]:
            self._move_current(arn, healed, versions, step)
        logger.info("%s: stored the app's live token as AWSCURRENT version %s", step, healed)
        self._drop_pending(arn, token)
        raise PendingTokenDeadError(
            f"{arn}: X no longer accepts the AWSPENDING token of version {token}: it was invalidated outside "
            f"this rotation (another rotation, the developer portal, or X). AWSCURRENT now holds the app's live "
            f"token (version {healed}), which X accepts; this rotation stops here and the next one starts "
            "afresh. If nobody changed the token on purpose, check who can call oauth2/invalidate_token."
        )

    def finish_secret(self, arn: str, token: str) -> None:
        versions = self.secrets.describe_secret(SecretId=arn)["VersionIdsToStages"]
        pending = self._bearer(arn, token=token)
        if pending:
            # It may have died since testSecret; AWSCURRENT must never become a dead token.
            # Only X's definite "rejected" counts: a busy X here does not undo a passed test.
            try:
                self.x.check_bearer(pending)
            except XBearerRejectedError:
                self._heal(arn, token, pending, "finishSecret")
            except XApiError as error:
                logger.info(
                    "finishSecret: could not re-check the token (%s); testSecret passed", type(error).__name__
                )
        self._move_current(arn, token, versions, "finishSecret")
        if PENDING in versions.get(token, []):
            self._drop_pending(arn, token)

    def _move_current(self, arn: str, token: str, versions: dict[str, list[str]], step: str) -> None:
        current = next((v for v, stages in versions.items() if CURRENT in stages), None)
        if current != token:
            move: dict[str, Any] = {"SecretId": arn, "VersionStage": CURRENT, "MoveToVersionId": token}
            if current is not None:
                move["RemoveFromVersionId"] = current
            self.secrets.update_secret_version_stage(**move)
            logger.info("%s: AWSCURRENT moved from %s to %s", step, current, token)

    def _drop_pending(self, arn: str, token: str) -> None:
        self.secrets.update_secret_version_stage(
            SecretId=arn, VersionStage=PENDING, RemoveFromVersionId=token
        )
        logger.info("AWSPENDING removed from %s", token)

    # --- reads ----------------------------------------------------------------------------------

    def _bearer(self, arn: str, *, token: str | None = None, stage: str | None = None) -> str | None:
        kwargs: dict[str, Any] = {"SecretId": arn}
        if token:
            kwargs.update(VersionId=token, VersionStage=PENDING)
        else:
            kwargs.update(VersionStage=stage)
        try:
            value = self.secrets.get_secret_value(**kwargs)["SecretString"]
        except ClientError as error:
            if _missing(error):
                return None
            raise
        token_value = json.loads(value).get("bearer_token")
        return token_value if isinstance(token_value, str) else None

    def _app_credentials(self) -> TwitterCredentials:
        value = self.secrets.get_secret_value(SecretId=self.credentials_arn, VersionStage=CURRENT)[
            "SecretString"
        ]
        keys = json.loads(value)
        return TwitterCredentials(**{f: keys[f] for f in CREDENTIAL_FIELDS}, source=self.credentials_arn)
