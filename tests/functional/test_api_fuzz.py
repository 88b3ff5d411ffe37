"""The JSON API fuzzed from its own OpenAPI document (Schemathesis): for every operation,
generated requests, valid and invalid, as an administrator and as a teacher. Any 5xx, or
any answer that does not match the documented schema, fails. Bounded (a fixed number
of examples per operation, derandomized), so that it runs in CI in seconds."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = 25


def test_the_api_keeps_to_its_schema_and_never_fails(app, world, token_for):
    from flask import request_finished

    app.config["RATELIMIT_ENABLED"] = False
    answers = []

    def note(sender, response, **extra):
        answers.append(response)

    request_finished.connect(note, app)  # held by this name while the test runs
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    admin, teacher = token_for(world.admin), token_for(world.teacher)
    failures = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 5  # the document lists the API

    def fuzzer(operation, headers):
        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        def fuzz(case):
            case.call_and_validate(
                headers=headers, checks=[not_a_server_error, response_schema_conformance]
            )

        return fuzz

    for operation in operations:
        # Teachers file tickets; everything else is read and done by the administrator.
        filing = operation.method.upper() == "POST" and operation.path.rstrip("/") == "/tickets"
        try:
            fuzzer(operation, teacher if filing else admin)()
        except Exception as error:  # collect all, then fail with each operation's reason
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:600]}")
    assert failures == [], "\n\n".join(failures)
    assert len(answers) >= len(operations) * 10  # it really asked, many times each
    assert {r.status_code for r in answers} & {400, 404, 422}  # invalid requests too
