import type { Config } from '../config/index.ts';
import { freePort } from '../runtime/embedded-redis.ts';
import {
  type LocalMonitoring,
  missingMonitoringBinaries,
  startLocalMonitoring,
} from '../runtime/local-monitoring.ts';

/**
 * The demo's Prometheus and Alertmanager, when this machine has them: ports chosen first, so
 * that the worker's PROMETHEUS_URL and ALERTMANAGER_URL can name them before anything starts;
 * started once the webhook they send to listens. Without the binaries the demo runs without
 * them, and says how to get them.
 */
export type DemoMonitoring =
  | { kind: 'missing'; binaries: string[] }
  | { kind: 'planned'; prometheusUrl: string; alertmanagerUrl: string; ports: Ports };

type Ports = { prometheus: number; alertmanager: number };

export async function planDemoMonitoring(): Promise<DemoMonitoring> {
  const missing = missingMonitoringBinaries();
  if (missing.length > 0) return { kind: 'missing', binaries: missing };
  const [prometheus, alertmanager] = await Promise.all([freePort(), freePort()]);
  return {
    kind: 'planned',
    prometheusUrl: `http://127.0.0.1:${prometheus}`,
    alertmanagerUrl: `http://127.0.0.1:${alertmanager}`,
    ports: { prometheus, alertmanager },
  };
}

/** The worker's metrics tools read the demo's own Prometheus and Alertmanager. */
export function monitoringEnv(plan: DemoMonitoring): Record<string, string> {
  return plan.kind === 'planned'
    ? { PROMETHEUS_URL: plan.prometheusUrl, ALERTMANAGER_URL: plan.alertmanagerUrl }
    : {};
}

/**
 * Starts them: Prometheus scraping the sandbox's metrics with the shipped rules and intervals,
 * Alertmanager sending to the demo's webhook with the credentials it asks for.
 */
export async function startDemoMonitoring(
  plan: Extract<DemoMonitoring, { kind: 'planned' }>,
  metricsUrl: string,
  webhookUrl: string,
  config: Config,
): Promise<LocalMonitoring> {
  return startLocalMonitoring({
    target: new URL(metricsUrl).host,
    webhook: {
      url: webhookUrl,
      token: config.alertmanager.token,
      basic: config.alertmanager.basic,
    },
    ports: plan.ports,
  });
}

/** The demo's lines about them. */
export function monitoringLines(
  plan: DemoMonitoring,
  started: LocalMonitoring | undefined,
  failure: string | undefined,
): string[] {
  if (plan.kind === 'missing')
    return [
      `  Prometheus            not started (${plan.binaries.join(' and ')} not on the PATH): apt-get install prometheus prometheus-alertmanager, and the sandbox's alerts reach #alerts`,
    ];
  if (started === undefined)
    return [`  Prometheus            not started: ${failure ?? 'unknown failure'}`];
  return [
    `  Prometheus            ${started.prometheusUrl}/   (scraping the sandbox with deploy/prometheus/'s rules; KubePodCrashLooping fires after its for: 15m)`,
    `  Alertmanager          ${started.alertmanagerUrl}/   (sends to the webhook above, into #alerts)`,
  ];
}
