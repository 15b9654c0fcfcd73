"""Errors every provider raises, so the pipeline can tell a retry from a dead end."""


class ProviderError(Exception):
    """A provider call failed. `retryable` says whether trying again later can help."""

    def __init__(self, message: str, *, retryable: bool, provider: str = ""):
        super().__init__(message)
        self.retryable = retryable
        self.provider = provider

    def __str__(self) -> str:
        prefix = f"{self.provider}: " if self.provider else ""
        return prefix + super().__str__()


class ProviderConfigError(ProviderError):
    """Misconfiguration (wrong key, missing index, dimension mismatch): never retryable."""

    def __init__(self, message: str, provider: str = ""):
        super().__init__(message, retryable=False, provider=provider)


class RateLimited(ProviderError):
    """The shared rate limit (or the provider's 429) says: not before `delay` seconds from now.

    Not a failure: the pipeline puts the call back in the queue for later without counting an attempt.
    """

    def __init__(self, operation: str, delay: float, provider: str = "", detail: str = ""):
        message = f"rate limit for {operation}: next turn in {delay:.0f} s"
        super().__init__(message + (f" ({detail})" if detail else ""), retryable=True, provider=provider)
        self.operation = operation
        self.delay = max(float(delay), 0.0)
