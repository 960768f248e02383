"""The pure half of `make loadtest` (bench/loadtest.py): the endpoints and their weights, the
request plan wrk replays (bench/wrk/loadtest.lua reads it as Lua data), and the arithmetic on
wrk's and gunicorn's results. No database, no network: tests/ops/test_loadtest_script.py
exercises all of it without load."""

import json
import re
from dataclasses import dataclass
from urllib.parse import urlencode

FORWARDED = {"X-Forwarded-Proto": "https"}  # what nginx adds in front of gunicorn


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    weight: int
    ok: tuple[int, ...]  # the statuses a correct reply has


ENDPOINTS = (
    Endpoint("home", "GET", 30, (200,)),
    Endpoint("catalog", "GET", 20, (200,)),
    Endpoint("lesson", "GET", 20, (200,)),
    # 201 a new statement, 200 a duplicate id (never sent here) or one not counted.
    Endpoint("xapi", "POST", 20, (200, 201)),
    # 302 to the lecture page: checked in, or "already checked in" for a repeat.
    Endpoint("checkin", "POST", 10, (302,)),
)


# --- The request plan (pure: no database, no network; tests/ops/test_loadtest_script.py) ------


def connections_by_weight(total: int, endpoints=ENDPOINTS) -> dict[str, int]:
    """Split `total` connections by weight (largest remainder), at least one each."""
    weights = sum(e.weight for e in endpoints)
    exact = {e.name: total * e.weight / weights for e in endpoints}
    split = {name: max(1, int(value)) for name, value in exact.items()}
    by_remainder = sorted(exact, key=lambda name: exact[name] - int(exact[name]), reverse=True)
    for name in by_remainder:
        if sum(split.values()) >= total:
            break
        split[name] += 1
    return split


def _cookie(user: dict, names: dict) -> str:
    return f"{names['session']}={user['sessionid']}; {names['csrf']}={user['csrf']}"


def request_plan(
    *,
    origin: str,
    users: list[dict],
    catalog_paths: list[str],
    xapi: dict,
    lectures: list[dict],
    cookie_names: dict | None = None,
) -> dict[str, list[dict]]:
    """Per endpoint, the requests wrk cycles through. `users`: dicts with `sessionid`, `csrf`
    (the CSRF cookie's secret, sent as cookie and as token) and `lesson_path` (a lesson of a
    course the teacher is enrolled in). `xapi`: `path`, `lesson`, `package` and a `statement`
    without id. `lectures`: dicts with `path` (the check-in URL) and `key` (of its codes).
    POSTs carry the CSRF token (header for the JSON xAPI, form field for the check-in form)
    and a same-origin Referer, which Django checks on HTTPS requests."""
    names = cookie_names or {"session": "sessionid", "csrf": "csrftoken"}
    # wrk would send its Host without the port; Django compares the Referer with it.
    host = {"Host": origin.split("://", 1)[1]}

    def get(user: dict, path: str) -> dict:
        headers = {**host, "Cookie": _cookie(user, names), **FORWARDED}
        return {"kind": "plain", "method": "GET", "path": path, "headers": headers}

    plan: dict[str, list[dict]] = {"home": [], "catalog": [], "lesson": [], "xapi": []}
    for number, user in enumerate(users):
        plan["home"].append(get(user, "/"))
        plan["catalog"].append(get(user, catalog_paths[number % len(catalog_paths)]))
        plan["lesson"].append(get(user, user["lesson_path"]))
        # The id goes between head and tail at send time: a fresh one per statement.
        payload = {
            "lesson": xapi["lesson"],
            "package": xapi["package"],
            "statement": {**xapi["statement"], "id": "@ID@"},
        }
        head, tail = json.dumps(payload, ensure_ascii=False).split("@ID@")
        plan["xapi"].append(
            {
                "kind": "xapi",
                "method": "POST",
                "path": xapi["path"],
                "headers": {
                    **host,
                    "Cookie": _cookie(user, names),
                    "Content-Type": "application/json",
                    "X-CSRFToken": user["csrf"],
                    "Referer": f"{origin}{user['lesson_path']}",
                    **FORWARDED,
                },
                "body_head": head,
                "body_tail": tail,
            }
        )
    # Lecture by lecture, every teacher once, then again: first check-ins, then repeats.
    plan["checkin"] = [
        {
            "kind": "checkin",
            "method": "POST",
            "path": lecture["path"],
            "headers": {
                **host,
                "Cookie": _cookie(user, names),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{origin}{lecture['path']}",
                **FORWARDED,
            },
            "body_head": "code=",
            "body_tail": "&" + urlencode({"via": "qr", "csrfmiddlewaretoken": user["csrf"]}),
            "codes": lecture["key"],
        }
        for lecture in lectures
        for user in users
    ]
    return plan


