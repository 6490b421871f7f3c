#!/usr/bin/env python3
"""Checks of monitoring/ that promtool does not make; scripts/check-monitoring.sh runs it.

  monitoring-lint.py static DASHBOARD_RULES_OUT
      alerts.yaml: every alert is named MrsWatchdog…, has severity critical|warning|info, a summary, a
      description and runbook_url RUNBOOK_BASE#<alert name in lower case>; runbook.md has a heading for that
      anchor; alerts.test.yaml has a case where it fires and one where it does not. The dashboard is JSON
      with a Prometheus datasource variable that every panel and target uses; its queries are written to
      DASHBOARD_RULES_OUT as recording rules (variables filled in) for `promtool check rules` to parse.

  monitoring-lint.py scrape SCRAPE_FILE
      Every metric name in alerts.yaml and the dashboard is a sample name of the real /metrics text in
      SCRAPE_FILE (histograms as NAME_bucket / _sum / _count, exactly as swift-prometheus renders them),
      every label a query names is one the daemon exports (or a target label Prometheus adds), and every
      selector's label matchers (=, !=, =~, !~; not those with a Grafana $variable) match at least one
      scraped series. `up` is made by Prometheus, not the daemon, and is not looked for.

Exit status 0 when all checks pass, 1 otherwise; each problem is printed on its own line.
"""
import json
import re
import sys
from pathlib import Path

try:
    import yaml
except ImportError:
    sys.exit("monitoring-lint: needs PyYAML (Debian: apt-get install python3-yaml; make deps installs it)")

ROOT = Path(__file__).resolve().parent.parent
MON = ROOT / "monitoring"
ALERTS = MON / "alerts.yaml"
TESTS = MON / "alerts.test.yaml"
RUNBOOK = MON / "runbook.md"
DASHBOARD = MON / "dashboards" / "mrs-watchdog.json"
RUNBOOK_BASE = "https://github.com/mrs-watchdog/mrs-watchdog/blob/main/monitoring/runbook.md"
SEVERITIES = {"critical", "warning", "info"}
# Labels Prometheus attaches to every scraped series, and the histogram bucket label.
TARGET_LABELS = {"job", "instance", "le"}
# Series made by Prometheus itself, not exported by the daemon.
PROMETHEUS_SERIES = {"up"}

problems: list[str] = []


def problem(text: str) -> None:
    problems.append(text)
    print(f"  FAIL {text}")


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def load_alerts() -> list[dict]:
    doc = yaml.safe_load(ALERTS.read_text())
    return [rule for group in doc["groups"] for rule in group["rules"] if "alert" in rule]


