"""infra/services.yaml's metrics-collector sidecars: one beside every Python service, never in the
way of its task, scraping that service's metrics port, and declaring every SCloud metric and
dimension the alarms in infra/monitoring.yaml read (docs/decisions/0008-metrics-to-cloudwatch.md)."""

import json
import re

import pytest
import yaml

from tests.deploy.templates import ROOT, load_template, resources

APP, MONITORING = load_template("services.yaml"), load_template("monitoring.yaml")
TASKS = resources(APP, "AWS::ECS::TaskDefinition")
PYTHON_TASKS = {name: task for name, task in TASKS.items() if name != "GatewayTaskDefinition"}
CONFIG_PARAMETER = APP["Resources"]["MetricsCollectorConfig"]["Properties"]
COLLECTOR_IMAGE = {"Ref": "MetricsCollectorImage"}
# A standard-tier SSM parameter holds at most 4 KB.
STANDARD_PARAMETER_BYTES = 4096


def containers(task: dict) -> dict[str, dict]:
    return {container["Name"]: container for container in task["ContainerDefinitions"]}


def environment(container: dict) -> dict[str, object]:
    return {entry["Name"]: entry["Value"] for entry in container.get("Environment", [])}


def collector_of(task: dict) -> dict:
    (collector,) = [c for c in task["ContainerDefinitions"] if c["Image"] == COLLECTOR_IMAGE]
    return collector


def collector_config(env: dict[str, object]) -> dict:
    """The configuration as the collector reads it: ${env:NAME} from its environment, $$ as $."""
    text = CONFIG_PARAMETER["Value"]
    text = re.sub(r"(?<!\$)\$\{env:(\w+)\}", lambda m: str(env[m.group(1)]), text)
    return yaml.safe_load(text.replace("$$", "$"))


def relabel(labels: dict[str, str], rules: list[dict]) -> dict[str, str] | None:
    """Prometheus's metric_relabel_configs for the actions the configuration uses (replace, keep):
    regexes anchored at both ends, source values joined by `;`, $1 and ${1} in the replacement."""
    labels = dict(labels)
    for rule in rules:
        value = rule.get("separator", ";").join(labels.get(name, "") for name in rule["source_labels"])
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        action = rule.get("action", "replace")
        if action == "keep":
            if match is None:
                return None
        elif action == "replace":
            if match is not None:
                replacement = re.sub(r"\$\{(\d+)\}|\$(\d+)", r"\\\1\2", rule.get("replacement", "$1"))
                labels[rule["target_label"]] = match.expand(replacement)
        else:
            raise AssertionError(f"unexpected relabel action {action}")
    return labels


def exported(config: dict, name: str, labels: dict[str, str]) -> list[dict[str, str]]:
    """The CloudWatch metrics (namespace, name, dimensions) one scraped series becomes: relabelled,
    then matched against the awsemf exporter's metric declarations."""
    scrape = config["receivers"]["prometheus"]["config"]["scrape_configs"][0]
    (target,) = scrape["static_configs"]
    series = relabel({"__name__": name, **target["labels"], **labels}, scrape["metric_relabel_configs"])
    if series is None:
        return []
    family = re.sub(r"_(bucket|sum|count)$", "", name)
    emf = config["exporters"]["awsemf"]
    metrics = []
    for declaration in emf["metric_declarations"]:
        if not any(re.search(selector, family) for selector in declaration["metric_name_selectors"]):
            continue
        matchers = declaration.get("label_matchers", [])
        if matchers and not any(
            re.search(m["regex"], m.get("separator", ";").join(series.get(n, "") for n in m["label_names"]))
            for m in matchers
        ):
            continue
        for dimensions in declaration["dimensions"]:
            if all(dimension in series for dimension in dimensions):
                metrics.append(
                    {"Namespace": emf["namespace"], "MetricName": family}
                    | {dimension: series[dimension] for dimension in dimensions}
                )
    return metrics


def test_the_collector_image_is_a_parameter_pinned_to_a_release():
    parameter = APP["Parameters"]["MetricsCollectorImage"]
    assert re.fullmatch(r"public\.ecr\.aws/aws-observability/aws-otel-collector:v\d+\.\d+\.\d+", parameter["Default"])
    assert re.fullmatch(parameter["AllowedPattern"], parameter["Default"])


