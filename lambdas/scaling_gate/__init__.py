"""Scaling gate: the CloudFormation custom resource that lets an endpoint change instance type in one deploy.

SageMaker refuses an UpdateEndpoint that changes the instance type of a variant registered as an Application
Auto Scaling scalable target ("Update endpoints that use auto scaling", SageMaker developer guide). The gate
sits before the endpoint in the stack (the endpoint depends on it): when its ``InstanceType`` property changes
it deregisters the variant's scalable target, so the endpoint update that follows is allowed; the stack then
registers a new target (its logical id carries the instance type). See ``stacks/scaling_gate.py``.

Runtime code only. Modules: ``handler`` (Lambda entry point, always answers CloudFormation), ``request``
(the custom resource request and what to do about it, pure), ``response`` (the answer to the ResponseURL,
with retries), ``aws`` (Application Auto Scaling reads and writes).
"""
