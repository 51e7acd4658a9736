/**
 * An error that knows its HTTP answer. The message is shown to the caller, so it says what was
 * wrong with the request and never echoes secrets or internals.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    message: string,
    options?: { headers?: Record<string, string>; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HttpError';
    this.status = status;
    this.headers = options?.headers ?? {};
  }
}
