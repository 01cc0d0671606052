"""Extensions that let moto 5.2.5 stand in for AWS in infersave's demo and tests.

Each module closes one measured gap of moto 5.2.5 (see the facts sheet and docs/architecture.md) and is
written so it could be offered upstream: it extends moto's own backends, it does not fake answers.
``install()`` applies them all; it is idempotent and changes no other behaviour of moto.

CloudFormation resource types moto 5.2.5 skips and the emulator adds (each a ``CloudFormationModel``
backed by the service's moto backend, created on stack create, deleted on stack delete, updated in place or
replaced on stack update; the plumbing they share is the :class:`emulator.cfn_model.CfnResource` mixin):

- ``AWS::ApplicationAutoScaling::ScalableTarget`` (with ``ScheduledActions``), ``...::ScalingPolicy``
  (target tracking, step scaling): :mod:`emulator.autoscaling`
- ``AWS::Budgets::Budget`` (with ``NotificationsWithSubscribers``, and CreateBudget's limits of five
  notifications, one SNS and ten e-mail subscribers each): :mod:`emulator.budgets`
- ``AWS::Scheduler::Schedule``, ``AWS::Scheduler::ScheduleGroup``: :mod:`emulator.scheduler`
- ``AWS::SNS::TopicPolicy``, ``AWS::SNS::Subscription`` (created in the topic's region given by ``Region``, as
  cross-region subscriptions are; and ``Tags`` on ``AWS::SNS::Topic``): :mod:`emulator.sns`
- ``AWS::S3::BucketPolicy``: :mod:`emulator.s3`
- ``AWS::CloudWatch::Alarm``: :mod:`emulator.cloudwatch`
- ``AWS::SageMaker::InferenceComponent``, with the inference-component API moto lacks (Create, Describe, Update,
  UpdateRuntimeConfig, Delete, List: AWS's refusals, copies placed on the variant's instances), the
  ``sagemaker:inference-component:DesiredCopyCount`` scaling dimension, and the components with their tags in the
  tagging API's GetResources: :mod:`emulator.inference_components`
- Lambda-backed custom resources (``Custom::*``, ``AWS::CloudFormation::CustomResource``): moto sends only the
  Create, through Docker, without waiting; here Create/Update/Delete run the deployed function's handler from
  its code zip and layers in a child process (:mod:`emulator.lambda_process`, needs the server) and its
  SUCCESS/FAILED answer decides the resource (:mod:`emulator.custom_resources`)

Types moto 5.2.5 creates wrongly, fixed in place: ``AWS::SageMaker::Endpoint`` / ``EndpointConfig`` /
``Model`` names, and endpoints whose Hugging Face Neuron container could not start (a configuration outside the
Neuron cache, no compile flag, no precompiled artifacts) go to ``Failed`` with the container's message, on
CreateEndpoint and through CloudFormation (:mod:`emulator.sagemaker`); a resource that ends failed fails the
stack, which rolls back (``ROLLBACK_COMPLETE`` / ``UPDATE_ROLLBACK_COMPLETE``; moto had no failure path)
(:mod:`emulator.cloudformation`); ``AWS::Lambda::LayerVersion`` ``Ref``, ``Layers`` and ``Tags`` on
``AWS::Lambda::Function``, ``KeyPolicy`` and ``Tags`` (Key/Value -> TagKey/TagValue) of ``AWS::KMS::Key``
(:mod:`emulator.awslambda`);
``AWS::S3::Bucket`` applies ``VersioningConfiguration``, ``PublicAccessBlockConfiguration``,
``LifecycleConfiguration``, ``OwnershipControls`` and ``LoggingConfiguration`` besides moto's encryption and
tags, and PutBucketLogging to a target with ACLs disabled leaves the permission to its bucket policy
(:mod:`emulator.s3`). DeleteChangeSet of a missing change set answers success as in AWS instead of HTTP 500;
ExecuteChangeSet refreshes the stack's outputs and exports and resolves ``Fn::ImportValue``, so ``cdk deploy``
works without ``--method=direct``; stack updates and deletes run in CloudFormation's order (dependencies first,
resources whose references changed updated, removed and replaced resources deleted in the cleanup phase,
``DeletionPolicy``/``UpdateReplacePolicy`` ``Retain`` honoured), any failing resource (a custom resource that
answers FAILED, an UpdateEndpoint SageMaker refuses) fails the operation, which rolls back, and a failed delete
leaves the stack ``DELETE_FAILED`` (:mod:`emulator.cloudformation`); CreateStack, UpdateStack and
CreateChangeSet refuse a template over CloudFormation's quotas (500 resources, 200 outputs, parameters or
mappings, 1 MB) with ``ValidationError`` (:mod:`emulator.cfn_quotas`). ``AWS::SageMaker::Endpoint`` updates in place through UpdateEndpoint
(``RetainAllVariantProperties`` kept), and replaced models and endpoint configs wait for the cleanup
(:mod:`emulator.sagemaker`).

API behaviour changed to match AWS (not CloudFormation): SageMaker CreateEndpoint refuses a name that exists
(any case) instead of replacing the endpoint, and UpdateEndpoint (missing in moto) is refused when it changes
the instance type of, or removes, a variant registered as a scalable target (:mod:`emulator.sagemaker`);
DeregisterScalableTarget deletes the target's policies and scheduled actions and answers
``ObjectNotFoundException`` for a missing target (:mod:`emulator.autoscaling`); the Resource Groups Tagging
API's AddTags path
replaces the value of an existing key instead of appending a duplicate, and TagResources / UntagResources
accept 1-20 ARNs per call (:mod:`emulator.tagging`); S3 object requests on a bucket with a policy evaluate only
the policy's statements without a ``Condition`` (moto refused every request once any statement had one, e.g.
the ``aws:SecureTransport`` deny of TLS-only buckets), so conditional denies are not enforced locally
(:mod:`emulator.s3`). Service Quotas answers the SageMaker ``<instance type> for endpoint usage`` quotas
(defaults from a bundled, dated table; 0 for ``ml.inf2.*`` as in new accounts), ListServiceQuotas with the
applied values, and RequestServiceQuotaIncrease, approved at once, which is how an account's quotas are set
locally (:mod:`emulator.servicequotas`). Athena GetQueryResults pages the queued rows by ``MaxResults`` (at most
1,000) with a ``NextToken``, where moto returned them whole (:mod:`emulator.athena`). CloudWatch GetMetricData
refuses more than 500 queries per call with ``ValidationError`` and answers each query from its own metric's data
points, namespace included (moto matched dimensions and name in any namespace, and scanned every stored point
for each period of each query), PutMetricData more than 1,000 metrics with
``InvalidParameterValue`` (:mod:`emulator.cloudwatch`). Under managed instance scaling an inference-component
endpoint's ``CurrentInstanceCount`` follows its placed copies, down to ``MinInstanceCount`` (0: scaled to zero),
where moto kept ``InitialInstanceCount`` (:mod:`emulator.inference_components`).
``CreateProcessingJob`` is validated against the constraints of SageMaker's API model
(required members, enums such as the processing instance types, lengths, ranges, patterns) and
``DescribeProcessingJob`` keeps ``ProcessingResources`` and ``Environment`` (:mod:`emulator.sagemaker`).
The SageMaker runtime answers InvokeEndpoint and InvokeEndpointWithResponseStream for InService endpoints in
the wire format of their container (vLLM's OpenAI-compatible body with ``usage``, TGI's ``details``; streams as
``PayloadPart`` events), refuses unknown or not-InService endpoints and bodies above 6 MiB, serves an inference
component with ``InferenceComponentName`` (its model, one container per copy; AWS's ``ValidationError`` and a
``NoCapacityInvocationFailures`` datapoint at zero copies; unknown components and another endpoint's refused),
and times every answer with a performance model per instance type in virtual time, deterministic under a seed
(:mod:`emulator.sagemaker_runtime`, :mod:`emulator.runtime_model`; modelled, not measured).
Budgets' ``CalculatedSpend.ActualSpend``, which AWS computes from the bill and moto fixes at ``"0"``, is set
with :func:`emulator.budgets.set_actual_spend` (in-process) so DescribeBudget reports a breach the way AWS
would (:mod:`emulator.budgets`). :mod:`emulator.inprocess` (used explicitly by tests and benchmarks, not by ``install()``)
turns in-process moto's ``NotImplementedError`` into an HTTP 501 answer.

Measured to work natively in moto 5.2.5 (create, ``Ref`` / ``Fn::GetAtt``, delete), left alone:
``AWS::IAM::Role``, ``AWS::IAM::Policy``, ``AWS::Lambda::Function`` (apart from layers and tags),
``AWS::Lambda::Permission``, ``AWS::Logs::LogGroup``, ``AWS::Events::Rule`` with targets,
``AWS::CloudWatch::Dashboard``, ``AWS::KMS::Key`` (apart from the policy), ``AWS::SNS::Topic`` (apart from
tags; ``KmsMasterKeyId`` kept), ``AWS::SSM::Parameter``.

Not closed: ``AWS::CE::AnomalyMonitor`` / ``AWS::CE::AnomalySubscription`` stay skipped (with moto's warning):
moto 5.2.5's Cost Explorer backend has no anomaly monitors or subscriptions to back them, and an emulator
that invented them would fake answers. An ``Fn::GetAtt`` on them in template ``Outputs`` fails moto's output
validation, so keep them out of ``Outputs``.
"""

from __future__ import annotations

from emulator import (
    athena,
    autoscaling,
    awslambda,
    budgets,  # noqa: F401
    cfn_quotas,
    cloudformation,
    cloudwatch,
    custom_resources,
    inference_components,
    s3,
    sagemaker,
    sagemaker_runtime,
    scheduler,  # noqa: F401
    servicequotas,
    sns,
    tagging,
)

_installed = False


def install() -> None:
    """Apply every extension to the moto package loaded in this process (idempotent)."""
    global _installed  # noqa: PLW0603 - process-wide, like moto's own backends
    if _installed:
        return
    sagemaker.install()
    inference_components.install()
    sagemaker_runtime.install()
    autoscaling.install()
    awslambda.install()
    sns.install()
    s3.install()
    tagging.install()
    athena.install()
    cloudwatch.install()
    servicequotas.install()
    custom_resources.install()
    cfn_quotas.install()
    cloudformation.install()  # last: makes moto's CloudFormation see the types defined above
    _installed = True