@pytest.mark.parametrize("name", PYTHON_TASKS)
def test_every_python_service_task_has_a_collector_that_never_stops_it(name):
    task = PYTHON_TASKS[name]
    service, collector = task["ContainerDefinitions"][0], collector_of(task)
    assert service["Essential"] is True and collector["Essential"] is False
    # The service never waits for the collector; the collector starts once the service has.
    assert "DependsOn" not in service
    assert collector["DependsOn"] == [{"ContainerName": service["Name"], "Condition": "START"}]
    assert collector["HealthCheck"]["Command"] == ["CMD", "/healthcheck"]
    assert collector["ReadonlyRootFilesystem"] is True
    # Small beside the service: an eighth of the task's CPU units, a fifth of its memory at most.
    assert collector["Cpu"] * 8 <= int(task["Cpu"]) and collector["Memory"] * 5 <= int(task["Memory"])
    assert (
        collector["LogConfiguration"]["Options"]["awslogs-group"]
        == service["LogConfiguration"]["Options"]["awslogs-group"]
    )
    assert collector["Secrets"] == [{"Name": "AOT_CONFIG_CONTENT", "ValueFrom": {"Ref": "MetricsCollectorConfig"}}]


def test_the_gateway_has_no_collector():
    assert all(c["Image"] != COLLECTOR_IMAGE for c in TASKS["GatewayTaskDefinition"]["ContainerDefinitions"])


@pytest.mark.parametrize("name", PYTHON_TASKS)
def test_the_collector_scrapes_its_own_services_metrics_port_on_loopback(name):
    task = PYTHON_TASKS[name]
    service, collector = task["ContainerDefinitions"][0], collector_of(task)
    ports = {mapping["Name"]: mapping["ContainerPort"] for mapping in service["PortMappings"]}
    prefix = service["Name"].upper()
    service_env, collector_env = environment(service), environment(collector)
    assert service_env[f"{prefix}_METRICS_PORT"] == str(ports["metrics"])
    # The image's own default agrees, so a task definition without the setting scrapes the same port.
    dockerfile = (ROOT / "services" / service["Name"] / "Dockerfile").read_text()
    assert f"{prefix}_METRICS_PORT={ports['metrics']}" in dockerfile
    config = collector_config(collector_env)
    (scrape,) = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    (target,) = scrape["static_configs"]
    assert target["targets"] == [f"127.0.0.1:{ports['metrics']}"]
    assert target["labels"] == {"Service": service["Name"]}


def test_the_configuration_fits_a_standard_parameter_and_runs_one_metrics_pipeline():
    assert CONFIG_PARAMETER["Tier"] == "Standard"
    assert len(CONFIG_PARAMETER["Value"].encode()) < STANDARD_PARAMETER_BYTES
    config = collector_config({"SCLOUD_SERVICE": "files", "SCLOUD_METRICS_PORT": "9203"})
    pipeline = config["service"]["pipelines"]["metrics"]
    assert pipeline == {
        "receivers": ["prometheus"],
        "processors": ["memory_limiter", "cumulativetodelta", "batch"],
        "exporters": ["awsemf"],
    }
    assert config["service"]["extensions"] == ["health_check"]
    # Only the rollups the alarms read: every extra dimension set is another billed metric.
    assert config["exporters"]["awsemf"]["dimension_rollup_option"] == "NoDimensionRollup"


def test_the_collector_writes_only_to_the_metrics_log_group_and_reads_only_its_configuration():
    config = collector_config({"SCLOUD_SERVICE": "auth", "SCLOUD_METRICS_PORT": "9201"})
    group = config["exporters"]["awsemf"]["log_group_name"]
    assert APP["Resources"]["MetricsLogGroup"]["Properties"]["LogGroupName"] == group
    roles = resources(APP, "AWS::IAM::Role")
    for name, task in PYTHON_TASKS.items():
        task_role = roles[task["TaskRoleArn"]["Fn::GetAtt"][0]]
        (policy,) = [p for p in task_role["Policies"] if p["PolicyName"] == "ship-metrics"]
        (statement,) = policy["PolicyDocument"]["Statement"]
        assert statement["Resource"]["Fn::Sub"].endswith(f":log-group:{group}:*"), name
        assert all(action.startswith("logs:") for action in statement["Action"]), name
        execution_role = json.dumps(roles[task["ExecutionRoleArn"]["Fn::GetAtt"][0]])
        assert "parameter/${AWS::StackName}/metrics-collector" in execution_role, name
    assert CONFIG_PARAMETER["Name"] == {"Fn::Sub": "/${AWS::StackName}/metrics-collector"}


