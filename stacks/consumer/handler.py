"""Example Lambda handler: reads the app's keys from the secret whose ARN the stack wired in.

Only boto3 is used, since the Lambda Python runtime ships it; a container
image would use ``twitter_runtime.load_credentials`` (with caching) instead.
Nothing here logs or returns a key.
"""

import json
import os

import boto3

_client = boto3.client("secretsmanager")


def handler(event, context):
    value = _client.get_secret_value(SecretId=os.environ["TWITTER_SECRET_ARN"])["SecretString"]
    keys = json.loads(value)
    # e.g. tweepy.Client(**keys) here; the access token's prefix is the user id it acts for.
    return {"acting_user_id": keys["access_token"].split("-", 1)[0]}
