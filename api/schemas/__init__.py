"""marshmallow schemas: requests (validated, unknown fields rejected) and responses (the
JSON shapes of the core's `as_dict()`, described for openapi.yaml and checked against real
results by the tests). One module per domain."""
