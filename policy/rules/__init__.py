"""The pack's rules as plain functions over a resource's type and properties: no pulumi-policy
import, so each is tested without Pulumi (``tests/test_policy_rules.py``) and ``__main__.py``
only wires them up. Nothing here imports this repository's other folders: a published pack
carries only its own folder.
"""
