"""What the OpenAI analyser and embedder share: client construction, token estimates, error mapping."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable
from typing import TypeVar

import httpx2
import openai
import pydantic

from app.providers import usage
from app.providers.errors import ProviderConfigError, ProviderError, RateLimited
from app.providers.ratelimit import RateLimiter

T = TypeVar("T")

PROVIDER = "openai"

# Statuses worth another try later. The SDK already retried them `max_retries` times with its
# own backoff (429s: see RateLimitedClient); a ProviderError(retryable=True) hands the next layer
# (the job queue) the rest.
RETRYABLE_STATUSES = frozenset({408, 409, 429})

# OpenAI echoes a masked key in 401 messages ("Incorrect API key provided: sk-abc***xyz").
_KEY_PATTERN = re.compile(r"\b(?:sk|sess|org|proj)-[A-Za-z0-9_*\-]{4,}")
_MAX_SERVER_MESSAGE = 500


def estimate_tokens(text: str) -> int:
    """Rough token count: one token per 4 characters, rounded up.

    Good enough for English budgets without tiktoken; it under-counts scripts such as CJK
    (about one token per character), so hard limits must keep a margin or count more strictly.
    """
    return math.ceil(len(text) / 4)


class RateLimitedClient(openai.OpenAI):
    """The SDK client, except that a 429 comes straight back instead of being retried in place.

    The SDK still retries timeouts, connection errors, 408/409 and 5xx with its own backoff. A 429
    is handled by `send()`: its Retry-After pauses the operation for every process (the shared
    limiter), so the workers that were not told do not stampede into the same wall.
    """

    def _should_retry(self, response: httpx2.Response) -> bool:
        if response.status_code == 429:
            return False
        return super()._should_retry(response)


def build_openai_client(
    api_key: str, base_url: str | None, timeout: float, max_retries: int
) -> openai.OpenAI:
    """One configured client; the SDK's own retries (with backoff) stay on, except for 429s."""
    if not api_key:
        raise ProviderConfigError("OPENAI_API_KEY is not set", provider=PROVIDER)
    return RateLimitedClient(
        api_key=api_key,
        base_url=base_url or None,
        # `timeout` bounds each attempt; connecting should never take long.
        timeout=httpx2.Timeout(timeout, connect=min(timeout, 10.0)),
        max_retries=max_retries,
    )


def redact(text: str, secret: str | None = None) -> str:
    """Remove the API key (ours, or anything shaped like an OpenAI key) from a message."""
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return _KEY_PATTERN.sub("***", text)


def _server_message(exc: openai.APIError) -> str:
    body = exc.body
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message:
        message = body if isinstance(body, str) and body else exc.message
    message = " ".join(str(message).split())
    if len(message) > _MAX_SERVER_MESSAGE:
        message = message[:_MAX_SERVER_MESSAGE] + "..."
    return message


def _validation_summary(exc: pydantic.ValidationError) -> str:
    errors = exc.errors(include_input=False, include_url=False)
    if not errors:
        return "reply does not match the schema"
    first = errors[0]
    where = ".".join(str(part) for part in first.get("loc", ())) or "reply"
    more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"reply does not match the schema: {where}: {first.get('msg', 'invalid')}{more}"


def invalid_output(detail: str) -> ProviderError:
    """The model answered, but not with something usable: asking again the same way rarely helps."""
    return ProviderError(f"invalid output: {detail}", retryable=False, provider=PROVIDER)