@pytest.mark.parametrize(
    ("series", "labels", "expected"),
    [
        (
            "scloud_http_request_duration_seconds_count",
            {"method": "GET", "route": "/api/files/{file_id}", "status": "503"},
            [{"Service": "files"}, {"Service": "files", "status_class": "5xx"}],
        ),
        (
            "scloud_http_request_duration_seconds_count",
            {"method": "GET", "route": "/api/files/{file_id}", "status": "404"},
            [{"Service": "files"}, {"Service": "files", "status_class": "4xx"}],
        ),
        (
            "scloud_grpc_client_duration_seconds_count",
            {"method": "/scloud.auth.v1.AuthService/CheckSession", "code": "UNAVAILABLE"},
            [{"Service": "files", "unreachable_peer": "auth"}],
        ),
        (
            "scloud_grpc_client_duration_seconds_count",
            {"method": "/scloud.auth.v1.AuthService/GetPublicKeys", "code": "DEADLINE_EXCEEDED"},
            [{"Service": "files", "unreachable_peer": "auth"}],
        ),
        (
            "scloud_grpc_client_duration_seconds_count",
            {"method": "/scloud.auth.v1.AuthService/CheckSession", "code": "OK"},
            [],
        ),
        (
            "scloud_aws_call_duration_seconds_count",
            {"service": "sesv2", "operation": "SendEmail", "outcome": "MessageRejected"},
            [{"Service": "files", "mail": "failed"}],
        ),
        (
            "scloud_aws_call_duration_seconds_count",
            {"service": "sesv2", "operation": "SendEmail", "outcome": "ok"},
            [{"Service": "files", "mail": "sent"}],
        ),
        ("scloud_aws_call_duration_seconds_count", {"service": "s3", "operation": "PutObject", "outcome": "ok"}, []),
        ("scloud_grpc_server_duration_seconds_count", {"method": "/scloud.files.v1.FilesService/X", "code": "OK"}, []),
    ],
)
def test_series_become_the_cloudwatch_metrics_the_alarms_count(series, labels, expected):
    config = collector_config({"SCLOUD_SERVICE": "files", "SCLOUD_METRICS_PORT": "9203"})
    family = re.sub(r"_count$", "", series)
    assert exported(config, series, labels) == [
        {"Namespace": "SCloud", "MetricName": family} | dimensions for dimensions in expected
    ]


def scloud_alarm_metrics() -> list[tuple[str, dict, str]]:
    found = []
    for name, alarm in resources(MONITORING, "AWS::CloudWatch::Alarm").items():
        if "MetricName" in alarm:
            reads = [(alarm, alarm["Statistic"])]
        else:
            reads = [
                (q["MetricStat"]["Metric"], q["MetricStat"]["Stat"]) for q in alarm["Metrics"] if "MetricStat" in q
            ]
        for metric, stat in reads:
            if metric["Namespace"] == "SCloud":
                found.append((name, metric | {"Stat": stat}, stat))
    return found


def test_every_scloud_metric_an_alarm_reads_is_one_the_collector_produces():
    """Each alarm's metric, with each of its dimension values, comes out of some series the services
    really expose (scloud_common.metrics): the alarm is not waiting for a name nothing emits."""
    samples = (
        [
            ("scloud_http_request_duration_seconds_count", {"method": "POST", "route": "/api/x", "status": status})
            for status in ("200", "500")
        ]
        + [
            ("scloud_grpc_client_duration_seconds_count", {"method": f"/scloud.auth.v1.AuthService/{m}", "code": c})
            for m in ("CheckSession", "GetPublicKeys")
            for c in ("OK", "UNAVAILABLE", "DEADLINE_EXCEEDED")
        ]
        + [
            ("scloud_aws_call_duration_seconds_count", {"service": "sesv2", "operation": "SendEmail", "outcome": o})
            for o in ("ok", "ThrottlingException")
        ]
    )
    produced = []
    for service, port in (("auth", 9201), ("users", 9202), ("files", 9203)):
        config = collector_config({"SCLOUD_SERVICE": service, "SCLOUD_METRICS_PORT": str(port)})
        for series, labels in samples:
            produced.extend(exported(config, series, labels))
    alarms = scloud_alarm_metrics()
    assert alarms
    for name, metric, stat in alarms:
        wanted = {"Namespace": metric["Namespace"], "MetricName": metric["MetricName"]} | {
            d["Name"]: d["Value"] for d in metric["Dimensions"]
        }
        assert wanted in produced, name
        # Histograms become statistic sets: SampleCount is the number of requests or calls, Sum their seconds.
        assert stat == "SampleCount", name


def test_the_metrics_the_services_expose_are_the_ones_the_collector_keeps():
    source = (ROOT / "libs" / "scloud_common" / "src" / "scloud_common" / "metrics.py").read_text()
    for family in (
        "scloud_http_request_duration_seconds",
        "scloud_grpc_client_duration_seconds",
        "scloud_aws_call_duration_seconds",
    ):
        assert f'"{family}"' in source
    assert '["method", "route", "status"]' in source and '["method", "code"]' in source
    assert '["service", "operation", "outcome"]' in source
