"""`make loadtest`'s request building (bench/loadtest_plan.py + bench/wrk/loadtest.lua), without
any load: the plan covers the five endpoints with the right methods, cookies, CSRF tokens and
bodies; what the Lua script reads from a plan entry is there; the Lua data escapes every byte it
must; the results merge into the right overall percentiles and 5xx counts. The load itself
runs only by hand (bench/LOADTEST.md)."""

import importlib.util
import json
import re
import uuid
from pathlib import Path
from urllib.parse import parse_qs

import pytest

ROOT = Path(__file__).resolve().parents[2]
LUA = ROOT / "bench" / "wrk" / "loadtest.lua"


@pytest.fixture(scope="module")
def loadtest():
    path = ROOT / "bench" / "loadtest_plan.py"
    spec = importlib.util.spec_from_file_location("bench_loadtest_plan", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ORIGIN = "https://127.0.0.1:8123"
USERS = [
    {"sessionid": f"session{n}", "csrf": f"{n:032x}", "lesson_path": f"/courses/c{n}/lesson-1/"}
    for n in range(3)
]
XAPI = {
    "path": "/courses/xapi/",
    "lesson": 11,
    "package": 7,
    "statement": {"verb": {"id": "http://adlnet.gov/expapi/verbs/answered"}, "object": {}},
}
LECTURES = [
    {"path": "/lectures/checkin/5/", "key": "lecture-5"},
    {"path": "/lectures/checkin/6/", "key": "lecture-6"},
]


@pytest.fixture
def plan(loadtest):
    return loadtest.request_plan(
        origin=ORIGIN,
        users=USERS,
        catalog_paths=["/courses/", "/courses/?topic=mental-health"],
        xapi=XAPI,
        lectures=LECTURES,
    )


def cookies(entry) -> dict:
    return dict(part.split("=", 1) for part in entry["headers"]["Cookie"].split("; "))


def test_plan_covers_the_five_endpoints_with_their_methods(loadtest, plan):
    assert {e.name for e in loadtest.ENDPOINTS} == set(plan)
    assert set(plan) == {"home", "catalog", "lesson", "xapi", "checkin"}
    methods = {e.name: e.method for e in loadtest.ENDPOINTS}
    for name, entries in plan.items():
        assert entries, name
        assert {entry["method"] for entry in entries} == {methods[name]}, name
    assert {entry["path"] for entry in plan["home"]} == {"/"}
    assert [entry["path"] for entry in plan["lesson"]] == [u["lesson_path"] for u in USERS]
    assert {entry["path"] for entry in plan["catalog"]} == {
        "/courses/",
        "/courses/?topic=mental-health",
    }


def test_every_request_is_a_teachers_session_behind_https(plan):
    for name, entries in plan.items():
        sessions = [cookies(entry)["sessionid"] for entry in entries]
        # Consecutive requests rotate through the teachers, not one session per endpoint.
        assert set(sessions) == {u["sessionid"] for u in USERS}, name
        for entry in entries:
            assert entry["headers"]["Host"] == "127.0.0.1:8123"
            assert entry["headers"]["X-Forwarded-Proto"] == "https"


def test_xapi_posts_carry_the_csrf_header_and_a_fresh_statement_id(plan):
    for entry, user in zip(plan["xapi"], USERS, strict=True):
        headers = entry["headers"]
        assert headers["X-CSRFToken"] == cookies(entry)["csrftoken"] == user["csrf"]
        assert headers["Content-Type"] == "application/json"
        assert headers["Referer"].startswith(ORIGIN + "/")
        statement_id = str(uuid.uuid4())
        body = json.loads(entry["body_head"] + statement_id + entry["body_tail"])
        assert body["lesson"] == 11 and body["package"] == 7
        assert body["statement"]["id"] == statement_id
        assert body["statement"]["verb"] == XAPI["statement"]["verb"]


def test_checkins_post_the_form_with_its_token_each_teacher_once_per_lecture(plan):
    entries = plan["checkin"]
    assert len(entries) == len(USERS) * len(LECTURES)
    pairs = {(entry["path"], cookies(entry)["sessionid"]) for entry in entries}
    assert len(pairs) == len(entries)
    # Lecture by lecture: all first check-ins of one lecture come before the next lecture's.
    assert [entry["path"] for entry in entries[: len(USERS)]] == ["/lectures/checkin/5/"] * 3
    for entry in entries:
        assert entry["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert entry["headers"]["Referer"] == ORIGIN + entry["path"]
        form = parse_qs(entry["body_head"] + "123456" + entry["body_tail"], strict_parsing=True)
        assert form["code"] == ["123456"]
        assert form["via"] == ["qr"]
        assert form["csrfmiddlewaretoken"] == [cookies(entry)["csrftoken"]]
        assert entry["codes"] == "lecture-" + entry["path"].rstrip("/").rsplit("/", 1)[1]


def test_the_lua_script_finds_every_field_it_reads(plan):
    script = LUA.read_text("utf-8")
    read = set(re.findall(r"\bentry\.(\w+)", script))
    assert read >= {"kind", "method", "path", "headers", "body_head", "body_tail", "codes"}
    needs = {
        "plain": {"kind", "method", "path", "headers"},
        "xapi": {"kind", "method", "path", "headers", "body_head", "body_tail"},
        "checkin": {"kind", "method", "path", "headers", "body_head", "body_tail", "codes"},
    }
    kinds = set(re.findall(r'entry\.kind == "(\w+)"', script))
    assert kinds == {"xapi", "checkin"}
    for entries in plan.values():
        for entry in entries:
            assert needs[entry["kind"]] <= set(entry), entry["kind"]
    # The data file's top-level fields, as init() reads them.
    assert {"data.requests", "data.codes", "data.step_seconds"} <= set(
        re.findall(r"\bdata\.\w+", script)
    )


def _lua_string_bytes(literal: str) -> bytes:
    """Undo lua_literal's string escaping (\\ddd decimal escapes, everything else raw)."""
    assert literal[0] == literal[-1] == '"'
    body = literal[1:-1]
    assert '"' not in re.sub(r"\\\d{3}", "", body)
    return re.sub(r"\\(\d{3})", lambda m: chr(int(m[1])), body).encode("latin-1")


def test_lua_data_escapes_quotes_backslashes_newlines_and_chinese(loadtest):
    text = 'a"b\\c\n\r\x00心理 "end'
    literal = loadtest.lua_literal(text)
    assert "\n" not in literal and "\r" not in literal
    assert _lua_string_bytes(literal) == text.encode("utf-8")
    data = loadtest.lua_data(
        requests=[{"kind": "plain", "headers": {"Cookie": "a=b"}}],
        codes={"lecture-5": {1000: "012345"}},
        step_seconds=45,
    )
    assert data.startswith("return {") and data.endswith("}\n")
    # Integer keys (check-in steps) stay numbers: os.time() // 45 looks them up as numbers.
    assert "[1000] = " in data
    assert '"012345"' in data


def test_connections_split_by_weight(loadtest):
    assert loadtest.connections_by_weight(100) == {
        "home": 30,
        "catalog": 20,
        "lesson": 20,
        "xapi": 20,
        "checkin": 10,
    }
    for total in (5, 7, 33, 101):
        split = loadtest.connections_by_weight(total)
        assert sum(split.values()) == total
        assert min(split.values()) >= 1


def _raw(value_us: int, requests: int, statuses: dict) -> dict:
    return {
        "requests": requests,
        "duration_us": 10_000_000,
        "errors": {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0},
        "statuses": statuses,
        "latency": {"max": value_us, "quantiles": [value_us] * 1000},
    }


def test_overall_percentiles_weigh_endpoints_by_their_requests(loadtest):
    home, xapi = loadtest.ENDPOINTS[0], loadtest.ENDPOINTS[3]
    endpoints = {
        "home": loadtest.endpoint_summary(_raw(10_000, 900, {"200": 900}), home, 30),
        "xapi": loadtest.endpoint_summary(_raw(1_000_000, 100, {"201": 99, "502": 1}), xapi, 20),
    }
    assert endpoints["home"]["per_s"] == 90.0
    assert endpoints["xapi"]["server_errors"] == 1
    assert endpoints["xapi"]["unexpected"] == {"502": 1}
    overall = loadtest.overall_summary(endpoints)
    assert overall["requests"] == 1000
    assert overall["p50_ms"] == 10.0
    assert overall["p95_ms"] == 1000.0
    assert overall["server_errors"] == 1
    assert overall["statuses"] == {"200": 900, "201": 99, "502": 1}


def test_access_log_routes_lessons_under_the_catalog_to_lesson(loadtest):
    def line(path: str, status: int) -> str:
        stamp = "[05/Dec/2026:12:00:00 +0000]"
        return f'- 127.0.0.1 - - {stamp} "GET {path} HTTP/1.1" {status} 5 "-" "-" 2000us'

    routing = {
        "exact": {"/": "home", "/courses/": "catalog", "/courses/xapi/": "xapi"},
        "prefixes": {"/lectures/checkin/": "checkin"},
        "default": "lesson",
    }
    lines = [
        line("/", 200),
        line("/courses/?q=x", 200),
        line("/courses/gen-1/lesson-1/", 200),
        line("/courses/xapi/", 201),
        line("/lectures/checkin/5/", 302),
        line("/lectures/checkin/5/", 500),
    ]
    assert loadtest.access_log_statuses(lines, **routing) == {
        "home": {"200": 1},
        "catalog": {"200": 1},
        "lesson": {"200": 1},
        "xapi": {"201": 1},
        "checkin": {"302": 1, "500": 1},
    }
    assert loadtest.access_log_times(lines, **routing)["lesson"] == {"p50_ms": 2.0, "p95_ms": 2.0}
