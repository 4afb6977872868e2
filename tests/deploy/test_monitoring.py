"""infra/monitoring.yaml: an alarm on every signal operations watches, each telling the topic when it
fires and when it clears, reading names the other stacks really export, and one dashboard with them all."""

import json
import math
import re
from typing import Any

import pytest

from tests.deploy.templates import INFRA, load_template, resources

MONITORING, DATA, APP = load_template("monitoring.yaml"), load_template("data.yaml"), load_template("services.yaml")
ALARMS = resources(MONITORING, "AWS::CloudWatch::Alarm")
PARAMETERS = MONITORING["Parameters"]
README = (INFRA / "README.md").read_text()
RUNBOOK = (INFRA.parent / "docs" / "operations.md").read_text()
HTTP = "scloud_http_request_duration_seconds"
ELB = "AWS/ApplicationELB"
# The services that run Python (and so can emit SCloud metrics): every task but the gateway's Nginx.
PYTHON_SERVICES = sorted(
    task["ContainerDefinitions"][0]["Name"]
    for name, task in resources(APP, "AWS::ECS::TaskDefinition").items()
    if name != "GatewayTaskDefinition"
)


def imported(stack_parameter: str, export: str) -> dict:
    return {"Fn::ImportValue": {"Fn::Sub": f"${{{stack_parameter}}}-{export}"}}


def exported(template: dict, key: str) -> Any:
    output = template["Outputs"][key]
    assert output["Export"]["Name"] == {"Fn::Sub": f"${{AWS::StackName}}-{key}"}
    return output["Value"]


def read_metrics(alarm: dict) -> list[dict]:
    """The metrics an alarm reads by name, each as {Namespace, MetricName, Dimensions: {name: value}, Stat}."""
    if "MetricName" in alarm:
        reads = [(alarm, alarm["Statistic"])]
    else:
        reads = [(q["MetricStat"]["Metric"], q["MetricStat"]["Stat"]) for q in alarm["Metrics"] if "MetricStat" in q]
    return [
        {
            "Namespace": metric["Namespace"],
            "MetricName": metric["MetricName"],
            "Dimensions": {d["Name"]: d["Value"] for d in metric.get("Dimensions", [])},
            "Stat": stat,
        }
        for metric, stat in reads
    ]


def alarms_reading(namespace: str, metric_name: str, dimensions: dict) -> set[str]:
    return {
        name
        for name, alarm in ALARMS.items()
        for metric in read_metrics(alarm)
        if (metric["Namespace"], metric["MetricName"], metric["Dimensions"]) == (namespace, metric_name, dimensions)
    }


def watched_query(alarm: dict) -> dict:
    (query,) = [query for query in alarm.get("Metrics", []) if query["ReturnData"]]
    return query


class Datapoint(float):
    """A metric's value in one period; dividing by zero gives no number, as CloudWatch's math does."""

    def __rtruediv__(self, other: float) -> "Datapoint":
        return Datapoint(math.nan if self == 0 else other / float(self))

    def __truediv__(self, other: float) -> "Datapoint":
        return Datapoint(math.nan if other == 0 else float(self) / other)


def evaluate(alarm: dict, **datapoints: float | None) -> float:
    """The number an alarm compares with its threshold for one period, given each metric's datapoint
    (None: no data) and the parameters' defaults: CloudWatch's IF and FILL for the subset we use."""
    queries = {query["Id"]: query for query in alarm["Metrics"]}

    def value(query_id: str) -> Datapoint | None:
        query = queries[query_id]
        if "MetricStat" in query:
            point = datapoints[query_id]
            return None if point is None else Datapoint(point)
        expression = query["Expression"]
        text = expression["Fn::Sub"] if isinstance(expression, dict) else expression
        text = re.sub(r"\$\{(\w+)\}", lambda m: str(PARAMETERS[m.group(1)]["Default"]), text)
        python = text.replace("IF(", "when(").replace("FILL(", "fill(")
        names = {other: value(other) for other in queries if re.search(rf"\b{other}\b", python)}
        # Our own template's arithmetic, with no builtins and nothing but these names in reach.
        result = eval(
            python,
            {
                "__builtins__": {},
                "when": lambda condition, then, otherwise: then if condition else otherwise,
                "fill": lambda point, default: Datapoint(default) if point is None else point,
            },
            names,
        )
        return Datapoint(result)

    result = value(watched_query(alarm)["Id"])
    assert result is not None
    return float(result)