def lua_literal(value) -> str:
    """`value` (dict, list, str, int, float, bool, None) as a Lua expression."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        out = []
        for byte in value.encode("utf-8"):
            char = chr(byte)
            if char in '"\\' or byte < 32 or byte == 127:
                out.append(f"\\{byte:03d}")
            else:
                out.append(char if byte < 128 else f"\\{byte:03d}")
        return '"' + "".join(out) + '"'
    if isinstance(value, list | tuple):
        return "{" + ", ".join(lua_literal(item) for item in value) + "}"
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            lua_key = f"[{key}]" if isinstance(key, int) else f"[{lua_literal(str(key))}]"
            items.append(f"{lua_key} = {lua_literal(item)}")
        return "{" + ", ".join(items) + "}"
    raise TypeError(f"no Lua literal for {type(value).__name__}")


def lua_data(*, requests: list[dict], codes: dict, step_seconds: int) -> str:
    """The file bench/wrk/loadtest.lua loads (LOADTEST_PLAN)."""
    data = {"step_seconds": step_seconds, "codes": codes, "requests": requests}
    return "return " + lua_literal(data) + "\n"


# --- Results -----------------------------------------------------------------------------------


def _quantile(quantiles: list[float], pct: float) -> float:
    """From wrk's 1,000 quantiles (0.1 % steps, the last one the maximum)."""
    index = min(len(quantiles) - 1, max(0, round(pct * 10) - 1))
    return quantiles[index]


def endpoint_summary(raw: dict, endpoint: Endpoint, connections: int) -> dict:
    quantiles = raw["latency"]["quantiles"]
    seconds = raw["duration_us"] / 1e6
    statuses = {str(k): int(v) for k, v in sorted(raw["statuses"].items())}
    return {
        "method": endpoint.method,
        "connections": connections,
        "requests": raw["requests"],
        "per_s": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(_quantile(quantiles, 50) / 1000, 1),
        "p95_ms": round(_quantile(quantiles, 95) / 1000, 1),
        "p99_ms": round(_quantile(quantiles, 99) / 1000, 1),
        "max_ms": round(raw["latency"]["max"] / 1000, 1),
        "statuses": statuses,
        "unexpected": {k: v for k, v in statuses.items() if int(k) not in endpoint.ok},
        "server_errors": sum(v for k, v in statuses.items() if int(k) >= 500),
        "socket_errors": {k: v for k, v in raw["errors"].items() if k != "status" and v},
        "quantiles_us": quantiles,
    }


def overall_summary(endpoints: dict[str, dict]) -> dict:
    """All endpoints together: every wrk quantile stands for a thousandth of its endpoint's
    requests, so merging them weighted by request counts gives the overall percentiles (to
    0.1 % of rank)."""
    points = []
    for item in endpoints.values():
        weight = item["requests"] / len(item["quantiles_us"])
        points += [(value, weight) for value in item["quantiles_us"]]
    points.sort()
    total_weight = sum(weight for _value, weight in points) or 1

    def pct(p: float) -> float:
        running = 0.0
        for value, weight in points:
            running += weight
            if running >= total_weight * p / 100 - 1e-9:
                return round(value / 1000, 1)
        return round(points[-1][0] / 1000, 1) if points else 0.0

    statuses: dict[str, int] = {}
    for item in endpoints.values():
        for status, count in item["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    requests = sum(item["requests"] for item in endpoints.values())
    return {
        "method": "",
        "connections": sum(item["connections"] for item in endpoints.values()),
        "requests": requests,
        "per_s": round(sum(item["per_s"] for item in endpoints.values()), 1),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "max_ms": max((item["max_ms"] for item in endpoints.values()), default=0.0),
        "statuses": dict(sorted(statuses.items())),
        "server_errors": sum(item["server_errors"] for item in endpoints.values()),
        "socket_errors": {
            kind: sum(item["socket_errors"].get(kind, 0) for item in endpoints.values())
            for kind in ("connect", "read", "write", "timeout")
            if any(item["socket_errors"].get(kind) for item in endpoints.values())
        },
    }


ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d{3}) .*?(?:(?P<us>\d+)us)?$'
)


