from __future__ import annotations

from crm_core.exceptions import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    title = "Trop de tentatives"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.headers = {"Retry-After": str(retry_after)}
