/**
 * What every metrics tool runs with: the Prometheus and Alertmanager base URLs from the config
 * (either may be unset) and how long one request may take before the tool gives up.
 */
export type MetricsContext = {
  prometheusUrl: string | undefined;
  alertmanagerUrl: string | undefined;
  /** 5 s when unset: an answer goes on without metrics rather than wait for them. */
  timeoutMs?: number;
};

export const DEFAULT_METRICS_TIMEOUT_MS = 5_000;
