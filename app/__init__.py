"""Saúde Municipal core: domain, persistence, services, reports and exports (never imports Qt)."""

__version__ = "0.1.0"
APP_NAME = "Saúde Municipal"
APP_ID = "saude-municipal"
