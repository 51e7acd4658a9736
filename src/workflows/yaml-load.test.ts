import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Autonomy, DEFAULT_AUTONOMY } from '../config/policy-schema.ts';
import { readYamlWorkflow } from './yaml-load.ts';

const FIXTURES = new URL('../../test/fixtures/workflows/', import.meta.url).pathname;

function fixture(name: string) {
  const result = readYamlWorkflow(readFileSync(FIXTURES + name, 'utf8'), name, DEFAULT_AUTONOMY);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  return result.workflow;
}

/** The problems of a workflow file with this text, or [] if it loads. */
function problems(text: string, policy = DEFAULT_AUTONOMY): string[] {
  const result = readYamlWorkflow(text, 'w.yaml', policy);
  return result.ok ? [] : result.problems;
}

describe('YAML workflows: input names', () => {
  it('refuses an input named like a property every object has', () => {
    const text = (name: string) =>
      `name: w\ntrigger: { manual: true }\ninputs:\n  ${name}: { type: string }\nsteps:\n  - agent: k8s-diagnostician\n    task: look\n`;

    expect(problems(text('app'))).toEqual([]);
    for (const name of ['constructor', 'toString', 'hasOwnProperty'])
      expect(problems(text(name)).join('\n')).toContain('is a name every object has');
  });
});

