"""CDK assertions on the inference stack: endpoints, containers, timeouts, scaling, tags, IAM, logical IDs."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from tests.stacks.conftest import Synth


def _resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return dict(template.find_resources(kind))


def _model_env(template: Template, logical_prefix: str) -> dict[str, Any]:
    models = {
        k: v
        for k, v in _resources(template, "AWS::SageMaker::Model").items()
        if k.startswith(f"{logical_prefix}Model")
    }
    assert len(models) == 1, models.keys()
    return dict(next(iter(models.values()))["Properties"]["PrimaryContainer"]["Environment"])


def test_endpoint_names_instance_types_and_timeouts(synth: Synth) -> None:
    t = synth.default["inference"]
    t.resource_count_is("AWS::SageMaker::Endpoint", 3)
    t.has_resource_properties("AWS::SageMaker::Endpoint", {"EndpointName": "demo-llm-qwen3-8b"})
    t.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("^VolumeKey"), "Arn"]},
            "ProductionVariants": [
                {
                    "InstanceType": "ml.inf2.xlarge",
                    "InitialInstanceCount": 2,
                    "VariantName": "AllTraffic",
                    # No precompiled artifacts: Neuron compiles at start-up, so the maximum is allowed.
                    "ContainerStartupHealthCheckTimeoutInSeconds": 3600,
                    "ModelDataDownloadTimeoutInSeconds": 1800,
                    "VolumeSizeInGB": 82,  # 8.19B x 2 B = 16.38 GB -> ceil(3 x 16.38) + 32
                    "ModelName": Match.any_value(),
                    "InitialVariantWeight": 1,
                }
            ],
        },
    )


def test_precompiled_artifacts_shorten_timeouts_and_isolate_network(synth: Synth) -> None:
    t = synth.full["inference"]
    t.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "ProductionVariants": [
                Match.object_like(
                    {
                        "InstanceType": "ml.inf2.48xlarge",
                        "ContainerStartupHealthCheckTimeoutInSeconds": 1200,
                        "ModelDataDownloadTimeoutInSeconds": 3600,
                    }
                )
            ]
        },
    )
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "EnableNetworkIsolation": True,
            "PrimaryContainer": Match.object_like(
                {
                    "ModelDataSource": {
                        "S3DataSource": {
                            "S3Uri": "s3://my-neuron-artifacts/llama3-70b/tp24-bs4/",
                            "S3DataType": "S3Prefix",
                            "CompressionType": "None",
                        }
                    },
                }
            ),
        },
    )
    t.has_resource_properties(
        "AWS::SageMaker::EndpointConfig",
        {
            "ProductionVariants": [
                Match.object_like(
                    {
                        "ContainerStartupHealthCheckTimeoutInSeconds": 600,
                        "ModelDataDownloadTimeoutInSeconds": 600,
                        "VolumeSizeInGB": 100,
                    }
                )
            ]
        },
    )


def test_vllm_preset_environment_and_image(synth: Synth) -> None:
    t = synth.default["inference"]
    assert _model_env(t, "Endpointqwen38b") == {
        "SM_ON_MODEL": "Qwen/Qwen3-8B",
        "SM_ON_TENSOR_PARALLEL_SIZE": "2",
        "SM_ON_BATCH_SIZE": "4",
        "SM_ON_SEQUENCE_LENGTH": "4096",
    }
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "PrimaryContainer": Match.object_like(
                {
                    "Image": {
                        "Fn::Join": [
                            "",
                            [
                                "763104351884.dkr.ecr.us-east-1.",
                                {"Ref": "AWS::URLSuffix"},
                                "/huggingface-vllm-inference-neuronx:0.11.0-optimum0.4.5-neuronx-py310-sdk2.26.1-ubuntu22.04",
                            ],
                        ]
                    }
                }
            )
        },
    )


def test_compile_at_startup_passes_the_bare_serve_flag(synth: Synth) -> None:
    # The vLLM DLC entrypoint turns an empty SM_ON_ALLOW_NON_CACHED_MODEL into `--allow_non_cached_model`.
    env = _model_env(synth.full["inference"], "Endpointvllm")
    assert env["SM_ON_ALLOW_NON_CACHED_MODEL"] == ""
    assert "SM_ON_ALLOW_NON_CACHED_MODEL" not in _model_env(synth.default["inference"], "Endpointqwen38b")


def test_tgi_preset_environment_reads_artifacts_and_token_by_reference(synth: Synth) -> None:
    env = _model_env(synth.full["inference"], "Endpointtgiprecompiled")
    assert env == {
        "HF_MODEL_ID": "/opt/ml/model",
        "HF_NUM_CORES": "24",
        "HF_AUTO_CAST_TYPE": "fp16",
        "MAX_BATCH_SIZE": "4",
        "MAX_INPUT_TOKENS": "2048",
        "MAX_TOTAL_TOKENS": "4096",
        "HF_TOKEN": "{{resolve:secretsmanager:infersave/hf-token:SecretString:HF_TOKEN}}",
    }


def test_custom_image_keeps_its_uri_and_environment(synth: Synth) -> None:
    t = synth.full["inference"]
    assert _model_env(t, "Endpointcustom") == {"MY_SETTING": "on"}
    t.has_resource_properties(
        "AWS::SageMaker::Model",
        {
            "PrimaryContainer": Match.object_like(
                {"Image": "111122223333.dkr.ecr.us-east-1.amazonaws.com/my-neuron-server:1.4"}
            )
        },
    )
    t.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": [
                                    "ecr:BatchCheckLayerAvailability",
                                    "ecr:BatchGetImage",
                                    "ecr:GetDownloadUrlForLayer",
                                ],
                                "Resource": {
                                    "Fn::Join": [
                                        "",
                                        [
                                            "arn:",
                                            {"Ref": "AWS::Partition"},
                                            ":ecr:us-east-1:111122223333:repository/my-neuron-server",
                                        ],
                                    ]
                                },
                            }
                        )
                    ]
                )
            }
        },
    )


def test_scalable_target_policy_and_schedules(synth: Synth) -> None:
    t = synth.default["inference"]
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalableTarget",
        {
            "ResourceId": "endpoint/demo-llm-qwen3-8b/variant/AllTraffic",
            "ScalableDimension": "sagemaker:variant:DesiredInstanceCount",
            "ServiceNamespace": "sagemaker",
            "MinCapacity": 2,
            "MaxCapacity": 4,
            "RoleARN": Match.object_like(
                {
                    "Fn::Join": [
                        "",
                        Match.array_with(
                            [
                                Match.string_like_regexp(
                                    "AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint"
                                )
                            ]
                        ),
                    ]
                }
            ),
            "ScheduledActions": [
                {
                    "ScheduledActionName": "OffHoursDown",
                    "Schedule": "cron(0 20 ? * MON-FRI *)",
                    "Timezone": "Europe/Berlin",
                    "ScalableTargetAction": {"MinCapacity": 1, "MaxCapacity": 4},
                },
                {
                    "ScheduledActionName": "OffHoursUp",
                    "Schedule": "cron(0 7 ? * MON-FRI *)",
                    "Timezone": "Europe/Berlin",
                    "ScalableTargetAction": {"MinCapacity": 2, "MaxCapacity": 4},
                },
            ],
        },
    )
    # Target derived from the batch size: floor(4 x 0.75) = 3 concurrent requests per model.
    t.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {
                    "PredefinedMetricType": "SageMakerVariantConcurrentRequestsPerModelHighResolution"
                },
                "TargetValue": 3,
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 900,
            },
        },
    )
    # No extra role: scaling runs through the service-linked role.
    assert not [k for k in _resources(t, "AWS::IAM::Role") if k.startswith("Autoscaling")]


def test_invocations_metric_uses_the_configured_target(synth: Synth) -> None:
    synth.full["inference"].has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "TargetTrackingScalingPolicyConfiguration": Match.object_like(
                {
                    "PredefinedMetricSpecification": {
                        "PredefinedMetricType": "SageMakerVariantInvocationsPerInstance"
                    },
                    "TargetValue": 20,
                }
            )
        },
    )


def test_tags_on_endpoint_and_every_resource(synth: Synth) -> None:
    t = synth.full["inference"]
    t.has_resource_properties(
        "AWS::SageMaker::Endpoint",
        {
            "EndpointName": "fullcfg-vllm",
            "Tags": Match.array_with(
                [
                    # CloudFormation tags come sorted by key.
                    {"Key": "infersave:baseline-capacity-ratio", "Value": "0.5"},
                    {"Key": "infersave:baseline-instance-type", "Value": "ml.g5.12xlarge"},
                    {"Key": "infersave:capacity-ratio-source", "Value": "assumed"},
                    {"Key": "infersave:endpoint", "Value": "fullcfg-vllm"},
                    {"Key": "infersave:project", "Value": "fullcfg"},
                    {"Key": "owner", "Value": "tests"},
                    {"Key": "team", "Value": "search"},
                ]
            ),
        },
    )
    for kind in (
        "AWS::SageMaker::Model",
        "AWS::SageMaker::EndpointConfig",
        "AWS::KMS::Key",
        "AWS::IAM::Role",
        "AWS::ApplicationAutoScaling::ScalableTarget",
    ):
        for logical_id, resource in _resources(t, kind).items():
            keys = {tag["Key"] for tag in resource["Properties"].get("Tags", [])}
            assert "infersave:project" in keys, (kind, logical_id)


def test_execution_role_is_least_privilege(synth: Synth) -> None:
    t = synth.full["inference"]
    for logical_id, policy in _resources(t, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert all("*" not in action for action in actions), (logical_id, actions)
            if statement["Resource"] == "*":
                # APIs without resource-level permissions (Service Authorization Reference).
                assert set(actions) <= {
                    "ecr:GetAuthorizationToken",
                    "cloudwatch:PutMetricData",
                    "application-autoscaling:DescribeScalableTargets",
                    "xray:PutTraceSegments",
                    "xray:PutTelemetryRecords",
                }, (logical_id, actions)
    t.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Action": "s3:GetObject",
                                "Resource": {
                                    "Fn::Join": [
                                        "",
                                        [
                                            "arn:",
                                            {"Ref": "AWS::Partition"},
                                            ":s3:::my-neuron-artifacts/llama3-70b/tp24-bs4/*",
                                        ],
                                    ]
                                },
                            }
                        ),
                        Match.object_like(
                            {
                                "Action": "s3:ListBucket",
                                "Condition": {"StringLike": {"s3:prefix": ["llama3-70b/tp24-bs4/*"]}},
                            }
                        ),
                    ]
                )
            }
        },
    )
    t.has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_logical_ids_of_stateful_resources_are_stable(synth: Synth) -> None:
    t = synth.default["inference"]
    assert set(_resources(t, "AWS::SageMaker::Endpoint")) == {
        "Endpointqwen38bEndpoint9BDF8008",
        "Endpointzephyr7bEndpoint5961E970",
        "Endpointqwen38bb32Endpoint453DFAF0",
    }
    assert set(_resources(t, "AWS::KMS::Key")) == {"VolumeKeyB3FBD601", "CompileArtifactsKeyC281B8D1"}
    # The gates keep theirs for the endpoint's life; targets carry the instance type (a new type: a new target).
    # zephyr-7b and qwen3-8b-b32 serve through inference components: no variant target, so no gate; a copy-count
    # target per component (qwen3-8b-b32 shares its instance with a second model).
    assert set(_resources(t, "Custom::ScalingGate")) == {"Autoscalingqwen38bGate585535DC"}
    targets = _resources(t, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert {k for k, v in targets.items() if v["Properties"]["ResourceId"].startswith("endpoint/")} == {
        "Autoscalingqwen38bTargetmlinf2xlarge7B4D30BD"
    }
    assert {
        k: v["Properties"]["ResourceId"]
        for k, v in targets.items()
        if v["Properties"]["ResourceId"].startswith("inference-")
    } == {
        "Autoscalingzephyr7bTargetzephyr7b562C630A": "inference-component/demo-llm-zephyr-7b",
        "Autoscalingqwen38bb32Targetqwen38bb32ED7FDA40": "inference-component/demo-llm-qwen3-8b-b32",
        "Autoscalingqwen38bb32Targetqwen317b980AFF4F": "inference-component/demo-llm-qwen3-8b-b32-qwen3-1-7b",
    }


def test_scaling_gate_precedes_the_endpoint_and_targets_are_retained(synth: Synth) -> None:
    t = synth.default["inference"]
    gates = _resources(t, "Custom::ScalingGate")
    properties = dict(gates["Autoscalingqwen38bGate585535DC"]["Properties"])
    function_id, attribute = properties.pop("ServiceToken")["Fn::GetAtt"]
    assert function_id.startswith("ScalingGateFunction") and attribute == "Arn"
    assert properties == {
        "ServiceTimeout": "600",
        "ResourceId": "endpoint/demo-llm-qwen3-8b/variant/AllTraffic",
        "InstanceType": "ml.inf2.xlarge",
    }
    # Deleting an endpoint's gate deregisters its target, so the gate itself must not be retained.
    assert all(g["DeletionPolicy"] == "Delete" for g in gates.values())
    endpoints = _resources(t, "AWS::SageMaker::Endpoint")
    assert endpoints["Endpointqwen38bEndpoint9BDF8008"]["DependsOn"] == ["Autoscalingqwen38bGate585535DC"]
    for kind in ("AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy"):
        for logical_id, resource in _resources(t, kind).items():
            if not logical_id.startswith("Autoscalingqwen38bTarget"):
                continue  # the gate's retention rule is for variant targets (the other two use components)
            assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain", logical_id
            # Registered only once the endpoint is updated.
            assert resource["DependsOn"][0].startswith("Endpoint"), logical_id
    policies = _resources(t, "AWS::ApplicationAutoScaling::ScalingPolicy")
    names = [
        p["Properties"]["PolicyName"] for k, p in policies.items() if k.startswith("Autoscalingqwen38bTarget")
    ]
    assert len(names) == 1 and all("mlinf2" in name for name in names), names  # a new type: a new policy name


def test_scaling_gate_function_may_only_describe_and_deregister(synth: Synth) -> None:
    t = synth.default["inference"]
    policy = next(p for k, p in _resources(t, "AWS::IAM::Policy").items() if k.startswith("ScalingGateRole"))
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    by_action = {
        a: s for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert by_action["application-autoscaling:DescribeScalableTargets"]["Resource"] == "*"
    deregister = by_action["application-autoscaling:DeregisterScalableTarget"]["Resource"]
    assert "scalable-target/*" in str(deregister)
    assert not [a for a in by_action if a.startswith(("sagemaker:", "iam:"))]
    function = next(
        f for k, f in _resources(t, "AWS::Lambda::Function").items() if k.startswith("ScalingGate")
    )
    assert function["Properties"]["Handler"] == "lambdas.scaling_gate.handler.lambda_handler"


def test_local_target_drops_only_the_bootstrap_rule(synth: Synth) -> None:
    assert "CheckBootstrapVersion" in synth.default["inference"].to_json().get("Rules", {})
    assert "CheckBootstrapVersion" not in synth.full["inference"].to_json().get("Rules", {})


def test_grant_invoke_allows_only_this_endpoint(synth: Synth) -> None:
    synth.full["inference"].has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("^TestInvoker")}],
            "PolicyDocument": {
                "Statement": [
                    {
                        "Action": ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
                        "Effect": "Allow",
                        "Resource": {
                            "Fn::Join": [
                                "",
                                [
                                    "arn:",
                                    {"Ref": "AWS::Partition"},
                                    ":sagemaker:us-east-1:123456789012:endpoint/fullcfg-vllm",
                                ],
                            ]
                        },
                    }
                ],
                "Version": "2012-10-17",
            },
        },
    )


def test_execution_role_trusts_sagemaker_of_this_account_and_region_only(synth: Synth) -> None:
    # Confused-deputy prevention for SageMaker inference: aws:SourceArn arn:<partition>:sagemaker:<region>:
    # <account>:* (ArnLike) and aws:SourceAccount (SageMaker developer guide, security-confused-deputy-prevention).
    roles = {
        logical_id: role
        for logical_id, role in synth.full["inference"].find_resources("AWS::IAM::Role").items()
        if role["Properties"].get("Description", "").startswith("SageMaker execution role of endpoint")
    }
    assert roles
    for role in roles.values():
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": "123456789012"},
            "ArnLike": {
                "aws:SourceArn": {
                    "Fn::Join": [
                        "",
                        ["arn:", {"Ref": "AWS::Partition"}, ":sagemaker:us-east-1:123456789012:*"],
                    ]
                }
            },
        }
