import { offerProposal } from '../approvals/offer.ts';
import { type ProposalStore, proposalId } from '../approvals/proposal-store.ts';
import { type Outbox, postToChat } from '../chat/post-to-chat.ts';
import { runSkill, type SkillDeps, type SkillFix } from '../commands/run-skill.ts';
import { authorise } from '../policy/authorise.ts';
import { redactText } from '../policy/redact.ts';
import type { CommandRunJob } from '../queue/jobs.ts';
import { commandAnswer } from './render-answer.ts';

type CommandRunDeps = SkillDeps & {
  outbox: Outbox;
  /** Where people reach the dashboard (PUBLIC_URL), for links on cards; unset: no link. */
  dashboardUrl: string | undefined;
  /** Where proposed fixes are recorded, to be shown as cards. */
  proposals: ProposalStore;
};

/**
 * Runs a channel's command on the worker (`commands/run-skill.ts`) and posts the answer in the
 * asking thread, then offers the fixes it found as proposals.
 */
export async function processCommandRun(
  run: CommandRunJob,
  runJobId: string,
  deps: CommandRunDeps,
) {
  const command = run.command;
  const { message, fixes } = await runSkill(run, deps);
  await postToChat(deps.outbox, {
    kind: 'answer',
    key: [runJobId],
    channel: run.channel,
    thread: run.thread,
    message: commandAnswer(run, message),
  });
  await offerFixes(run, runJobId, fixes, deps);
  return { command: command.name, answered: message.headline, proposals: fixes.length };
}

/**
 * Each fix the channel may approve becomes a proposal with its card in the same thread. One the
 * binding's tier does not reach is shown in the answer only.
 */
async function offerFixes(
  run: CommandRunJob,
  runJobId: string,
  fixes: readonly SkillFix[],
  deps: CommandRunDeps,
) {
  const proposals = deps.proposals;
  for (const { action, rationale } of fixes) {
    if (!authorise.offer({ channel: run.channel, action }, deps).allowed) continue;
    const id = proposalId(
      runJobId,
      `${action.type}/${action.target.namespace}/${action.target.name}`,
    );
    await offerProposal(
      {
        id,
        runId: runJobId,
        agent: run.command.name,
        action,
        state: 'pending',
        createdAt: new Date().toISOString(),
        rationale: redactText(rationale).slice(0, 1_000),
      },
      {
        channel: run.channel,
        ...(run.thread === undefined ? {} : { thread: run.thread }),
        requester: run.requester,
        cluster: action.target.cluster,
      },
      { proposals, outbox: deps.outbox, autonomy: deps.autonomy, dashboardUrl: deps.dashboardUrl },
    );
  }
}