def test_every_alarm_tells_the_topic_when_it_fires_and_when_it_clears():
    assert ALARMS
    topic = [{"Ref": "AlarmTopicArn"}]
    for name, alarm in ALARMS.items():
        assert alarm["AlarmActions"] == topic and alarm["OKActions"] == topic, name
        assert alarm.get("ActionsEnabled", True) is True, name
        # Named after the stack, so a notification says which deployment and which alarm.
        assert alarm["AlarmName"]["Fn::Sub"].startswith("${AWS::StackName}-"), name
        assert "docs/operations.md#alarms" in alarm["AlarmDescription"], name
    assert "sns" in PARAMETERS["AlarmTopicArn"]["AllowedPattern"]


def test_tunable_thresholds_are_parameters_with_defaults():
    for name, alarm in ALARMS.items():
        threshold = alarm["Threshold"]
        if isinstance(threshold, dict):
            assert "Default" in PARAMETERS[threshold["Ref"]], name
        else:
            # A fixed threshold only where any at all is the signal (a task short, a host unhealthy).
            assert threshold == 1 and alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold", name


def test_every_import_names_an_export_of_the_stack_it_comes_from():
    text = json.dumps(MONITORING)
    imports = re.findall(r'"Fn::ImportValue": \{"Fn::Sub": "\$\{(\w+)\}-(\w+)"\}', text)
    assert imports and text.count("Fn::ImportValue") == len(imports)
    stacks = {"DataStack": DATA, "ServicesStack": APP}
    for stack, export in set(imports):
        assert exported(stacks[stack], export), (stack, export)


