"""A stand-in for the pulumi-aws provider plugin, backed by moto: a test double, never shipped.

The real engine loads it as the ``aws`` resource plugin in the end-to-end tests
only (see ``install.py``); what it does to AWS is ``tests/moto_aws.py``, and
``lambda_runner.py`` runs a Lambda function where AWS would (a rotation, a
schedule), since moto cannot.
"""
