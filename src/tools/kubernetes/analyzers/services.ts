import type {
  CoreV1Event,
  V1EndpointSlice,
  V1Pod,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';
import { eventsAbout, type Finding, type ObjectRef, refOf, type Snapshot } from './finding.ts';

/**
 * Findings about Services that send traffic nowhere: a selector that matches no pod, pods none of
 * which is ready (the EndpointSlices list no ready endpoint), or a targetPort the pods do not
 * expose. Services without a selector (ExternalName, endpoints kept by hand) are not judged.
 */
export function analyzeServices(snapshot: Snapshot): Finding[] {
  return snapshot.services.flatMap((service) => {
    const balancer = loadBalancerFinding(service, snapshot.events);
    return [...(balancer ? [balancer] : []), ...serviceFindings(service, snapshot)];
  });
}

/** How long the service controller may keep ensuring a load balancer before it counts as stuck. */
const ENSURING_STUCK_MS = 10 * 60_000;

/**
 * A LoadBalancer Service the cloud controller gave no address: its SyncLoadBalancerFailed event
 * says why (no suitable subnets, a quota, a bad annotation), in the controller's own words. Without
 * one, EnsuringLoadBalancer repeated for ten minutes or more is a controller stuck or silent.
 */
function loadBalancerFinding(
  service: V1Service,
  events: readonly CoreV1Event[],
): Finding | undefined {
  if (service.spec?.type !== 'LoadBalancer') return undefined;
  if ((service.status?.loadBalancer?.ingress ?? []).length > 0) return undefined;
  const ref = refOf('Service', service);
  const about = (reason: string) =>
    events
      .filter(
        (e) =>
          e.reason === reason &&
          e.involvedObject?.kind === 'Service' &&
          e.involvedObject.name === ref.name &&
          e.involvedObject.namespace === ref.namespace,
      )
      .sort((a, b) => eventTime(b, 'last') - eventTime(a, 'last'));
  const failed = about('SyncLoadBalancerFailed')[0];
  const ensuring = about('EnsuringLoadBalancer')[0];
  const common = {
    rule: 'service/load-balancer-failed',
    severity: 'critical' as const,
    object: ref,
    title: `service ${ref.name} has no load balancer address`,
  };
  const status = `Service ${ref.name} status.loadBalancer.ingress: (none)`;
  const type = `Service ${ref.name} spec.type: LoadBalancer`;
  if (failed !== undefined) {
    const message = (failed.message ?? '').trim() || 'no message given';
    return {
      ...common,
      cause: `the cloud controller failed to create its load balancer: ${message}`,
      confidence: 'certain',
      confidenceReason: 'the service controller reported SyncLoadBalancerFailed for it',
      evidence: [
        type,
        status,
        ...eventsAbout(events, ref, ['SyncLoadBalancerFailed', 'EnsuringLoadBalancer'], 2),
      ],
    };
  }
  if (ensuring === undefined) return undefined;
  const span = eventTime(ensuring, 'last') - eventTime(ensuring, 'first');
  if (span < ENSURING_STUCK_MS) return undefined;
  return {
    ...common,
    severity: 'warning',
    cause: `the cloud controller has been ensuring its load balancer for ${Math.round(span / 60_000)} minutes without giving it an address, and reported no error`,
    confidence: 'unsure',
    confidenceReason:
      'EnsuringLoadBalancer keeps repeating with no failure event: the cloud controller may be stuck, or its errors logged elsewhere',
    evidence: [type, status, ...eventsAbout(events, ref, ['EnsuringLoadBalancer'], 1)],
  };
}

function eventTime(event: CoreV1Event, which: 'first' | 'last'): number {
  const at =
    (which === 'first' ? event.firstTimestamp : event.lastTimestamp) ??
    event.eventTime ??
    event.metadata?.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime() || 0;
}

function serviceFindings(service: V1Service, snapshot: Snapshot): Finding[] {
  const selector = service.spec?.selector ?? {};
  if (service.spec?.type === 'ExternalName' || Object.keys(selector).length === 0) return [];
  const ref = refOf('Service', service);
  const namespace = service.metadata?.namespace;
  const inNamespace = snapshot.pods.filter((p) => p.metadata?.namespace === namespace);
  // Pods that ended (a Job's) or are going away take no traffic, wanted or not.
  const selected = inNamespace.filter(
    (p) =>
      selects(selector, p) &&
      p.metadata?.deletionTimestamp === undefined &&
      p.status?.phase !== 'Succeeded' &&
      p.status?.phase !== 'Failed',
  );
  const selectorText = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  if (selected.length === 0) return [noPods(ref, selectorText, selector, inNamespace)];
  const findings = portFindings(service, ref, selected);
  const slices = slicesOf(ref, snapshot.endpointSlices);
  if (!selected.some(podReady)) findings.unshift(noneReady(ref, snapshot.events, selected, slices));
  return findings;
}

function selects(selector: Record<string, string>, pod: V1Pod): boolean {
  const labels = pod.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function podReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

function noPods(
  ref: ObjectRef,
  selectorText: string,
  selector: Record<string, string>,
  pods: readonly V1Pod[],
): Finding {
  const near = nearMisses(selector, pods);
  const first = near[0];
  return {
    rule: 'service/no-matching-pods',
    severity: 'warning',
    object: ref,
    title: `service ${ref.name} selects no pods`,
    cause:
      first !== undefined
        ? `its selector ${selectorText} matches no pod; pod ${first.pod} has ${first.key}=${first.has ?? '(absent)'} instead of ${first.key}=${first.wanted}`
        : `its selector ${selectorText} matches no pod in namespace ${ref.namespace ?? '?'}`,
    confidence: 'certain',
    confidenceReason: "no pod read carries all the selector's labels",
    evidence: [
      `Service ${ref.name} spec.selector: ${selectorText}`,
      ...near.map((n) => `Pod ${n.pod} metadata.labels[${n.key}]: ${n.has ?? '(absent)'}`),
    ],
  };
}

type NearMiss = { pod: string; key: string; wanted: string; has: string | undefined };

/**
 * Pods that miss the selector by one label, what a typo or a renamed label looks like. With a
 * one-label selector every pod misses by one: there, only a value spelled nearly alike counts.
 */
function nearMisses(selector: Record<string, string>, pods: readonly V1Pod[]): NearMiss[] {
  const single = Object.keys(selector).length === 1;
  const seen = new Set<string>();
  const near: NearMiss[] = [];
  for (const pod of pods) {
    const off = Object.entries(selector).filter(([k, v]) => pod.metadata?.labels?.[k] !== v);
    const [key, wanted] = off[0] ?? [];
    if (off.length !== 1 || key === undefined || wanted === undefined) continue;
    const has = pod.metadata?.labels?.[key];
    if (single && (has === undefined || distance(has, wanted) > Math.max(2, wanted.length / 5)))
      continue;
    if (seen.has(`${key}=${has}`)) continue;
    seen.add(`${key}=${has}`);
    near.push({ pod: pod.metadata?.name ?? '?', key, wanted, has });
  }
  return near.slice(0, 2);
}

/** Levenshtein distance, for label values short enough that the quadratic cost is nothing. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    previous = row;
  }
  return previous[b.length] ?? 0;
}

function slicesOf(ref: ObjectRef, slices: readonly V1EndpointSlice[]): V1EndpointSlice[] {
  return slices.filter(
    (s) =>
      s.metadata?.labels?.['kubernetes.io/service-name'] === ref.name &&
      s.metadata?.namespace === ref.namespace,
  );
}

function noneReady(
  ref: ObjectRef,
  events: readonly CoreV1Event[],
  pods: readonly V1Pod[],
  slices: readonly V1EndpointSlice[],
): Finding {
  const endpoints = slices.flatMap((s) => s.endpoints ?? []);
  const ready = endpoints.filter((e) => e.conditions?.ready === true).length;
  const probe = pods
    .flatMap((p) => eventsAbout(events, refOf('Pod', p), ['Unhealthy'], 1))
    .find((line) => /Readiness probe failed/i.test(line));
  return {
    rule: 'service/no-ready-endpoints',
    severity: 'critical',
    object: ref,
    title: `service ${ref.name} has no ready endpoints`,
    cause: `none of the ${pods.length} pod${pods.length === 1 ? '' : 's'} it sends to is ready, so it has nowhere to send traffic${probe ? `: ${probe.replace(/^event Unhealthy: /, '').replace(/ \(x\d+\)$/, '')}` : " (see the pods' own findings for why)"}`,
    confidence: slices.length === 0 || ready === 0 ? 'certain' : 'likely',
    confidenceReason:
      slices.length === 0 || ready === 0
        ? "the pods' Ready conditions are False and the EndpointSlices agree"
        : 'the pods are not ready, though an EndpointSlice still lists a ready endpoint (it may lag)',
    evidence: [
      ...pods
        .slice(0, 3)
        .map(
          (p) =>
            `Pod ${p.metadata?.name} status.conditions[Ready]: ${p.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'absent'} (phase ${p.status?.phase ?? '?'})`,
        ),
      slices.length === 0
        ? `EndpointSlices of ${ref.name}: none`
        : `EndpointSlices of ${ref.name}: ${endpoints.length} endpoint${endpoints.length === 1 ? '' : 's'}, ${ready} ready`,
    ],
  };
}

/** Service ports whose targetPort the selected pods' containers do not define. */
function portFindings(service: V1Service, ref: ObjectRef, pods: readonly V1Pod[]): Finding[] {
  const containers = pods.flatMap((p) => p.spec?.containers ?? []);
  const declared = containers.flatMap((c) => c.ports ?? []);
  return (service.spec?.ports ?? []).flatMap((port) => {
    const target = port.targetPort ?? port.port;
    if (typeof target === 'string' && !/^\d+$/.test(target)) {
      if (declared.some((p) => p.name === target)) return [];
      return [
        portFinding(
          ref,
          port,
          `names the port ${target}, which no container of the selected pods defines`,
          'certain',
          declared.map(portText),
        ),
      ];
    }
    // Containers may listen on ports they do not declare: only judge pods that declare some.
    const number = Number(target);
    if (declared.length === 0 || declared.some((p) => p.containerPort === number)) return [];
    return [
      portFinding(
        ref,
        port,
        `sends to port ${number}, which the selected pods' containers do not expose (they expose ${[...new Set(declared.map((p) => p.containerPort))].join(', ')})`,
        'likely',
        declared.map(portText),
      ),
    ];
  });
}

function portText(p: { name?: string; containerPort: number; protocol?: string }): string {
  return `${p.name ? `${p.name}:` : ''}${p.containerPort}/${p.protocol ?? 'TCP'}`;
}

function portFinding(
  ref: ObjectRef,
  port: V1ServicePort,
  why: string,
  confidence: 'certain' | 'likely',
  declared: string[],
): Finding {
  return {
    rule: 'service/target-port',
    severity: 'warning',
    object: ref,
    title: `service ${ref.name} port ${port.name ?? port.port} targets a port the pods do not have`,
    cause: `its port ${port.port} ${why}`,
    confidence,
    confidenceReason:
      confidence === 'certain'
        ? 'named ports resolve only to ports a container defines'
        : 'the containers declare other ports; an undeclared port may still be listened on',
    evidence: [
      `Service ${ref.name} spec.ports[${port.name ?? port.port}]: port ${port.port}, targetPort ${port.targetPort ?? port.port}`,
      `containers' ports: ${[...new Set(declared)].join(', ') || '(none declared)'}`,
    ],
  };
}
