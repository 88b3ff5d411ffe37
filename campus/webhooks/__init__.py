"""Webhooks: configuration (config.py) apart from delivery (delivery.py)."""
