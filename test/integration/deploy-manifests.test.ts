import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { Env } from '../../src/config/env.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { strictProblems } from '../support/kubernetes-schema.ts';

/**
 * deploy/kubernetes/: every overlay rendered by `kubectl kustomize`, each object checked against
 * the Kubernetes (and Prometheus Operator) schemas, and the rules an SRE would check by hand:
 * least-privilege RBAC, probes, resources and a restricted security context on every container,
 * the environment contract, and alert rules on metrics the product really exports.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const KUBE = join(ROOT, 'deploy/kubernetes');
const OVERLAYS = ['small', 'ha'] as const;

// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are arbitrary YAML, checked here field by field.
type Obj = Record<string, any>;

function render(overlay: string): Obj[] {
  const text = execFileSync('kubectl', ['kustomize', join(KUBE, 'overlays', overlay)], {
    encoding: 'utf8',
  });
  return parseAllDocuments(text).map((doc) => doc.toJSON() as Obj);
}

const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, render(o)])) as Record<
  (typeof OVERLAYS)[number],
  Obj[]
>;
const everything = OVERLAYS.flatMap((overlay) =>
  rendered[overlay].map((obj) => ({ overlay, obj })),
);
const named = (obj: Obj) => `${obj.kind}/${obj.metadata?.namespace ?? '-'}/${obj.metadata?.name}`;

function onPath(command: string): boolean {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

type ModelClass = { apiVersion: string; kind: string; new (data: unknown): { validate(): void } };

/** Every model class of the packages, by apiVersion and kind, found by walking their exports. */
async function modelClasses(): Promise<Map<string, ModelClass>> {
  const models = new Map<string, ModelClass>();
  for (const pkg of ['kubernetes-models', '@kubernetes-models/prometheus-operator']) {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8'),
    ) as { exports: Record<string, unknown> };
    const versions = Object.keys(manifest.exports).filter((key) =>
      /^\.\/([^/*]+\/)?v\d+((alpha|beta)\d+)?$/.test(key),
    );
    for (const version of versions) {
      const module = (await import(`${pkg}/${version.slice(2)}`)) as Record<string, unknown>;
      for (const value of Object.values(module)) {
        const model = value as Partial<ModelClass>;
        if (typeof value === 'function' && typeof model.kind === 'string' && model.apiVersion)
          models.set(`${model.apiVersion}/${model.kind}`, value as ModelClass);
      }
    }
  }
  return models;
}

function podSpecs(objects: Obj[]): { owner: string; spec: Obj }[] {
  return objects
    .filter((obj) => ['Deployment', 'StatefulSet', 'DaemonSet', 'Job'].includes(obj.kind))
    .map((obj) => ({ owner: named(obj), spec: obj.spec.template.spec as Obj }));
}

const coxswainContainers = (objects: Obj[]) =>
  podSpecs(objects).flatMap(({ owner, spec }) =>
    (spec.containers as Obj[])
      .filter((c) => c.name === 'coxswain')
      .map((container) => ({ owner, spec, container })),
  );

const envOf = (container: Obj) =>
  new Map((container.env as Obj[]).map((e) => [e.name as string, e as Obj]));

describe('the rendered manifests', () => {
  it('are valid objects of kinds the schemas know', async () => {
    const models = await modelClasses();
    const problems: string[] = [];

    for (const { overlay, obj } of everything) {
      const model = models.get(`${obj.apiVersion}/${obj.kind}`);
      if (model === undefined) {
        problems.push(`${overlay}: ${named(obj)}: no schema for ${obj.apiVersion} ${obj.kind}`);
        continue;
      }
      try {
        new model(obj).validate();
      } catch (error) {
        problems.push(`${overlay}: ${named(obj)}: ${(error as Error).message}`);
      }
    }

    expect(models.size).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it('are checked for fields no type declares, which the validators let through', () => {
    const misspelt = {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: {
        containers: [{ name: 'c', livenessprobe: {}, readinessProbe: { httpGet: { hots: 'x' } } }],
      },
    };

    expect(strictProblems(misspelt)).toEqual([
      'Pod.spec.containers[0].livenessprobe: no such field',
      'Pod.spec.containers[0].readinessProbe.httpGet.hots: no such field',
    ]);
  });

  it('have no fields the schemas do not define (the validators above allow unknown ones)', () => {
    const problems = everything.flatMap(({ overlay, obj }) =>
      strictProblems(obj as { apiVersion: string; kind: string }).map(
        (p) => `${overlay}: ${named(obj)}: ${p}`,
      ),
    );

    expect(problems).toEqual([]);
  });

  it('put everything in the coxswain namespace but the writer RBAC of the bound namespaces', () => {
    const elsewhere = everything
      .filter(({ obj }) => obj.metadata.namespace !== undefined)
      .filter(({ obj }) => obj.metadata.namespace !== 'coxswain')
      .map(({ obj }) => named(obj));
    const clusterScoped = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
    const unplaced = everything
      .filter(({ obj }) => obj.metadata.namespace === undefined && !clusterScoped.has(obj.kind))
      .map(({ obj }) => named(obj));

    expect(unplaced).toEqual([]);
    expect(elsewhere.length).toBeGreaterThan(0);
    expect(
      elsewhere.filter((n) => !/^(Role|RoleBinding)\/[a-z0-9-]+\/coxswain-writer$/.test(n)),
    ).toEqual([]);
  });
});

const FORBIDDEN_RESOURCES = [
  'secrets',
  'pods/exec',
  'pods/attach',
  'pods/portforward',
  'pods/proxy',
  'nodes/proxy',
  'services/proxy',
  'serviceaccounts/token',
];

describe.each(OVERLAYS)('RBAC of %s', (overlay) => {
  const roles = rendered[overlay].filter(
    (obj) => obj.kind === 'Role' || obj.kind === 'ClusterRole',
  );
  const bindings = rendered[overlay].filter(
    (obj) => obj.kind === 'RoleBinding' || obj.kind === 'ClusterRoleBinding',
  );
  const rulesOf = (roleRef: Obj, namespace: string | undefined) =>
    roles
      .filter((r) => r.kind === roleRef.kind && r.metadata.name === roleRef.name)
      .filter((r) => r.kind === 'ClusterRole' || r.metadata.namespace === namespace)
      .flatMap((r) => r.rules as Obj[]);
  const rulesFor = (serviceAccount: string) =>
    bindings
      .filter((b) =>
        (b.subjects as Obj[]).some((s) => s.kind === 'ServiceAccount' && s.name === serviceAccount),
      )
      .flatMap((b) => rulesOf(b.roleRef, b.metadata.namespace));

  it('grants no wildcard, no Secret, and no way into a container', () => {
    const problems = roles.flatMap((role) =>
      (role.rules as Obj[]).flatMap((rule) => {
        const found: string[] = [];
        for (const field of ['verbs', 'resources', 'apiGroups', 'resourceNames'])
          if ((rule[field] ?? []).includes('*')) found.push(`${field}: *`);
        for (const resource of rule.resources ?? [])
          if (FORBIDDEN_RESOURCES.includes(resource)) found.push(`resource ${resource}`);
        if ((rule.verbs as string[]).some((v) => ['escalate', 'bind'].includes(v)))
          found.push('escalate or bind');
        if (rule.nonResourceURLs !== undefined) found.push('nonResourceURLs');
        return found.map((f) => `${named(role)}: ${f}`);
      }),
    );

    expect(roles.length).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });

  it("lets the bot's service account touch only its Lease", () => {
    const rules = rulesFor('coxswain-bot');

    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.apiGroups).toEqual(['coordination.k8s.io']);
      expect(rule.resources).toEqual(['leases']);
      if (rule.verbs.includes('create')) expect(rule.verbs).toEqual(['create']);
      else expect(rule.resourceNames).toEqual(['coxswain-bot']);
    }
  });

  it('lets the worker read, and write only by impersonating coxswain-writer', () => {
    const rules = rulesFor('coxswain-worker');
    const writes = rules.filter((rule) =>
      (rule.verbs as string[]).some((v) => !['get', 'list', 'watch'].includes(v)),
    );

    expect(rules.some((r) => r.resources.includes('pods/log'))).toBe(true);
    expect(writes).toEqual([
      {
        apiGroups: [''],
        resources: ['serviceaccounts'],
        resourceNames: ['coxswain-writer'],
        verbs: ['impersonate'],
      },
    ]);
  });

  it('gives coxswain-writer writes only, only where a confirm binding reaches, and no token', () => {
    const config = parse(
      readFileSync(join(KUBE, 'overlays', overlay, 'coxswain.yaml'), 'utf8'),
    ) as { bindings: { namespaces?: string[]; maxTier?: string }[] };
    const bound = config.bindings
      .filter((binding) => binding.maxTier === 'confirm')
      .flatMap((binding) => binding.namespaces ?? []);
    const writerRoles = bindings
      .filter((b) => (b.subjects as Obj[]).some((s) => s.name === 'coxswain-writer'))
      .map((b) => b.metadata.namespace as string);
    const granted = rulesFor('coxswain-writer').flatMap((rule) =>
      (rule.resources as string[]).flatMap((r) => (rule.verbs as string[]).map((v) => `${r}:${v}`)),
    );
    const writer = rendered[overlay].find(
      (obj) => obj.kind === 'ServiceAccount' && obj.metadata.name === 'coxswain-writer',
    );

    expect(new Set(writerRoles)).toEqual(new Set(bound));
    expect(bound.every((ns) => !ns.includes('*') && ns !== 'coxswain')).toBe(true);
    expect(granted.length).toBeGreaterThan(0);
    expect(
      granted.filter(
        (g) =>
          !/^[a-z./]+:(patch|update|delete|list|get)$/.test(g) ||
          /^(secrets|serviceaccounts|roles|rolebindings|nodes)[:/]/.test(g),
      ),
    ).toEqual([]);
    expect(writer?.automountServiceAccountToken).toBe(false);
  });
});

describe('containers', () => {
  const specs = everything.flatMap(({ overlay, obj }) =>
    podSpecs([obj]).map((p) => ({ ...p, overlay })),
  );

  it('each have probes, requests, limits and a restricted security context', () => {
    const problems: string[] = [];
    for (const { overlay, owner, spec } of specs) {
      const pod = spec.securityContext ?? {};
      const all = [
        ...(spec.containers as Obj[]).map((c) => ({ c, init: false })),
        ...((spec.initContainers ?? []) as Obj[]).map((c) => ({ c, init: true })),
      ];
      for (const { c, init } of all) {
        const where = `${overlay}: ${owner}: ${c.name}`;
        const sc = c.securityContext ?? {};
        if (!init && (c.livenessProbe === undefined || c.readinessProbe === undefined))
          problems.push(`${where}: needs liveness and readiness probes`);
        for (const kind of ['requests', 'limits'])
          for (const resource of ['cpu', 'memory'])
            if (c.resources?.[kind]?.[resource] === undefined)
              problems.push(`${where}: no ${resource} ${kind}`);
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true)
          problems.push(`${where}: may run as root`);
        if ((sc.runAsUser ?? pod.runAsUser ?? 0) === 0)
          problems.push(`${where}: no non-root user id`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: writable root filesystem`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: may escalate`);
        if (JSON.stringify(sc.capabilities) !== JSON.stringify({ drop: ['ALL'] }))
          problems.push(`${where}: capabilities not dropped`);
        if ((sc.seccompProfile ?? pod.seccompProfile)?.type !== 'RuntimeDefault')
          problems.push(`${where}: no RuntimeDefault seccomp profile`);
        if (sc.privileged === true) problems.push(`${where}: privileged`);
      }
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC'])
        if (spec[field] === true) problems.push(`${overlay}: ${owner}: ${field}`);
      if ((spec.volumes ?? []).some((v: Obj) => v.hostPath !== undefined))
        problems.push(`${overlay}: ${owner}: hostPath volume`);
    }

    expect(specs.length).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
  });

  it("probe Coxswain's /healthz and /readyz on the port of its role, with /tmp writable", () => {
    const found = OVERLAYS.flatMap((overlay) =>
      coxswainContainers(rendered[overlay]).map(({ spec, container }) => {
        const ports = new Map((container.ports as Obj[]).map((p) => [p.name, p.containerPort]));
        const env = envOf(container);
        const role = container.args[0] as string;
        const wanted = role === 'worker' ? env.get('WORKER_PORT')?.value : env.get('PORT')?.value;
        const tmp = (container.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
        const volume = (spec.volumes as Obj[]).find((v) => v.name === tmp?.name);
        return {
          role,
          liveness: [
            container.livenessProbe.httpGet.path,
            ports.get(container.livenessProbe.httpGet.port),
          ],
          readiness: [
            container.readinessProbe.httpGet.path,
            ports.get(container.readinessProbe.httpGet.port),
          ],
          port: Number(wanted),
          tmp: volume?.emptyDir !== undefined,
        };
      }),
    );

    expect(found.map((f) => f.role).sort()).toEqual(['all', 'bot', 'worker']);
    for (const f of found) {
      expect(f.liveness).toEqual(['/healthz', f.port]);
      expect(f.readiness).toEqual(['/readyz', f.port]);
      expect(f.port).toBe(f.role === 'worker' ? 8081 : 8080);
      expect(f.tmp).toBe(true);
    }
  });
});

describe('the environment', () => {
  it("sets only variables the product reads, and Node's own options", () => {
    const known = new Set([...Object.keys(Env.shape), 'NODE_OPTIONS']);
    const unknown = OVERLAYS.flatMap((overlay) =>
      coxswainContainers(rendered[overlay]).flatMap(({ container }) =>
        [...envOf(container).keys()].filter((name) => !known.has(name)),
      ),
    );

    expect(unknown).toEqual([]);
  });

  it('hands the chat tokens to the bots only, and the model key to the workers only', () => {
    const ha = new Map(
      coxswainContainers(rendered.ha).map(({ container }) => [container.args[0], envOf(container)]),
    );
    const chat = ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_TOKEN'];

    expect(chat.filter((name) => ha.get('worker')?.has(name))).toEqual([]);
    expect(chat.filter((name) => !ha.get('bot')?.has(name))).toEqual([]);
    expect(ha.get('worker')?.has('ANTHROPIC_API_KEY')).toBe(true);
    expect(ha.get('bot')?.has('ANTHROPIC_API_KEY')).toBe(false);
  });

  it('follows the contract: a Lease for the bots, sentinels in ha, a Redis URL in small', () => {
    const ha = new Map(
      coxswainContainers(rendered.ha).map(({ container }) => [container.args[0], envOf(container)]),
    );
    const small = envOf(coxswainContainers(rendered.small)[0]?.container ?? { env: [] });
    const bot = ha.get('bot');

    expect(bot?.get('LEADER_LEASE')?.value).toBe('coxswain-bot');
    expect(Number(bot?.get('LEADER_LEASE_SECONDS')?.value)).toBeGreaterThan(0);
    expect(bot?.get('POD_NAME')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    for (const env of ha.values()) {
      expect(env.get('REDIS_SENTINELS')?.value).toMatch(
        /^([a-z0-9.-]+:\d+)(,[a-z0-9.-]+:\d+){2,}$/,
      );
      expect(env.get('REDIS_SENTINEL_NAME')?.value).toBe('coxswain');
      expect(env.get('REDIS_PASSWORD')?.valueFrom.secretKeyRef.key).toBe('REDIS_PASSWORD');
      expect(env.has('REDIS_URL')).toBe(false);
    }
    expect(small.get('REDIS_URL')?.value).toBe('redis://coxswain-redis:6379');
    expect(ha.get('bot')?.has('ANTHROPIC_API_KEY')).toBe(false);
  });

  it('reads every secret from the template, which holds no value but placeholders', () => {
    const template = parseAllDocuments(
      readFileSync(join(KUBE, 'base/secret.example.yaml'), 'utf8'),
    )[0]?.toJSON() as Obj;
    const referenced = new Set(
      everything.flatMap(({ obj }) =>
        podSpecs([obj]).flatMap(({ spec }) =>
          [...(spec.containers as Obj[]), ...((spec.initContainers ?? []) as Obj[])].flatMap((c) =>
            ((c.env ?? []) as Obj[])
              .map((e) => e.valueFrom?.secretKeyRef)
              .filter((ref) => ref !== undefined)
              .map((ref) => `${ref.name}/${ref.key}`),
          ),
        ),
      ),
    );
    const keys = Object.keys(template.stringData);

    expect(
      [...referenced].filter((ref) => !keys.map((k) => `coxswain/${k}`).includes(ref)),
    ).toEqual([]);
    expect(
      Object.values(template.stringData).filter((v) => v !== 'REPLACE_ME' && v !== ''),
    ).toEqual([]);
    expect(keys.filter((k) => !(k in Env.shape))).toEqual([]);
    expect(rendered.small.some((obj) => obj.kind === 'Secret')).toBe(false);
  });
});

describe('Redis', () => {
  it('keeps every write and evicts nothing', () => {
    for (const overlay of OVERLAYS) {
      const config = rendered[overlay].find(
        (obj) => obj.kind === 'ConfigMap' && obj.metadata.name.startsWith('coxswain-redis'),
      );
      const conf = config?.data['redis.conf'] as string;

      expect(conf).toMatch(/^appendonly yes$/m);
      expect(conf).toMatch(/^appendfsync everysec$/m);
      expect(conf).toMatch(/^maxmemory-policy noeviction$/m);
    }
  });

  it('takes connections only from Coxswain, Redis and the sentinels', () => {
    const policies = rendered.ha.filter((obj) => obj.kind === 'NetworkPolicy');
    const defaultDeny = policies.find(
      (p) =>
        Object.keys(p.spec.podSelector).length === 0 &&
        p.spec.ingress === undefined &&
        p.spec.egress === undefined,
    );
    const redis = policies.filter(
      (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'coxswain-redis',
    );
    const sources = redis.flatMap((p) =>
      (p.spec.ingress as Obj[]).flatMap((rule) =>
        (rule.from as Obj[]).map((peer) => JSON.stringify(peer)),
      ),
    );

    expect(defaultDeny?.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(sources).toEqual([
      JSON.stringify({
        podSelector: {
          matchExpressions: [
            {
              key: 'app.kubernetes.io/name',
              operator: 'In',
              values: ['coxswain', 'coxswain-redis', 'coxswain-sentinel'],
            },
          ],
        },
      }),
    ]);
  });
});

/** The metric names a Coxswain process exports: its registry's, and those registered elsewhere. */
async function exportedMetrics(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const metric of await createMetrics().registry.getMetricsAsJSON()) names.add(metric.name);
  const sources = readdirSync(join(ROOT, 'src'), { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.test.ts'),
  );
  for (const file of sources)
    for (const match of readFileSync(join(ROOT, 'src', file), 'utf8').matchAll(
      /name: '(coxswain_[a-z_]+)'/g,
    ))
      names.add(match[1] as string);
  for (const name of [...names])
    for (const s of ['_bucket', '_sum', '_count']) names.add(`${name}${s}`);
  return names;
}

describe('monitoring', () => {
  const rules = rendered.ha
    .filter((obj) => obj.kind === 'PrometheusRule')
    .flatMap((obj) => (obj.spec.groups as Obj[]).flatMap((g) => g.rules as Obj[]));

  it('alerts only on metrics the product exports', async () => {
    const exported = await exportedMetrics();
    const used = rules.map((rule) => ({
      alert: rule.alert as string,
      metrics: [...(rule.expr as string).matchAll(/\b(coxswain_[a-z_]+|up)\b/g)].map((m) => m[1]),
    }));

    expect(exported.has('coxswain_queue_jobs')).toBe(true);
    expect(used.filter((u) => u.metrics.length === 0)).toEqual([]);
    expect(
      used.flatMap((u) => u.metrics.filter((m) => m !== 'up' && !exported.has(m ?? ''))),
    ).toEqual([]);
    expect(used.map((u) => u.alert)).toEqual(
      expect.arrayContaining([
        'CoxswainQueueBacklog',
        'CoxswainJobsFailing',
        'CoxswainNoLeader',
        'CoxswainSeveralLeaders',
      ]),
    );
  });

  // Debian's prometheus package ships promtool; this machine may not have it.
  it.skipIf(!onPath('promtool'))('passes promtool check rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'coxswain-rules-'));
    const file = join(dir, 'rules.yaml');
    const groups = rendered.ha
      .filter((obj) => obj.kind === 'PrometheusRule')
      .flatMap((obj) => obj.spec.groups as Obj[]);
    writeFileSync(file, stringify({ groups }));

    const out = execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });

    expect(out).toContain('SUCCESS');
  });

  it('scrapes ports that the Services have', () => {
    const monitor = rendered.ha.find((obj) => obj.kind === 'ServiceMonitor');
    const ports = rendered.ha
      .filter((obj) => obj.kind === 'Service')
      .filter((s) => s.metadata.labels?.['app.kubernetes.io/name'] === 'coxswain')
      .flatMap((s) => (s.spec.ports as Obj[]).map((p) => p.name));

    expect(((monitor?.spec.endpoints ?? []) as Obj[]).map((e) => e.port).sort()).toEqual(
      [...new Set(ports)].sort(),
    );
  });
});

describe('the prompts and workflows ConfigMaps', () => {
  it('start as copies of the shipped files', () => {
    const shipped = (dir: string) =>
      (readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }) as string[])
        .filter((f) => /\.(md|ya?ml)$/.test(f) && !f.endsWith('README.md'))
        .map((f) => [f.split('/').at(-1), readFileSync(join(ROOT, dir, f), 'utf8')]);

    for (const dir of ['prompts', 'workflows']) {
      const configMap = rendered.small.find(
        (obj) => obj.kind === 'ConfigMap' && obj.metadata.name.startsWith(`coxswain-${dir}-`),
      );
      expect(configMap?.data).toEqual(Object.fromEntries(shipped(dir)));
    }
  });
});
