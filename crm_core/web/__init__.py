"""Helpers for the server's HTML pages: security headers, CSRF tokens, body limits."""