def test_load_balancer_5xx_share_counts_the_gateways_and_the_balancers_own_errors():
    balancer = {"LoadBalancer": imported("ServicesStack", "LoadBalancerFullName")}
    assert exported(APP, "LoadBalancerFullName") == {"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]}
    (name,) = (
        alarms_reading(ELB, "RequestCount", balancer)
        & alarms_reading(ELB, "HTTPCode_Target_5XX_Count", balancer)
        & alarms_reading(ELB, "HTTPCode_ELB_5XX_Count", balancer)
    )
    alarm = ALARMS[name]
    assert alarm["Threshold"] == {"Ref": "AlbServerErrorPercent"}
    assert evaluate(alarm, requests=100, target5xx=2, elb5xx=None) == pytest.approx(2)
    assert evaluate(alarm, requests=99, target5xx=None, elb5xx=1) == pytest.approx(1)
    # No gateway left to choose: the balancer refuses everything and counts none of it as a request.
    assert evaluate(alarm, requests=None, target5xx=None, elb5xx=40) == pytest.approx(100)
    # Too few requests to call it a rate.
    assert evaluate(alarm, requests=5, target5xx=3, elb5xx=None) == 0


def test_load_balancer_p99_response_time_is_judged_over_enough_requests():
    balancer = {"LoadBalancer": imported("ServicesStack", "LoadBalancerFullName")}
    (name,) = alarms_reading(ELB, "TargetResponseTime", balancer)
    alarm = ALARMS[name]
    (latency,) = [m for m in read_metrics(alarm) if m["MetricName"] == "TargetResponseTime"]
    assert latency["Stat"] == "p99"
    assert alarm["Threshold"] == {"Ref": "AlbP99ResponseSeconds"}
    assert evaluate(alarm, requests=500, p99=7.5) == 7.5
    assert evaluate(alarm, requests=3, p99=40) == 0


@pytest.mark.parametrize("target_group", resources(APP, "AWS::ElasticLoadBalancingV2::TargetGroup"))
def test_each_target_group_has_an_unhealthy_host_alarm(target_group):
    assert exported(APP, f"{target_group}FullName") == {"Fn::GetAtt": [target_group, "TargetGroupFullName"]}
    where = {
        "LoadBalancer": imported("ServicesStack", "LoadBalancerFullName"),
        "TargetGroup": imported("ServicesStack", f"{target_group}FullName"),
    }
    (name,) = alarms_reading(ELB, "UnHealthyHostCount", where)
    assert ALARMS[name]["Statistic"] == "Maximum" and ALARMS[name]["Threshold"] == 1


def test_the_cluster_publishes_task_counts_through_container_insights():
    (cluster,) = resources(APP, "AWS::ECS::Cluster").values()
    assert {"Name": "containerInsights", "Value": "enabled"} in cluster["ClusterSettings"]
    assert exported(APP, "ClusterName") == {"Ref": "Cluster"}


@pytest.mark.parametrize("service", resources(APP, "AWS::ECS::Service"))
def test_each_ecs_service_has_cpu_memory_and_task_shortfall_alarms(service):
    assert exported(APP, f"{service}Name") == {"Fn::GetAtt": [service, "Name"]}
    where = {
        "ClusterName": imported("ServicesStack", "ClusterName"),
        "ServiceName": imported("ServicesStack", f"{service}Name"),
    }
    (cpu,) = alarms_reading("AWS/ECS", "CPUUtilization", where)
    (memory,) = alarms_reading("AWS/ECS", "MemoryUtilization", where)
    assert ALARMS[cpu]["Threshold"] == {"Ref": "EcsCpuPercent"}
    assert ALARMS[memory]["Threshold"] == {"Ref": "EcsMemoryPercent"}
    (shortfall,) = alarms_reading("ECS/ContainerInsights", "DesiredTaskCount", where) & alarms_reading(
        "ECS/ContainerInsights", "RunningTaskCount", where
    )
    alarm = ALARMS[shortfall]
    assert evaluate(alarm, desired=2, running=2) < alarm["Threshold"]
    assert evaluate(alarm, desired=3, running=2) >= alarm["Threshold"]
    # Every task gone: Container Insights has no running count to report.
    assert evaluate(alarm, desired=2, running=None) >= alarm["Threshold"]
    assert alarm["TreatMissingData"] == "breaching"


@pytest.mark.parametrize("metric", ["ThrottledRequests", "SystemErrors"])
@pytest.mark.parametrize("table", resources(DATA, "AWS::DynamoDB::Table"))
def test_each_table_has_an_alarm_on_every_operation_summed(table, metric):
    assert exported(DATA, f"{table}Name") == {"Ref": table}
    query = f"SELECT SUM({metric}) FROM SCHEMA(\"AWS/DynamoDB\", Operation, TableName) WHERE TableName = '${{Table}}'"
    matching = [
        name
        for name, alarm in ALARMS.items()
        if "Metrics" in alarm
        and watched_query(alarm).get("Expression")
        == {"Fn::Sub": [query, {"Table": imported("DataStack", f"{table}Name")}]}
    ]
    (name,) = matching
    assert watched_query(ALARMS[name])["Period"] == 300


def test_the_bucket_publishes_request_metrics_and_its_5xx_have_an_alarm():
    bucket = resources(DATA, "AWS::S3::Bucket")["FilesBucket"]
    (configuration,) = bucket["MetricsConfigurations"]
    # No prefix, tag or access point filter: every request to the bucket.
    assert set(configuration) == {"Id"}
    where = {"BucketName": imported("DataStack", "FilesBucketName"), "FilterId": configuration["Id"]}
    (name,) = alarms_reading("AWS/S3", "5xxErrors", where)
    assert ALARMS[name]["Threshold"] == {"Ref": "S3ServerErrors"}


@pytest.mark.parametrize("service", PYTHON_SERVICES)
def test_each_service_has_an_alarm_on_its_own_5xx_share(service):
    (name,) = alarms_reading("SCloud", HTTP, {"Service": service}) & alarms_reading(
        "SCloud", HTTP, {"Service": service, "status_class": "5xx"}
    )
    alarm = ALARMS[name]
    assert alarm["TreatMissingData"] == "notBreaching"
    assert alarm["Threshold"] == {"Ref": "ServiceServerErrorPercent"}
    assert evaluate(alarm, requests=200, errors=10) == pytest.approx(5)
    assert evaluate(alarm, requests=200, errors=None) == 0
    assert evaluate(alarm, requests=4, errors=4) == 0


# Who calls auth (users for accounts, files for the public signing keys) and who sends email.
@pytest.mark.parametrize(
    ("metric", "dimensions"),
    [
        ("scloud_grpc_client_duration_seconds", {"Service": name, "unreachable_peer": "auth"})
        for name in ("users", "files")
    ]
    + [("scloud_aws_call_duration_seconds", {"Service": name, "mail": "failed"}) for name in PYTHON_SERVICES],
)
def test_each_service_has_alarms_on_its_auth_calls_and_its_mail(metric, dimensions):
    (name,) = alarms_reading("SCloud", metric, dimensions)
    alarm = ALARMS[name]
    assert alarm["TreatMissingData"] == "notBreaching" and alarm["Statistic"] == "SampleCount"


def test_the_readme_documents_every_scloud_metric_the_alarms_read():
    read = {
        (metric["MetricName"], tuple(metric["Dimensions"]))
        for alarm in ALARMS.values()
        for metric in read_metrics(alarm)
        if metric["Namespace"] == "SCloud"
    }
    assert {metric for metric, _ in read} == {
        HTTP,
        "scloud_grpc_client_duration_seconds",
        "scloud_aws_call_duration_seconds",
    }
    for metric, dimensions in read:
        row = rf"^\| `{metric}` \| `SampleCount` \| {', '.join(f'`{d}`' for d in dimensions)} \|"
        assert re.search(row, README, re.MULTILINE), (metric, dimensions)


def test_the_runbook_names_every_alarm():
    for name, alarm in ALARMS.items():
        suffix = alarm["AlarmName"]["Fn::Sub"].removeprefix("${AWS::StackName}-")
        assert f"`{suffix}`" in RUNBOOK, name
    assert "## Alarms" in RUNBOOK


def rendered_dashboard() -> tuple[dict, set[str]]:
    """The dashboard's body as CloudFormation renders it (each ${...} filled in: parameters with their
    defaults, everything else with a marker naming it) and the placeholders it holds."""
    (dashboard,) = resources(MONITORING, "AWS::CloudWatch::Dashboard").values()
    text, variables = dashboard["DashboardBody"]["Fn::Sub"]
    placeholders = set(re.findall(r"\$\{([^}]+)\}", text))

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in PARAMETERS and "Default" in PARAMETERS[name]:
            return str(PARAMETERS[name]["Default"])
        resource = name.split(".")[0]
        assert name in variables or name.startswith("AWS::") or resource in MONITORING["Resources"], name
        return f"<{name}>"

    return json.loads(re.sub(r"\$\{([^}]+)\}", fill, text)), placeholders


def test_the_dashboard_body_is_json_with_every_name_and_region_filled_in():
    body, placeholders = rendered_dashboard()
    (dashboard,) = resources(MONITORING, "AWS::CloudWatch::Dashboard").values()
    assert set(dashboard["DashboardBody"]["Fn::Sub"][1]) <= placeholders
    metric_widgets = [widget for widget in body["widgets"] if widget["type"] == "metric"]
    assert metric_widgets
    for widget in metric_widgets:
        assert widget["properties"]["region"] == "<AWS::Region>", widget["properties"]["title"]


def test_the_dashboard_shows_every_alarms_state():
    body, _ = rendered_dashboard()
    shown = {arn for widget in body["widgets"] if widget["type"] == "alarm" for arn in widget["properties"]["alarms"]}
    assert shown == {f"<{name}.Arn>" for name in ALARMS}


def test_the_dashboard_graphs_every_metric_an_alarm_reads():
    body, _ = rendered_dashboard()
    graphed = json.dumps([widget["properties"].get("metrics", []) for widget in body["widgets"]])
    for name, alarm in ALARMS.items():
        by_name = [metric["MetricName"] for metric in read_metrics(alarm)]
        by_query = re.findall(r"SELECT SUM\((\w+)\)", json.dumps(alarm.get("Metrics", [])))
        assert by_name or by_query, name
        for metric_name in by_name:
            assert f'"{metric_name}"' in graphed, (name, metric_name)
        for metric_name in by_query:
            assert f"SELECT SUM({metric_name})" in graphed, (name, metric_name)
