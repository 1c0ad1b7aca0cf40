"""Abuse resistance: rate limits and lock-outs kept in the database (so every API process
sees the same counts), and the security events that supervisors and admins review."""
