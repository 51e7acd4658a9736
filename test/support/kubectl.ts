import { spawn } from 'node:child_process';

export type KubectlResult = { code: number | null; stdout: string; stderr: string };

/**
 * Runs the real kubectl with a kubeconfig and its own discovery cache; a run longer than
 * `timeoutMs` is killed (code null).
 */
export function runKubectl(
  env: { kubeconfig: string; cacheDir: string },
  args: string[],
  input = '',
  timeoutMs = 20_000,
): Promise<KubectlResult> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', args, {
      env: { ...process.env, KUBECONFIG: env.kubeconfig, KUBECACHEDIR: env.cacheDir },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) =>
      resolve({ code: null, stdout, stderr: `${stderr}${error.message}` }),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