def access_log_statuses(
    lines, *, exact: dict[str, str], prefixes: dict[str, str], default: str
) -> dict[str, dict[str, int]]:
    """Statuses by endpoint from gunicorn's access log (deploy/gunicorn.conf.py's format): the
    server's own count, to cross-check the client's. A path (query string dropped) is the
    endpoint of `exact`, else of the first matching prefix in `prefixes`, else `default`."""
    out: dict[str, dict[str, int]] = {}
    for line in lines:
        match = ACCESS_LINE.search(line)
        if not match:
            continue
        path = match["path"].split("?")[0]
        name = exact.get(path) or next(
            (name for prefix, name in prefixes.items() if path.startswith(prefix)), default
        )
        counts = out.setdefault(name, {})
        counts[match["status"]] = counts.get(match["status"], 0) + 1
    return out


def access_log_times(lines, **routing) -> dict[str, dict[str, float]]:
    """Server time (gunicorn's %(D)s: from the request parsed to the reply written, without
    the wait for a free worker thread) p50/p95 by endpoint, routed as access_log_statuses."""
    durations: dict[str, list[int]] = {}
    for line in lines:
        match = ACCESS_LINE.search(line)
        if match and match["us"]:
            name = next(iter(access_log_statuses([line], **routing)))
            durations.setdefault(name, []).append(int(match["us"]))
    out = {}
    for name, values in durations.items():
        values.sort()
        out[name] = {
            "p50_ms": round(values[len(values) // 2] / 1000, 1),
            "p95_ms": round(values[min(len(values) - 1, int(len(values) * 0.95))] / 1000, 1),
        }
    return out


def print_table(results: dict) -> None:
    rows = [*results["endpoints"].items(), ("overall", results["overall"])]
    gunicorn = results["gunicorn"]
    server_p95 = {name: item["p95_ms"] for name, item in results.get("server_time", {}).items()}
    header = (
        f"{'endpoint':<9} {'method':<6} {'conns':>5} {'requests':>8} {'req/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>8} {'srv p95':>7}  statuses"
    )
    print(
        f"\nmake loadtest — {results['connections']} connections for {results['seconds']} s, "
        f"scale {results['scale']}, {results['database']}, gunicorn {gunicorn['workers']} "
        f"workers × {gunicorn['threads']} threads ({gunicorn['worker_class']}), "
        f"{results['celery']}, {results['machine']['nproc']} CPUs, load average "
        f"{results['load_average']['start']} → {results['load_average']['end']}"
    )
    print(header)
    print("-" * len(header))
    for name, item in rows:
        statuses = " ".join(f"{k}:{v}" for k, v in item["statuses"].items())
        errors = " ".join(f"{k}:{v}" for k, v in item["socket_errors"].items())
        # srv p95: gunicorn's own time (access log); the rest is the wait for a worker thread.
        print(
            f"{name:<9} {item['method']:<6} {item['connections']:>5} {item['requests']:>8} "
            f"{item['per_s']:>7} {item['p50_ms']:>7} {item['p95_ms']:>7} {item['p99_ms']:>7} "
            f"{item['max_ms']:>8} {server_p95.get(name, ''):>7}  {statuses}"
            f"{'  socket errors ' + errors if errors else ''}"
        )
    checkin = results["checkin"]
    print(
        f"check-in mix: {checkin['first']} first check-ins, {checkin['repeats']} repeats "
        f"('already checked in'), {checkin['refused']} refused; xAPI statements stored: "
        f"{results['xapi']['stored']}"
    )
    print(
        f"gunicorn CPU: {results['cpu_s']['gunicorn']} s over the load, "
        f"{results['gunicorn_cpu_ms_per_request']} ms per reply; load average during the run "
        f"{results['load_average_during']}"
    )
    if results.get("celery_drain"):
        print(f"celery: {results['celery_drain']}")
    print(f"5xx replies: {results['server_errors']} (server's access log: {results['server_5xx']})")
