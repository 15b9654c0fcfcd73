"""What the OpenAI analyser and embedder share: client construction, token estimates, error mapping."""

from __future__ import annotations

import math
import re

import httpx2
import openai
import pydantic

from app.providers.errors import ProviderConfigError, ProviderError

PROVIDER = "openai"

# Statuses worth another try later. The SDK already retried them `max_retries` times with its
# own backoff; a ProviderError(retryable=True) hands the next layer (the job queue) the rest.
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


def build_openai_client(
    api_key: str, base_url: str | None, timeout: float, max_retries: int
) -> openai.OpenAI:
    """One configured `openai.OpenAI`; the SDK's own retries (with backoff) stay on."""
    if not api_key:
        raise ProviderConfigError("OPENAI_API_KEY is not set", provider=PROVIDER)
    return openai.OpenAI(
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


class OpenAIClientOwner:
    """What both OpenAI providers do with the client they hold (`_client`, `_api_key`, `model`)."""

    _client: openai.OpenAI
    _api_key: str
    model: str

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._client.close()

    def ping(self) -> None:
        """Raise ProviderError unless the API answers and knows the model (a free call)."""
        try:
            self._client.models.retrieve(self.model)
        except openai.OpenAIError as exc:
            raise map_openai_error(exc, self._api_key) from exc
