/** The faults the demo's cluster starts with, beside a healthy shop. */
export const DEMO_SCENARIOS = [
  'healthy',
  'oom-crashloop',
  'bad-rollout',
  'image-pull-backoff',
  'missing-configmap',
];