def map_openai_error(exc: Exception, secret: str | None = None) -> ProviderError:
    """Translate an OpenAI SDK (or reply validation) exception into a ProviderError."""
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, openai.LengthFinishReasonError):
        return invalid_output("the reply was cut off at the token limit")
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return invalid_output("the reply was stopped by the content filter")
    if isinstance(exc, pydantic.ValidationError):
        return invalid_output(_validation_summary(exc))
    if isinstance(exc, openai.APITimeoutError):
        return ProviderError("request timed out", retryable=True, provider=PROVIDER)
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__
        detail = f": {type(cause).__name__}" if cause is not None else ""
        return ProviderError(f"connection error{detail}", retryable=True, provider=PROVIDER)
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        message = redact(_server_message(exc), secret)
        request_id = f" (request id {exc.request_id})" if exc.request_id else ""
        if isinstance(exc, openai.RateLimitError) and "insufficient_quota" in (exc.code, exc.type):
            return ProviderError(
                f"HTTP 429 insufficient_quota: the OpenAI account has run out of credit or hit its "
                f"spending limit; check billing before retrying. Server said: {message}{request_id}",
                retryable=False,
                provider=PROVIDER,
            )
        retryable = status >= 500 or status in RETRYABLE_STATUSES
        text = f"HTTP {status}: {message}{request_id}"
        if status in (401, 403):
            return ProviderConfigError(text, provider=PROVIDER)
        return ProviderError(text, retryable=retryable, provider=PROVIDER)
    if isinstance(exc, openai.APIResponseValidationError):
        return invalid_output(f"unexpected response shape (HTTP {exc.status_code})")
    if isinstance(exc, openai.OpenAIError):
        return ProviderError(redact(str(exc), secret), retryable=False, provider=PROVIDER)
    return ProviderError(
        f"{type(exc).__name__}: {redact(str(exc), secret)}", retryable=False, provider=PROVIDER
    )


def retry_after(exc: openai.APIStatusError) -> float | None:
    """Seconds the server asked us to wait (retry-after-ms, or retry-after in seconds), if it said."""
    headers = exc.response.headers if exc.response is not None else {}
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        try:
            value = float(headers.get(name, ""))
        except ValueError:
            continue
        if math.isfinite(value) and value >= 0:
            return value / divisor
    return None


def _quota_exhausted(exc: openai.RateLimitError) -> bool:
    return "insufficient_quota" in (exc.code, exc.type)


def send(
    limiter: RateLimiter,
    operation: str,
    estimate: int,
    request: Callable[[], T],
    *,
    tries: int,
    account: Callable[[T], int | None],
) -> T:
    """Send one request in its turn under the shared limit; a 429 pauses everyone and goes again.

    After `tries` 429s in a row, or when the next turn is further away than the limiter waits,
    RateLimited sends the work back to the queue for later (not a failed attempt). An account out
    of credit (insufficient_quota) is an error, not a wait. `account(reply)` reports the reply's
    usage and returns its tokens, which correct the estimate reserved in the tokens-per-minute limit.
    """
    for attempt in range(max(tries, 1)):
        limiter.acquire(operation, estimate)
        try:
            response = request()
        except openai.RateLimitError as exc:
            if _quota_exhausted(exc):
                raise
            backoff = min(0.5 * 2**attempt, 8.0) * (1 - 0.25 * random.random())  # noqa: S311
            delay = retry_after(exc)
            delay = backoff if delay is None else delay
            limiter.pause(operation, delay)
            if attempt == tries - 1:
                detail = map_openai_error(exc).args[0]
                raise RateLimited(operation, max(delay, 1.0), provider=PROVIDER, detail=detail) from exc
            continue
        used = account(response)
        if used is not None:
            limiter.settle(operation, estimate, used)
        return response
    raise AssertionError("unreachable")  # pragma: no cover


class OpenAIClientOwner:
    """What both OpenAI providers share: the client, the shared limiter and the tries per request."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_retries: int = 2,
        client: openai.OpenAI | None = None,
        limiter: RateLimiter | None = None,
    ):
        self.model = model
        self._api_key = api_key
        self._client = client or build_openai_client(api_key, base_url, timeout, max_retries)
        self._limiter = limiter or RateLimiter()
        self._tries = max_retries + 1

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._client.close()

    def ping(self) -> None:
        """Raise ProviderError unless the API answers and knows the model (a free call)."""
        try:
            self._client.models.retrieve(self.model)
        except openai.OpenAIError as exc:
            raise self._error(exc) from exc

    def _send(
        self, operation: str, estimate: int, request: Callable[[], T], account: Callable[[T], int | None]
    ) -> T:
        """`send` with this provider's limiter and tries."""
        return send(self._limiter, operation, estimate, request, tries=self._tries, account=account)

    def _error(self, exc: Exception) -> ProviderError:
        """The ProviderError for an SDK (or reply validation) exception, our key redacted."""
        return map_openai_error(exc, self._api_key)

    def _reported(self, operation: str, model: str | None, prompt: int, completion: int = 0) -> int:
        """Report one reply's tokens under the model it names (else ours); returns their sum."""
        usage.report(usage.Usage(operation, PROVIDER, model or self.model, prompt, completion))
        return prompt + completion
