"""infra/: CloudFormation templates that pass cfn-lint and checkov and keep the promises of the design."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scloud_files.adapters.dynamodb import table_definition
from scloud_files.adapters.s3 import SERVER_SIDE_ENCRYPTION
from tests.deploy.templates import INFRA, ROOT, load_template, resources

# Every template in infra/, so a new stack is linted and scanned without being listed here.
TEMPLATES = sorted(INFRA.glob("*.yaml"))
CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"
SERVICES = {"Auth": ("auth", 8101, 9101), "Users": ("users", 8102, 9102), "Files": ("files", 8103, 9103)}
# CloudFormation's limit on a template sent in the request, as `aws cloudformation deploy
# --template-file` does without --s3-bucket (infra/README.md's commands).
INLINE_TEMPLATE_BYTES = 51_200
# Each linter takes seconds; a hung one fails the test instead of the run.
LINT_BOUND_SECONDS = 300

NETWORK, DATA, APP = load_template("network.yaml"), load_template("data.yaml"), load_template("services.yaml")


def allow_statements(role: dict) -> list[dict]:
    return [
        statement
        for policy in role.get("Policies", [])
        for statement in policy["PolicyDocument"]["Statement"]
        if statement["Effect"] == "Allow"
    ]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_cfn_lint_finds_nothing(template):
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), str(template)], capture_output=True, text=True, timeout=LINT_BOUND_SECONDS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_finds_nothing(tmp_path):
    assert CHECKOV.exists(), "run `make install` first"
    # --skip-download: the scan needs nothing from the vendor's platform and sends it nothing.
    command = [
        str(CHECKOV),
        "-d",
        str(INFRA),
        "--framework",
        "cloudformation",
        "--compact",
        "--quiet",
        "--skip-download",
    ]
    # Its grammar parser (lark) caches into the temporary folder and leaves it there.
    environment = {**os.environ, "TMPDIR": str(tmp_path)}
    result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=LINT_BOUND_SECONDS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_template_deploys_without_a_staging_bucket(template):
    assert len(template.read_bytes()) <= INLINE_TEMPLATE_BYTES


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_every_checkov_skip_says_why(template):
    text = template.read_text()
    skips = re.findall(r"checkov:skip=([^\n]*)", text)
    assert len(skips) == text.count("checkov:skip")
    for skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+:\S.{40,}", skip), skip


def test_tasks_run_in_private_subnets_behind_a_nat():
    subnets = resources(NETWORK, "AWS::EC2::Subnet")
    assert {"PrivateSubnetA", "PrivateSubnetB"} <= set(subnets)
    assert all(subnet["MapPublicIpOnLaunch"] is False for subnet in subnets.values())
    assert resources(NETWORK, "AWS::EC2::NatGateway")
    for service in resources(APP, "AWS::ECS::Service").values():
        network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
        assert network["AssignPublicIp"] == "DISABLED"
        assert "PrivateSubnets" in json.dumps(network["Subnets"])


def test_internet_facing_load_balancer_with_https_only():
    (balancer,) = resources(APP, "AWS::ElasticLoadBalancingV2::LoadBalancer").values()
    assert balancer["Scheme"] == "internet-facing"
    listeners = resources(APP, "AWS::ElasticLoadBalancingV2::Listener")
    https = next(listener for listener in listeners.values() if listener["Protocol"] == "HTTPS")
    assert https["Port"] == 443 and https["Certificates"] and https["SslPolicy"].startswith("ELBSecurityPolicy-TLS13")
    plain = next(listener for listener in listeners.values() if listener["Protocol"] == "HTTP")
    assert plain["DefaultActions"][0]["Type"] == "redirect"
    gateway = resources(APP, "AWS::ECS::Service")["GatewayService"]
    assert gateway["LoadBalancers"][0]["ContainerName"] == "gateway"


@pytest.mark.parametrize("key", SERVICES)
def test_services_publish_grpc_through_service_connect(key):
    name, http, grpc = SERVICES[key]
    task = resources(APP, "AWS::ECS::TaskDefinition")[f"{key}TaskDefinition"]
    ports = {p["Name"]: p for p in task["ContainerDefinitions"][0]["PortMappings"]}
    # Mutual TLS end to end: the proxy must not try to read the stream as plaintext HTTP/2.
    assert "AppProtocol" not in ports["grpc"] and ports["grpc"]["ContainerPort"] == grpc
    connect = resources(APP, "AWS::ECS::Service")[f"{key}Service"]["ServiceConnectConfiguration"]
    assert connect["Enabled"] is True
    grpc_entry = next(s for s in connect["Services"] if s["PortName"] == "grpc")
    assert grpc_entry["ClientAliases"] == [{"DnsName": name, "Port": grpc}]


def test_every_container_has_a_health_check_and_awslogs():
    for name, task in resources(APP, "AWS::ECS::TaskDefinition").items():
        for container in task["ContainerDefinitions"]:
            assert container["HealthCheck"]["Command"][0] == "CMD", name
            assert container["LogConfiguration"]["LogDriver"] == "awslogs", name
    for key, (_, _, grpc) in SERVICES.items():
        command = resources(APP, "AWS::ECS::TaskDefinition")[f"{key}TaskDefinition"]["ContainerDefinitions"][0][
            "HealthCheck"
        ]["Command"]
        assert command[-3:] == ["scloud_common.health_probe", SERVICES[key][0], f"127.0.0.1:{grpc}"]


def test_every_service_scales_on_cpu_by_target_tracking():
    services = set(resources(APP, "AWS::ECS::Service"))
    targets = resources(APP, "AWS::ApplicationAutoScaling::ScalableTarget")
    policies = resources(APP, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert {name.removesuffix("ScalableTarget") + "Service" for name in targets} == services
    assert all(p["PolicyType"] == "TargetTrackingScaling" for p in policies.values())
    assert len(policies) == len(services)


def test_execution_and_task_roles_are_separate_and_least_privilege():
    roles = resources(APP, "AWS::IAM::Role")
    for key in SERVICES:
        task = resources(APP, "AWS::ECS::TaskDefinition")[f"{key}TaskDefinition"]
        assert task["ExecutionRoleArn"] != task["TaskRoleArn"]
    for name, role in roles.items():
        assert "ManagedPolicyArns" not in role, name
        for statement in allow_statements(role):
            actions = as_list(statement["Action"])
            assert all(action != "*" and not action.endswith(":*") for action in actions), (name, actions)
            if statement["Resource"] == "*":
                # Not resource-scoped in IAM; needed to pull from ECR at all.
                assert actions == ["ecr:GetAuthorizationToken"], (name, actions)


def role_text(name: str) -> str:
    return json.dumps(resources(APP, "AWS::IAM::Role")[name])


def test_each_task_role_reaches_only_its_own_data():
    auth, users, files = role_text("AuthTaskRole"), role_text("UsersTaskRole"), role_text("FilesTaskRole")
    assert "SessionsTableArn" in auth and "UsersTableArn" not in auth and "s3:" not in auth
    assert "UsersTableArn" in users and "SessionsTableArn" not in users and "s3:" not in users
    assert "FilesTableArn" in files and "SessionsTableArn" not in files and "UsersTableArn" not in files
    (table_access,) = [
        s
        for s in allow_statements(resources(APP, "AWS::IAM::Role")["FilesTaskRole"])
        if "FilesTableArn" in json.dumps(s)
    ]
    # Its own table, and its indexes (the folder listings, search, the trash and the purge query them).
    assert [json.dumps(resource) for resource in table_access["Resource"]] == [
        json.dumps({"Fn::ImportValue": {"Fn::Sub": "${DataStack}-FilesTableArn"}}),
        json.dumps(
            {"Fn::Sub": ["${Table}/index/*", {"Table": {"Fn::ImportValue": {"Fn::Sub": "${DataStack}-FilesTableArn"}}}]}
        ),
    ]
    statements = allow_statements(resources(APP, "AWS::IAM::Role")["FilesTaskRole"])
    object_access = next(s for s in statements if "s3:GetObject" in s["Action"])
    assert object_access["Resource"]["Fn::Sub"][0] == "${Bucket}/users/*"
    listing = next(s for s in statements if s["Action"] == "s3:ListBucket")
    assert listing["Condition"]["StringLikeIfExists"]["s3:prefix"] == "users/*"


def test_only_auth_reads_the_signing_key_and_gets_it_as_a_secret():
    assert "secretsmanager" in role_text("AuthExecutionRole")
    assert "secretsmanager" not in role_text("ExecutionRole")
    auth = resources(APP, "AWS::ECS::TaskDefinition")["AuthTaskDefinition"]["ContainerDefinitions"][0]
    assert auth["Secrets"][0]["Name"] == "AUTH_JWT_PRIVATE_KEY"
    assert "JwtSigningKeyArn" in json.dumps(auth["Secrets"][0]["ValueFrom"])
    assert resources(DATA, "AWS::SecretsManager::Secret")


def test_only_files_reads_the_generated_object_key_secret_and_gets_it_as_a_secret():
    secret = DATA["Resources"]["ObjectKeySecret"]
    # Generated by the stack (no manual step) and kept: a new value would strand every object.
    assert secret["Properties"]["GenerateSecretString"]["PasswordLength"] >= 32
    assert secret["DeletionPolicy"] == secret["UpdateReplacePolicy"] == "Retain"
    readers = [
        role
        for role in ("AuthExecutionRole", "UsersExecutionRole", "FilesExecutionRole")
        if "ObjectKeySecretArn" in role_text(role)
    ]
    assert readers == ["FilesExecutionRole"]
    files = resources(APP, "AWS::ECS::TaskDefinition")["FilesTaskDefinition"]["ContainerDefinitions"][0]
    secrets = {entry["Name"]: json.dumps(entry["ValueFrom"]) for entry in files["Secrets"]}
    assert "ObjectKeySecretArn" in secrets["FILES_OBJECT_KEY_SECRET"]


@pytest.mark.parametrize("key", SERVICES)
def test_each_service_gets_only_its_own_grpc_certificate_as_secrets(key):
    name = SERVICES[key][0]
    task = resources(APP, "AWS::ECS::TaskDefinition")[f"{key}TaskDefinition"]
    container = task["ContainerDefinitions"][0]
    secrets = {secret["Name"]: json.dumps(secret["ValueFrom"]) for secret in container["Secrets"]}
    for setting, json_key in (("CA_CERT", "ca"), ("CERT", "cert"), ("KEY", "key")):
        assert f"{key}GrpcTlsSecretArn}}:{json_key}::" in secrets[f"{name.upper()}_GRPC_TLS_{setting}"]
    execution_role = task["ExecutionRoleArn"]["Fn::GetAtt"][0]
    readable = role_text(execution_role)
    assert f"{key}GrpcTlsSecretArn" in readable
    assert all(f"{other}GrpcTlsSecretArn" not in readable for other in SERVICES if other != key)


def test_bucket_is_encrypted_versioned_private_tls_only_and_cleans_up_uploads():
    bucket = resources(DATA, "AWS::S3::Bucket")["FilesBucket"]
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    # The same encryption the files service requests on every write.
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": SERVER_SIDE_ENCRYPTION}
    assert bucket["VersioningConfiguration"]["Status"] == "Enabled"
    assert all(bucket["PublicAccessBlockConfiguration"].values()) and len(bucket["PublicAccessBlockConfiguration"]) == 4
    rules = bucket["LifecycleConfiguration"]["Rules"]
    assert any(rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation") == 1 for rule in rules)
    policy = resources(DATA, "AWS::S3::BucketPolicy")["FilesBucketPolicy"]
    (deny,) = policy["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_bucket_lets_only_the_web_apps_origin_read_previews_and_put_upload_parts_across_origins():
    (rule,) = resources(DATA, "AWS::S3::Bucket")["FilesBucket"]["CorsConfiguration"]["CorsRules"]
    assert sorted(rule["AllowedMethods"]) == ["GET", "HEAD", "PUT"]
    # The browser completes a direct upload with each part's ETag and checksum, read from S3's answer.
    assert {"ETag", "x-amz-checksum-sha256"} <= set(rule["ExposedHeaders"])
    assert rule["AllowedOrigins"] == [{"Ref": "PublicOrigin"}]
    assert DATA["Parameters"]["PublicOrigin"]["AllowedPattern"] == APP["Parameters"]["PublicOrigin"]["AllowedPattern"]


def test_downloads_are_recorded_in_a_private_access_log_bucket():
    buckets = resources(DATA, "AWS::S3::Bucket")
    assert buckets["FilesBucket"]["LoggingConfiguration"]["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}
    logs = buckets["AccessLogsBucket"]
    assert all(logs["PublicAccessBlockConfiguration"].values()) and len(logs["PublicAccessBlockConfiguration"]) == 4
    (rule,) = logs["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
    statements = resources(DATA, "AWS::S3::BucketPolicy")["AccessLogsBucketPolicy"]["PolicyDocument"]["Statement"]
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"} and allow["Action"] == "s3:PutObject"
    assert allow["Condition"]["ArnLike"] == {"aws:SourceArn": {"Fn::GetAtt": ["FilesBucket", "Arn"]}}
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in statements
    )


def test_tables_are_on_demand_protected_recoverable_encrypted_with_ttl():
    tables = resources(DATA, "AWS::DynamoDB::Table")
    for table in tables.values():
        assert table["BillingMode"] == "PAY_PER_REQUEST"
        assert table["DeletionProtectionEnabled"] is True
        assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["SSESpecification"]["SSEEnabled"] is True
    assert tables["SessionsTable"]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}


def test_files_table_matches_the_services_definition_indexes_included():
    infra = resources(DATA, "AWS::DynamoDB::Table")["FilesTable"]
    service = table_definition("files")
    assert infra["KeySchema"] == service["KeySchema"]
    assert infra["AttributeDefinitions"] == service["AttributeDefinitions"]
    assert infra["GlobalSecondaryIndexes"] == service["GlobalSecondaryIndexes"]
    assert infra["TimeToLiveSpecification"] == {"AttributeName": "ttl", "Enabled": True}


def test_only_the_gateway_reaches_the_services_http_and_only_callers_their_grpc():
    groups = resources(APP, "AWS::EC2::SecurityGroup")
    ingress_rules = resources(APP, "AWS::EC2::SecurityGroupIngress")
    callers = {"Auth": {"Users", "Files"}, "Users": {"Auth", "Files"}, "Files": {"Users"}}
    for key, (_, http, grpc) in SERVICES.items():
        inline = groups[f"{key}SecurityGroup"]["SecurityGroupIngress"]
        assert inline == [
            {
                "IpProtocol": "tcp",
                "FromPort": http,
                "ToPort": http,
                "SourceSecurityGroupId": {"Ref": "GatewaySecurityGroup"},
                "Description": "HTTP API from the gateway",
            }
        ]
        grpc_sources = {
            rule["SourceSecurityGroupId"]["Ref"].removesuffix("SecurityGroup")
            for rule in ingress_rules.values()
            if rule["GroupId"] == {"Ref": f"{key}SecurityGroup"}
        }
        assert grpc_sources == callers[key]
        assert all(
            r["FromPort"] == grpc for r in ingress_rules.values() if r["GroupId"] == {"Ref": f"{key}SecurityGroup"}
        )
    gateway = groups["GatewaySecurityGroup"]["SecurityGroupIngress"]
    assert [rule["SourceSecurityGroupId"] for rule in gateway] == [{"Ref": "LoadBalancerSecurityGroup"}]
    for name, group in groups.items():
        if name != "LoadBalancerSecurityGroup":
            assert "0.0.0.0/0" not in json.dumps(group.get("SecurityGroupIngress", [])), name


# Every IAM action the code needs, from the boto3 calls under services/*/src (provisioning
# runs with the deployer's rights, not the task role's). Transactions need the actions of
# their parts: users' transact_write_items holds Put, Update and Delete, never ConditionCheck;
# files' holds ConditionChecks (the open account, the live parent).
CALLED_ACTIONS = {
    "AuthTaskRole": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:Query",
        "dynamodb:DescribeTable",
        "ses:SendEmail",
    },
    "UsersTaskRole": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:DescribeTable",
        "ses:SendEmail",
    },
    "FilesTaskRole": {
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:BatchWriteItem",
        "dynamodb:DescribeTable",
        "s3:PutObject",
        "s3:GetObject",
        "s3:DeleteObject",
        "s3:AbortMultipartUpload",
        "s3:ListBucket",
        # The owners' notices of files received through file requests.
        "ses:SendEmail",
    },
}


@pytest.mark.parametrize("role", CALLED_ACTIONS)
def test_task_roles_grant_exactly_the_calls_the_code_makes(role):
    # Less the metrics collector's own policy beside the code (tests/deploy/test_metrics_shipping.py).
    code_policies = [p for p in resources(APP, "AWS::IAM::Role")[role]["Policies"] if p["PolicyName"] != "ship-metrics"]
    granted = {
        action for statement in allow_statements({"Policies": code_policies}) for action in as_list(statement["Action"])
    }
    assert granted == CALLED_ACTIONS[role]


def test_service_connect_lets_an_upload_run_as_long_as_the_gateway_does():
    template = (ROOT / "gateway" / "scloud.conf.template").read_text()
    upload_location = template.split("location ~ ^/api/(v1/)?(files|shared-with-me/[^/]+)/upload$ {")[1].split(
        "\n    }"
    )[0]
    gateway_seconds = int(re.search(r"proxy_read_timeout (\d+)s;", upload_location).group(1))
    connect = resources(APP, "AWS::ECS::Service")["FilesService"]["ServiceConnectConfiguration"]
    http = next(entry for entry in connect["Services"] if entry["PortName"] == "http")
    assert http["Timeout"]["PerRequestTimeoutSeconds"] >= gateway_seconds >= 600


@pytest.mark.parametrize("key", SERVICES)
def test_services_believe_forwarded_headers_only_from_their_service_connect_proxy(key):
    name = SERVICES[key][0]
    container = resources(APP, "AWS::ECS::TaskDefinition")[f"{key}TaskDefinition"]["ContainerDefinitions"][0]
    environment = {entry["Name"]: entry["Value"] for entry in container["Environment"]}
    assert environment[f"{name.upper()}_FORWARDED_ALLOW_IPS"] == "127.0.0.1"


def test_auth_can_forget_failed_sign_ins_in_the_sessions_table():
    statements = allow_statements(resources(APP, "AWS::IAM::Role")["AuthTaskRole"])
    (sessions,) = [s for s in statements if "SessionsTableArn" in json.dumps(s["Resource"])]
    assert {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem"} <= set(as_list(sessions["Action"]))


def test_auth_accepts_cookie_requests_only_from_the_public_origin():
    auth = resources(APP, "AWS::ECS::TaskDefinition")["AuthTaskDefinition"]["ContainerDefinitions"][0]
    environment = {item["Name"]: item["Value"] for item in auth["Environment"]}
    assert environment["AUTH_ALLOWED_ORIGINS"] == {"Ref": "PublicOrigin"}
    assert APP["Parameters"]["PublicOrigin"]["AllowedPattern"].startswith("^https://")


@pytest.mark.parametrize(("role", "key"), [("AuthTaskRole", "Auth"), ("UsersTaskRole", "Users")])
def test_mailing_services_send_only_from_the_sender_and_link_to_the_public_origin(role, key):
    statements = allow_statements(resources(APP, "AWS::IAM::Role")[role])
    (mail,) = [s for s in statements if s["Action"] == "ses:SendEmail"]
    assert mail["Condition"]["StringEquals"]["ses:FromAddress"] == {"Ref": "MailSenderAddress"}
    name = SERVICES[key][0].upper()
    container = resources(APP, "AWS::ECS::TaskDefinition")[f"{key}TaskDefinition"]["ContainerDefinitions"][0]
    environment = {item["Name"]: item["Value"] for item in container["Environment"]}
    assert environment[f"{name}_PUBLIC_URL"] == {"Ref": "PublicOrigin"}
    assert "${MailSenderAddress}" in environment[f"{name}_MAIL_SENDER"]["Fn::Sub"]