describe('YAML workflows: the seed’s examples as written', () => {
  it('reads a list of triggers and unnamed agent steps, naming them step-N', () => {
    const workflow = fixture('cluster-health-check.yaml');

    expect(workflow.trigger).toEqual([
      { kind: 'schedule', cron: '0 */6 * * *', timezone: undefined },
      { kind: 'manual' },
    ]);
    expect(workflow.model).toBe('sonnet');
    expect(workflow.steps.map((step) => step.name)).toEqual([
      'step-1',
      'step-2',
      'step-3',
      'step-4',
    ]);
    expect(workflow.steps[0]).toMatchObject({ agent: 'k8s-diagnostician', model: 'haiku' });
    expect(workflow.steps[3]?.confirm_if).toBe('actions_proposed');
  });

  it('reads type: alert with match, agent + action steps, and branches on true and false', () => {
    const workflow = fixture('pod-crashloop-remediation.yaml');

    expect(workflow.trigger).toEqual([
      { kind: 'alert', match: { alertname: 'KubePodCrashLooping' } },
    ]);
    expect(workflow.steps[1]).toMatchObject({
      name: 'check-logs',
      action: 'analyze-logs',
      inputs: { pod: '{{ steps.diagnose.pod }}', lines: 100 },
    });
    expect(workflow.steps[2]?.branches).toEqual({
      true: { agent: 'argocd-operator', action: 'update-resources', confirm: true },
      false: { agent: 'k8s-diagnostician', action: 'restart-pod', confirm: false },
    });
    expect(workflow.steps[3]?.outputs).toEqual(['summary', 'actions-taken']);
  });

  it('reads the per-workflow autonomy overrides in the policy’s spelling', () => {
    const workflow = fixture('emergency-pod-restart.yaml');

    expect(workflow.autonomy).toEqual({
      auto_approve: ['restart pod', 'scale replicas'],
      always_confirm: ['delete pvc'],
    });
    expect(workflow.trigger).toEqual([{ kind: 'manual' }]);
    expect(workflow.inputs.app).toMatchObject({ type: 'string', required: true });
  });

  it('reads every field in its other shapes', () => {
    const workflow = fixture('every-field.yaml');

    expect(workflow.trigger).toEqual([
      { kind: 'manual' },
      { kind: 'schedule', cron: '30 8 * * 1-5', timezone: 'Europe/Paris' },
      {
        kind: 'alert',
        match: { alertname: 'KubeNodePressure', severity: { regex: 'critical|warning' } },
      },
    ]);
    expect(workflow.steps[0]?.outputs).toEqual({ node: 'string', pods: 'list' });
    expect(workflow.steps[1]).toMatchObject({ needs: ['nodes'], on_failure: 'continue' });
    expect(workflow.steps[2]?.on_failure).toBe('report');
    expect(workflow.steps[4]?.on_failure).toBe('stop');
    expect(workflow.inputs.lines).toEqual({ type: 'number', required: false, default: 100 });
  });

  it('reads the example of workflows/README.md', () => {
    const readme = readFileSync(new URL('../../workflows/README.md', import.meta.url), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

    const result = readYamlWorkflow(example, 'README.md', DEFAULT_AUTONOMY);

    expect(result.ok ? result.workflow.steps.map((step) => step.name) : result.problems).toEqual([
      'diagnose',
      'logs',
      'decide',
    ]);
  });

  it('names a workflow without name: after its file', () => {
    const result = readYamlWorkflow('steps:\n  - action: report\n', 'a/night-check.yml', {
      ...DEFAULT_AUTONOMY,
    });

    expect(result.ok && result.workflow.name).toBe('night-check');
  });
});

describe('YAML workflows: each problem with its file, line and field', () => {
  it('says where the steps wait for each other in a cycle, counting "follows the one before"', () => {
    const text = `name: w
steps:
  - name: a
    needs: [c]
    action: report
  - name: b
    action: report
  - name: c
    action: report
`;

    expect(problems(text)).toEqual([
      'w.yaml:4: steps[0].needs: the steps wait for each other in a cycle: a → c → b → a (→: waits for)',
    ]);
  });

  it('names a step that needs or falls back to a step that is not there, or itself', () => {
    const text = `name: w
steps:
  - name: a
    action: report
    on_failure: cleanup
  - name: b
    needs: [a, nope, b]
    action: report
`;

    expect(problems(text)).toEqual([
      'w.yaml:5: steps[0].on_failure: no step named cleanup',
      'w.yaml:7: steps[1].needs[1]: no step named nope',
      'w.yaml:7: steps[1].needs[2]: a step cannot need itself',
    ]);
  });

  it('refuses two steps of one name, derived names included', () => {
    const text = 'name: w\nsteps:\n  - action: report\n  - name: step-1\n    action: report\n';

    expect(problems(text)).toEqual([
      'w.yaml:4: steps[1].name: step name step-1 is already the name of steps[0]',
    ]);
  });

  it('refuses to auto-approve what the policy forbids, the configured policy included', () => {
    const text = `name: w
autonomy:
  auto_approve:
    - scale
    - drain
    - delete_pvc
steps:
  - action: report
`;
    const strict = Autonomy.parse({ forbidden: ['scale'] });

    expect(problems(text)).toEqual([
      'w.yaml:5: autonomy.auto_approve[1]: drain is forbidden by the policy; no workflow can approve it',
      'w.yaml:6: autonomy.auto_approve[2]: delete pvc is forbidden by the policy; no workflow can approve it',
    ]);
    expect(problems(text, strict)).toEqual([
      'w.yaml:4: autonomy.auto_approve[0]: scale is forbidden by the policy; no workflow can approve it',
    ]);
  });

  it('parses crons as BullMQ does, and time zones as IANA names', () => {
    const cron = 'name: w\ntrigger:\n  - schedule: "61 * * * *"\nsteps:\n  - action: report\n';
    const zone = `name: w
trigger:
  schedule:
    cron: "0 * * * *"
    timezone: Mars/Olympus
steps:
  - action: report
`;

    expect(problems(cron)).toEqual([
      'w.yaml:3: trigger[0].schedule: is not a cron expression (Constraint error, got value 61 expected range 0-59)',
    ]);
    expect(problems(zone)).toEqual([
      'w.yaml:5: trigger.schedule.timezone: is not an IANA time zone (e.g. Europe/Paris)',
    ]);
  });

  it('gives a YAML syntax error its line', () => {
    const text = 'name: w\nsteps:\n  - action: report\n   task: [unclosed\n';

    expect(problems(text)[0]).toMatch(/^w\.yaml:4: \(syntax\): /);
  });

  it('says every field problem at once, in the order of the file', () => {
    const text = `name: Bad_Name
model: gpt
color: red
trigger:
  type: alert
inputs:
  app:
    type: string
    required: true
    default: web
  n:
    type: number
    default: "3"
steps:
  - name: a
    agent: k8s-diagnostician
  - task: alone
  - name: d
    branches:
      true:
        action: report
        inputs: {}
        confirm: true
        confirm_if: "x"
  - name: stop
    action: report
    alert:
      match: {}
`;

    expect(problems(text)).toEqual([
      'w.yaml:1: name: must be lower case letters, digits and - (at most 63)',
      'w.yaml:2: model: must be one of haiku, sonnet, opus',
      'w.yaml:3: color: is not a field here',
      'w.yaml:5: trigger.type: type: alert and match: go together',
      'w.yaml:10: inputs.app.default: a required input has no default',
      'w.yaml:13: inputs.n.default: must be a number',
      'w.yaml:16: steps[0].agent: an agent step needs a task',
      'w.yaml:17: steps[1]: needs an agent (with a task) or an action',
      'w.yaml:17: steps[1].task: a task needs an agent',
      'w.yaml:19: steps[2].branches: branches need a condition',
      'w.yaml:24: steps[2].branches.true.confirm_if: give confirm or confirm_if, not both',
      'w.yaml:25: steps[3].name: stop and continue mean on_failure',
      'w.yaml:27: steps[3].alert: is not a field here',
    ]);
  });

  it('says what is missing, and that a file must be a map', () => {
    expect(problems('name: w\n')).toEqual(['w.yaml:1: steps: is required']);
    expect(problems('')).toEqual([
      'w.yaml:1: (root): must be a map of workflow fields (name, trigger, steps…)',
    ]);
    expect(problems('trigger:\n  - manual: false\nsteps:\n  - action: report\n')).toEqual([
      'w.yaml:2: trigger[0].manual: is true, or left out',
    ]);
    expect(problems('name: w\nsteps: []\n')).toEqual([
      'w.yaml:2: steps: must list at least one step',
    ]);
  });
});

describe('YAML workflows: templates and conditions', () => {
  const workflow = (trigger: string, steps: string) =>
    `name: w\ntrigger:\n${trigger}\ninputs:\n  namespace: { type: string, required: true }\nsteps:\n${steps}`;

  it('loads names the run will have: inputs, earlier steps (hyphens too), alert when an alert starts it', () => {
    const text = workflow(
      '  type: alert\n  match: { alertname: KubePodCrashLooping }',
      [
        '  - name: check-logs',
        '    agent: k8s-diagnostician',
        '    task: "Read the logs of {{ alert.labels.pod }} in {{ inputs.namespace }}"',
        '  - name: fix',
        '    condition: "{{ steps.check-logs.cause == \'oom\' }}"',
        '    action: set-resources',
        '    inputs: { name: "{{ steps.check-logs.pod }}", container: "{{ inputs.namespace }}" }',
        '    confirm_if: actions_proposed',
      ].join('\n'),
    );

    expect(problems(text)).toEqual([]);
  });

  it('names each unknown name with its line and field: a later step, an undeclared input, alert without an alert trigger', () => {
    const text = workflow(
      '  manual: true',
      [
        '  - name: first',
        '    agent: k8s-diagnostician',
        '    task: "Look at {{ steps.second.pod }}"',
        '  - name: second',
        '    action: restart-pod',
        '    inputs: { name: "{{ inputs.pod }}" }',
        '  - name: third',
        '    condition: alert.labels.severity == "critical"',
        '    action: report',
      ].join('\n'),
    );

    expect(problems(text)).toEqual([
      'w.yaml:9: steps[0].task: column 12: unknown step "second" (readable here: none)',
      'w.yaml:12: steps[1].inputs.name: column 4: unknown input "pod" (declared: namespace)',
      'w.yaml:14: steps[2].condition: column 1: unknown name "alert" (known here: inputs, steps, cluster, actions_proposed)',
    ]);
  });

  it('reads only the steps a step needs, not its siblings running beside it', () => {
    const text = workflow(
      '  manual: true',
      [
        '  - name: nodes',
        '    agent: k8s-diagnostician',
        '    task: Check the nodes',
        '  - name: pods',
        '    needs: [nodes]',
        '    agent: k8s-diagnostician',
        '    task: Check the pods',
        '  - name: apps',
        '    needs: [nodes]',
        '    agent: argocd-operator',
        '    task: "Compare with {{ steps.pods.summary }}"',
      ].join('\n'),
    );

    expect(problems(text)).toEqual([
      'w.yaml:17: steps[2].task: column 17: unknown step "pods" (readable here: nodes)',
    ]);
  });

  it('refuses a condition that does not parse', () => {
    const text = workflow(
      '  manual: true',
      ['  - name: only', '    condition: "inputs.namespace =="', '    action: report'].join('\n'),
    );

    expect(problems(text)).toHaveLength(1);
    expect(problems(text)[0]).toMatch(/^w\.yaml:8: steps\[0\]\.condition: /);
  });
});

describe('YAML workflows: bounds', () => {
  it('refuses a confirm gate beside branches (it belongs in the branch that runs), an unknown action, and confirm on a read', () => {
    const found = problems(
      [
        'steps:',
        '  - name: shrink',
        '    condition: "true"',
        '    confirm: true',
        '    branches:',
        '      true: { action: scale }',
        '  - action: get-logs',
        '  - action: diagnose',
        '    confirm_if: "true"',
      ].join('\n'),
    );

    expect(found[0]).toBe('w.yaml:4: steps[0].confirm: goes in a branch, not beside branches');
    expect(found).toHaveLength(1);
    expect(
      problems(
        ['steps:', '  - action: get-logs', '  - action: diagnose', '    confirm_if: "true"'].join(
          '\n',
        ),
      ),
    ).toEqual([
      expect.stringMatching(
        /^w\.yaml:2: steps\[0\]\.action: no action named get-logs \(actions: .*\)$/,
      ),
      'w.yaml:4: steps[1].confirm_if: diagnose changes nothing, so there is nothing to confirm',
    ]);
  });

  it('says an input an action does not take, and a value it would refuse, with the rest in one round', () => {
    const text = [
      'steps:',
      '  - name: a',
      '    action: report',
      '    needs: [nowhere]',
      '  - action: scale',
      '    inputs: { namespace: shop, name: web, replicas: two, colour: red }',
      '  - action: diagnose',
      '    inputs: { namespace: "{{ inputs.missing }}" }',
    ].join('\n');

    expect(problems(text)).toEqual([
      'w.yaml:4: steps[0].needs[0]: no step named nowhere',
      'w.yaml:6: steps[1].inputs.replicas: Invalid input: expected number, received string',
      'w.yaml:6: steps[1].inputs.colour: is not an input of scale (its inputs: namespace, name, kind, replicas)',
      'w.yaml:8: steps[2].inputs.namespace: column 4: unknown input "missing" (declared: none)',
    ]);
  });

  it('says where a template was left unquoted, which YAML reads as a map', () => {
    const text = [
      'steps:',
      '  - action: list-pods',
      '    inputs:',
      '      namespace: {{ inputs.ns }}',
    ].join('\n');

    expect(problems(text)).toEqual([
      'w.yaml:4: (template): a value that starts with {{ must be quoted ("{{ … }}"): unquoted, YAML reads the braces as a map',
    ]);
  });

  it('refuses more than 100 steps and an empty cron, each at its line', () => {
    const steps = '  - agent: k8s-diagnostician\n    task: hello there\n'.repeat(101);
    const text = `name: w\ntrigger:\n  schedule: ""\nsteps:\n${steps}`;

    expect(problems(text)).toEqual([
      'w.yaml:3: trigger.schedule: must not be empty',
      'w.yaml:4: steps: must list at most 100 steps',
    ]);
  });
});
