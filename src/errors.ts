/**
 * The product's one error type. Callers branch on `code`; the original failure travels as `cause`
 * so logs keep the full story while messages stay fit to show a person.
 */
type ErrorCode =
  | 'config_invalid'
  | 'redis_server_missing'
  | 'redis_server_failed'
  | 'monitoring_failed'
  | 'redis_unavailable'
  | 'kubernetes_api'
  | 'kubernetes_config'
  | 'target_changed'
  | 'no_change'
  | 'forbidden_change'
  | 'chat_unavailable'
  | 'metrics_unavailable'
  | 'metrics_query'
  | 'git'
  | 'forge'
  | 'silence'
  | 'usage';

export class CoxswainError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CoxswainError';
    this.code = code;
  }
}
