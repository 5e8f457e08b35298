"""Log lines as JSON (LOG_FORMAT=json, the default outside tests), each with the current request id.

The id is put on every record by the record factory, so every logger and every handler (the
web's, the worker's, gunicorn's error log) sees it, whoever configured the handlers first:
the dramatiq CLI configures logging before it imports the app, and so its handlers get the
JSON formatter here too.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from app.observability.context import current_request_id

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(process)d %(threadName)s %(request_id)s %(message)s"

_factory_installed = False


def _install_record_factory() -> None:
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return record

    logging.setLogRecordFactory(factory)
    _factory_installed = True


def json_formatter() -> logging.Formatter:
    return JsonFormatter(JSON_FIELDS, rename_fields={"asctime": "time", "levelname": "level", "name": "logger",
                                                     "threadName": "thread"})


def configure_logging(log_format: str) -> None:
    """Install the record factory; with `json`, every root handler writes JSON lines."""
    _install_record_factory()
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format=TEXT_FORMAT)
    if log_format == "json":
        for handler in root.handlers:
            handler.setFormatter(json_formatter())
