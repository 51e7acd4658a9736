import { type ChatMessageInput, LIMITS } from '../chat/message.ts';
import type { Autonomy, Binding } from '../config/policy-schema.ts';
import { CoxswainError } from '../errors.ts';
import { authorise } from '../policy/authorise.ts';
import { redactObject } from '../policy/redact-object.ts';
import { type SuspendSwitch, type Suspension, suspendedLine } from '../policy/suspend.ts';
import type { CommandRunJob } from '../queue/jobs.ts';
import { idOf } from '../shared/channel.ts';
import type { GitChange } from '../tools/git/change.ts';
import type { GitRepository } from '../tools/git/repository.ts';
import type { KubeAction } from '../tools/kubernetes/actions/action.ts';
import type { Cluster, Clusters } from '../tools/kubernetes/cluster.ts';
import { type Diagnosis, diagnose } from './diagnose.ts';
import { planRollback } from './rollback.ts';
import { clusterStatus } from './status.ts';

export type SkillDeps = {
  clusters: Clusters;
  bindings: readonly Binding[];
  autonomy: Autonomy;
  /** Whether writes are suspended, for `status` to say so first. */
  suspension: SuspendSwitch;
  /** The GitOps repository: `diagnose` proposes a fix to what Argo CD manages there. */
  git?: GitRepository | undefined;
};

/** A fix the skill found, for the channel to be offered as a proposal. */
export type SkillFix = { action: KubeAction | GitChange; rationale: string };

type SkillAnswer = { message: ChatMessageInput; fixes: SkillFix[] };

/**
 * Runs a channel's skill: checks the binding again (config may have changed since the bot
 * queued it), reads the cluster, and builds the answer and the fixes it found. A cluster that
 * cannot be read is an answer too: the person who asked learns why.
 */
export async function runSkill(run: CommandRunJob, deps: SkillDeps): Promise<SkillAnswer> {
  const command = run.command;
  const scope = authorise.command(
    { channel: run.channel, command },
    { bindings: deps.bindings, clusters: deps.clusters.names },
  );
  let answer: SkillAnswer;
  if (!scope.allowed) {
    answer = {
      message: {
        headline: `I cannot run ${command.name} here`,
        text: scope.reason,
        tone: 'warning',
      },
      fixes: [],
    };
  } else {
    try {
      answer = await answerSkill(run, deps.clusters.get(scope.cluster), scope, deps);
    } catch (error) {
      if (!(error instanceof CoxswainError)) throw error;
      answer = {
        message: { headline: `${command.name} failed`, text: error.message, tone: 'warning' },
        fixes: [],
      };
    }
  }
  // Cluster text (API errors, webhook messages, names) can quote credentials: none reach chat.
  return { message: redactObject(answer.message), fixes: answer.fixes };
}

/** The skill itself, in the scope the binding allows. */
async function answerSkill(
  run: CommandRunJob,
  cluster: Cluster,
  scope: { namespaces: readonly string[]; namespace?: string },
  deps: SkillDeps,
): Promise<SkillAnswer> {
  const command = run.command;
  if (command.name === 'status')
    return {
      message: withSuspension(
        (await clusterStatus(cluster, scope.namespaces)).message,
        await deps.suspension.state(),
      ),
      fixes: [],
    };
  if (command.name === 'diagnose') {
    const diagnosis = await diagnose(
      cluster,
      {
        namespace: command.namespace,
        target: command.target,
        visible: scope.namespaces,
        git: deps.git,
      },
      deps.autonomy,
    );
    return { message: diagnosis.message, fixes: diagnosisFixes(diagnosis) };
  }
  const namespace = scope.namespace ?? command.namespace ?? '';
  const plan = await planRollback(cluster, { app: command.app, namespace }, deps.autonomy);
  return {
    message: plan.message,
    fixes:
      plan.action === undefined
        ? []
        : [{ action: plan.action, rationale: `${idOf(run.requester)} asked to roll back.` }],
  };
}

/** Each fix a diagnosis proposes, with the title of the finding that called for it. */
function diagnosisFixes(diagnosis: Diagnosis): SkillFix[] {
  return diagnosis.actions.map(({ action, why }) => ({ action, rationale: why }));
}

/** A status answer says first that writes are suspended, and since when, by whom and why. */
function withSuspension(
  message: ChatMessageInput,
  suspension: Suspension | undefined,
): ChatMessageInput {
  if (suspension === undefined) return message;
  return {
    ...message,
    headline: fitLine(suspendedLine(suspension), LIMITS.headline),
    text: message.text === undefined ? message.headline : `${message.headline}\n${message.text}`,
    tone: message.tone === 'critical' ? 'critical' : 'warning',
  };
}

function fitLine(line: string, max: number): string {
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
