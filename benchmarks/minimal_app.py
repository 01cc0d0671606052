"""The synth-time floor: a one-topic CDK app, same toolchain, no cdk-nag."""

import aws_cdk as cdk
from aws_cdk import aws_sns as sns

app = cdk.App()
stack = cdk.Stack(app, "Minimal")
sns.Topic(stack, "Topic")
app.synth()
