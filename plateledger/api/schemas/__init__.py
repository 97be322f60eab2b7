"""Pydantic models of the API: request bodies (request.py) and responses (response.py)."""