def dashboard_targets(dashboard: dict) -> list[tuple[str, str]]:
    """(panel title, expr) of every query, rows' nested panels included."""
    found = []

    def walk(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                if target.get("expr"):
                    found.append((panel.get("title", "?"), target["expr"]))
            walk(panel.get("panels", []))

    walk(dashboard.get("panels", []))
    for variable in dashboard.get("templating", {}).get("list", []):
        query = variable.get("query")
        if isinstance(query, dict):
            query = query.get("query")
        if variable.get("type") == "query" and query:
            found.append((f"variable {variable['name']}", query))
    return found


def fill_variables(expr: str) -> str:
    """A dashboard query as Prometheus would get it (label_values() is Grafana's, not PromQL)."""
    match = re.fullmatch(r"\s*label_values\((.*),\s*\w+\)\s*", expr, re.S)
    if match:
        expr = match.group(1)
    return (
        expr.replace("$__rate_interval", "5m")
        .replace("$__interval", "1m")
        .replace("$__range", "6h")
        .replace("${job}", "mrs-watchdog")
        .replace("$job", "mrs-watchdog")
        .replace("${instance}", ".*")
        .replace("$instance", ".*")
    )


def check_static(dashboard_rules_out: Path) -> None:
    print("static checks of monitoring/")
    alerts = load_alerts()
    if not alerts:
        problem("alerts.yaml: no alerting rule")
    anchors = {
        github_anchor(line.lstrip("#")) for line in RUNBOOK.read_text().splitlines() if re.match(r"#{1,6} ", line)
    }
    names = set()
    for rule in alerts:
        name = rule["alert"]
        if name in names:
            problem(f"alerts.yaml: {name} is defined twice")
        names.add(name)
        if not re.fullmatch(r"MrsWatchdog[A-Z][A-Za-z0-9]*", name):
            problem(f"alerts.yaml: {name}: not named MrsWatchdog…")
        severity = rule.get("labels", {}).get("severity")
        if severity not in SEVERITIES:
            problem(f"alerts.yaml: {name}: severity {severity!r} is not one of {sorted(SEVERITIES)}")
        annotations = rule.get("annotations", {})
        for key in ("summary", "description", "runbook_url"):
            if not str(annotations.get(key, "")).strip():
                problem(f"alerts.yaml: {name}: no {key} annotation")
        expected = f"{RUNBOOK_BASE}#{name.lower()}"
        if annotations.get("runbook_url") != expected:
            problem(f"alerts.yaml: {name}: runbook_url is {annotations.get('runbook_url')!r}, expected {expected!r}")
        if name.lower() not in anchors:
            problem(f"runbook.md: no heading for {name} (anchor #{name.lower()})")

    # Each alert: a test case where it fires and one where it does not.
    tests = yaml.safe_load(TESTS.read_text())
    fires, quiet = set(), set()
    for group in tests.get("tests", []):
        for case in group.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in sorted(names):
        if name not in fires:
            problem(f"alerts.test.yaml: no case where {name} fires")
        if name not in quiet:
            problem(f"alerts.test.yaml: no case where {name} does not fire")
    for name in sorted((fires | quiet) - names):
        problem(f"alerts.test.yaml: tests {name}, which alerts.yaml does not define")
    print(f"  alerts: {len(alerts)} ({', '.join(sorted(names))})")

    # The dashboard.
    try:
        dashboard = json.loads(DASHBOARD.read_text())
    except json.JSONDecodeError as error:
        problem(f"{DASHBOARD.relative_to(ROOT)}: not valid JSON: {error}")
        return
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    source = variables.get("datasource")
    if not source or source.get("type") != "datasource" or source.get("query") != "prometheus":
        problem("dashboard: no Prometheus datasource variable named datasource")

    def walk(panels):
        for panel in panels:
            if panel.get("type") != "row":
                uid = panel.get("datasource", {}).get("uid")
                if uid != "${datasource}":
                    problem(f"dashboard: panel {panel.get('title')!r} does not use ${{datasource}} (uid {uid!r})")
                for target in panel.get("targets", []):
                    if target.get("datasource", {}).get("uid") != "${datasource}":
                        problem(f"dashboard: a query of {panel.get('title')!r} does not use ${{datasource}}")
            walk(panel.get("panels", []))

    walk(dashboard.get("panels", []))
    targets = dashboard_targets(dashboard)
    if not targets:
        problem("dashboard: no queries")
    rules = [
        {"record": f"dashboard:query_{index}", "expr": fill_variables(expr)}
        for index, (_, expr) in enumerate(targets)
    ]
    dashboard_rules_out.write_text(yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": rules}]}))
    print(f"  dashboard: {len(targets)} queries, written to {dashboard_rules_out} for promtool")


# --- Against a scrape ---------------------------------------------------------------------------------------

SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+\S+")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
SELECTOR = re.compile(r"\b(mrs_watchdog_[a-zA-Z0-9_]+|up)\b(\s*\{([^}]*)\})?")
MATCHER = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"')
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")
# {{ $labels.name }} in alert annotations (pipes allowed), {{name}} in Grafana legends.
TEMPLATE_LABEL = re.compile(r"\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)[^}]*\}\}|\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")


def parse_scrape(text: str) -> tuple[dict[str, list[dict]], dict[str, str]]:
    series: dict[str, list[dict]] = {}
    types: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, family, kind = line.split(maxsplit=3)
            types[family] = kind
            continue
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        if not match:
            continue
        labels = {k: unescape(v) for k, v in LABEL.findall(match.group(3) or "")}
        series.setdefault(match.group(1), []).append(labels)
    return series, types


def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n"}.get(m.group(1), m.group(1)), value)


def matches(labels: dict, name: str, op: str, value: str) -> bool:
    actual = labels.get(name, "")
    if op == "=":
        return actual == value
    if op == "!=":
        return actual != value
    hit = re.fullmatch(value, actual) is not None
    return hit if op == "=~" else not hit


def check_scrape(scrape_file: Path) -> None:
    print(f"metric names and selectors against the scrape {scrape_file}")
    series, types = parse_scrape(scrape_file.read_text())
    exported = {name for name in series if name.startswith("mrs_watchdog_")}
    if not exported:
        problem("the scrape holds no mrs_watchdog_ series")
        return
    label_names = {label for name in exported for labels in series[name] for label in labels}

    sources: list[tuple[str, str]] = []
    for rule in load_alerts():
        sources.append((f"alerts.yaml {rule['alert']}", rule["expr"]))
    dashboard = json.loads(DASHBOARD.read_text())
    for title, expr in dashboard_targets(dashboard):
        sources.append((f"dashboard {title!r}", expr))
    legends = []

    def collect_legends(panels):
        for panel in panels:
            for target in panel.get("targets", []):
                legends.append((f"dashboard {panel.get('title')!r} legend", target.get("legendFormat", "")))
            collect_legends(panel.get("panels", []))

    collect_legends(dashboard.get("panels", []))
    for rule in load_alerts():
        for key, text in rule.get("annotations", {}).items():
            legends.append((f"alerts.yaml {rule['alert']} {key}", str(text)))

    used: dict[str, set[str]] = {}
    for where, expr in sources:
        for match in SELECTOR.finditer(expr):
            name = match.group(1)
            used.setdefault(name, set()).add(where)
            if name in PROMETHEUS_SERIES:
                continue
            if name not in series:
                continue  # reported once below
            matchers = MATCHER.findall(match.group(3) or "")
            checked = []
            for label, op, raw in matchers:
                value = unescape(raw)
                if "$" in value or label in TARGET_LABELS:
                    continue  # a Grafana variable, or a label Prometheus adds
                if label not in label_names:
                    problem(f"{where}: {name} has no label {label!r} in the scrape")
                checked.append((label, op, value))
            if checked and not any(all(matches(s, *m) for m in checked) for s in series[name]):
                text = ", ".join(f'{label}{op}"{value}"' for label, op, value in checked)
                problem(f"{where}: no scraped {name} series matches {{{text}}}")
        for group in GROUPING.findall(expr):
            for label in filter(None, (part.strip() for part in group.split(","))):
                if label not in label_names and label not in TARGET_LABELS:
                    problem(f"{where}: groups by label {label!r}, which no scraped series has")
    for where, legend in legends:
        for match in TEMPLATE_LABEL.finditer(legend):
            label = match.group(1) or match.group(2)
            if label not in label_names and label not in TARGET_LABELS:
                problem(f"{where}: {{{{{label}}}}} is not a label of any scraped series")

    def family(name: str) -> str:
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        return base if types.get(base) == "histogram" else name

    for name in sorted(used):
        if name in PROMETHEUS_SERIES:
            print(f"  ok   {name} (made by Prometheus, not the daemon)")
        elif name in series:
            kind = types.get(family(name), "?")
            print(f"  ok   {name} ({kind}, {len(series[name])} series)")
        else:
            hint = ""
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if types.get(name) == "histogram":
                hint = f" (a histogram: use {name}_bucket, _sum or _count)"
            elif base != name and base in series:
                hint = f" ({base} is exported, but not as a histogram)"
            problem(f"{name}{hint} is used by {', '.join(sorted(used[name]))} but not in the scrape")
    unused = sorted({family(n) for n in exported} - {family(n) for n in used})
    for name in unused:
        print(f"  note {name} is exported but used by no alert or panel")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "static":
        check_static(Path(sys.argv[2]))
    elif len(sys.argv) == 3 and sys.argv[1] == "scrape":
        check_scrape(Path(sys.argv[2]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
