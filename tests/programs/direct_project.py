"""A user's own program that builds a TwitterProject from plain config ``test:project``."""

import pulumi

from components import TwitterProject

args = pulumi.Config("test").require_object("project")
project = TwitterProject("proj", args)
pulumi.export("apps", {name: app.secret_arn for name, app in project.apps.items()})
