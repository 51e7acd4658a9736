import Anthropic from '@anthropic-ai/sdk';

/**
 * The Anthropic client the agents use. The SDK retries 429, 529 and connection failures with
 * back-off (honouring Retry-After); beyond that the run's job is retried from its checkpoint.
 */
type ModelSettings = { apiKey: string; baseUrl?: string | undefined };

export function createModelClient(settings: ModelSettings, maxRetries = 4): Anthropic {
  return new Anthropic({
    apiKey: settings.apiKey,
    ...(settings.baseUrl === undefined ? {} : { baseURL: settings.baseUrl }),
    maxRetries,
    timeout: 120_000,
  });
}
