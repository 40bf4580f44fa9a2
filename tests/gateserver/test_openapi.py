"""The check-in server against its own OpenAPI document (schemathesis, a real server
process on 127.0.0.1): whatever a lane sends, the answer is a documented status and
never a 500; the document served is the one in gateserver/openapi.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from core.gate import lanes
from core.store.schema import open_database
from gateserver.openapi import openapi_document
from tests.support import postgres
from tests.support.constants import FIXED_NOW
from tests.support.gate_server import GateServer
from tests.support.lane_helpers import AT_GATE
from tests.support.selling_helpers import stadium_performance, user

schema = schemathesis.openapi.from_dict(openapi_document())


class Served:
    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token


@pytest.fixture(scope="module")
def served(bare_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Served]:
    path = postgres.private_copy(bare_demo_template,
                                 tmp_path_factory.mktemp("openapi") / "demo.db")
    db = open_database(path)
    token = lanes.issue_lane_token(db, user(db, "cora"), stadium_performance(db), "Fuzz",
                                   now=FIXED_NOW).token
    db.close()
    with GateServer(path, AT_GATE) as server:
        yield Served(server.url, token)


def test_the_served_document_is_the_one_in_the_code(served: Served) -> None:
    answer = httpx.get(f"{served.url}/openapi.json", timeout=5)
    assert answer.status_code == 200 and answer.json() == openapi_document()


@schema.parametrize()
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_any_request_gets_a_documented_answer_never_a_500(case: schemathesis.Case[Any],
                                                         served: Served) -> None:
    case.call_and_validate(base_url=served.url,
                           headers={"Authorization": f"Bearer {served.token}"},
                           checks=[not_a_server_error, status_code_conformance])


@schema.parametrize()
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_without_a_token_every_lane_request_is_401(case: schemathesis.Case[Any],
                                                   served: Served) -> None:
    answer = case.call(base_url=served.url, headers={"Authorization": "Bearer wrong"})
    assert answer.status_code < 500
    if case.path != "/v1/health":
        # the token is checked before anything else is read (405: a method not served)
        assert answer.status_code in (401, 405), answer.text
