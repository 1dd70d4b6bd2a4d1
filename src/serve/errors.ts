/** Errors an API client sees, as OpenAI error objects `{"error": {"message", "type", "param", "code"}}`. */

/** An error answered with an HTTP status and an OpenAI-shaped body. */
export class ApiError extends Error {
  /** Creates an error; `param` names the request field at fault, `code` is a stable machine-readable word. */
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The JSON body of the response. */
  toJSON(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** 400: the request is malformed or a field is invalid. */
export function badRequest(message: string, param: string | null = null, code = 'invalid_value'): ApiError {
  return new ApiError(400, message, 'invalid_request_error', code, param);
}

/** 401: missing or wrong API key. */
export function unauthorized(): ApiError {
  return new ApiError(
    401,
    'missing or invalid API key: send it as "Authorization: Bearer KEY"',
    'authentication_error',
    'invalid_api_key',
  );
}

/** 403: the request comes from a web page or host name the server does not answer to. */
export function forbidden(message: string, code: string): ApiError {
  return new ApiError(403, message, 'permission_error', code);
}

/** 404: no such route, model or stored object. */
export function notFound(message: string, code = 'not_found', param: string | null = null): ApiError {
  return new ApiError(404, message, 'invalid_request_error', code, param);
}

/** 413: the request body is larger than the server accepts. */
export function tooLarge(limit: number): ApiError {
  return new ApiError(
    413,
    `request body is larger than ${limit} bytes`,
    'invalid_request_error',
    'request_too_large',
  );
}

/** 415: a JSON route was sent a body that does not say it is JSON. */
export function unsupportedMediaType(got: string | undefined): ApiError {
  return new ApiError(
    415,
    `the request body must be sent with 'Content-Type: application/json'` +
      (got ? ` (got '${got}')` : ' (none was given)'),
    'invalid_request_error',
    'unsupported_media_type',
  );
}

/** 429: the generation queue is full. */
export function queueFull(): ApiError {
  return new ApiError(
    429,
    'the server is busy: too many requests are waiting; retry shortly',
    'rate_limit_error',
    'queue_full',
  );
}

/** 503: models are still loading. */
export function notReady(): ApiError {
  return new ApiError(
    503,
    'the server is still loading its models; retry shortly',
    'server_error',
    'not_ready',
  );
}
