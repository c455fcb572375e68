"""Wires the stack's config to the components; all logic lives in components/."""

import pulumi

from components import TwitterProject
from components.stack_config import load_projects, stack_outputs

projects = [
    TwitterProject(args["project"], args)
    for args in load_projects(pulumi.Config("twitter-secrets"), stack=pulumi.get_stack())
]

for name, value in stack_outputs(projects).items():
    pulumi.export(name, value)
