"""Fakes of the external peers, behind the same interfaces as the real backends."""
