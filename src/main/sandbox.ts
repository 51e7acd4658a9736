import { resolve } from 'node:path';
import { createLogger } from '../observability/logger.ts';
import { exitOnSignal } from '../runtime/shutdown.ts';
import { scenarioNames } from '../sandbox/scenario.ts';
import { startSandbox } from '../sandbox/start-sandbox.ts';
import { parseFlags, UsageError } from './args.ts';

export const SANDBOX_USAGE = `Usage: coxswain sandbox [--port P] [--scenario NAME]... [--kubeconfig FILE] [--no-metrics]
                       [--metrics-port P]
       coxswain sandbox --list

Serves a simulated Kubernetes API on http://127.0.0.1:P (default 6550) that kubectl and the
bot use like a real cluster. Scenarios load faults into it; without --scenario it runs "healthy".
--kubeconfig writes a kubeconfig whose current context is the sandbox.
--no-metrics turns off the metrics API (metrics.k8s.io) that kubectl top and HPAs read.
--metrics-port serves the cluster's state for Prometheus on http://127.0.0.1:P/metrics, in
kube-state-metrics and cAdvisor naming (deploy/prometheus/ has rules and a scrape config).
`;

/** `coxswain sandbox`: the simulated cluster, until a signal. */
export async function sandbox(args: readonly string[]): Promise<void> {
  const { values } = parseFlags('sandbox', args, {
    port: { type: 'string', default: '6550' },
    scenario: { type: 'string', multiple: true },
    kubeconfig: { type: 'string' },
    'no-metrics': { type: 'boolean', default: false },
    'metrics-port': { type: 'string' },
    list: { type: 'boolean', default: false },
  });
  if (values.list) {
    process.stdout.write(`${scenarioNames().join('\n')}\n`);
    return;
  }
  const port = portFlag('--port', values.port);
  const metricsPort =
    values['metrics-port'] === undefined
      ? undefined
      : portFlag('--metrics-port', values['metrics-port']);
  const scenarios = values.scenario ?? ['healthy'];
  const running = await startSandbox({
    scenarios,
    port,
    metrics: !values['no-metrics'],
    ...(metricsPort === undefined ? {} : { metricsPort }),
  });
  const lines = [`Sandbox Kubernetes API on ${running.url} (scenarios: ${scenarios.join(', ')})`];
  if (running.metricsUrl !== undefined) lines.push(`Prometheus metrics on ${running.metricsUrl}`);
  if (running.gitops !== undefined)
    lines.push(
      `Argo CD's GitOps repository: ${running.gitops.url} (git clone it, commit and push to change what Argo CD deploys)`,
    );
  if (values.kubeconfig !== undefined) {
    const file = resolve(values.kubeconfig);
    running.writeKubeconfig(file);
    lines.push(`Kubeconfig written to ${file}; try: KUBECONFIG=${file} kubectl get pods -A`);
  }
  lines.push('Press Ctrl-C to stop.', '');
  process.stdout.write(lines.join('\n'));
  exitOnSignal(createLogger('warn'), () => running.close());
}

function portFlag(flag: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`coxswain sandbox: ${flag} must be a port number, got "${value}"`);
  }
  return port;
}
