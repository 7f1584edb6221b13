"""The ceiling for bench_api: a bare Flask app whose one endpoint returns a constant JSON.

Served by the same gunicorn settings as the real service, it measures what Flask plus gunicorn
cost per request with no validation, no core call and no error handling.
"""

from flask import Flask, jsonify

CONSTANT = {"status": "ok", "version": "0.0.0"}


def create_app() -> Flask:
    app = Flask(__name__)

    @app.get("/ceiling")
    def ceiling():
        return jsonify(CONSTANT)

    return app
