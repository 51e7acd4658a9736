/** What stands in for a secret wherever one is removed. */
export const REDACTED = '[redacted]';
