import { benchAgents } from './agents.ts';
import { benchAlertLoop } from './alert-loop.ts';
import { benchAnswerTokens } from './answer-tokens.ts';
import { benchDiagnose } from './diagnose.ts';
import { benchFailover } from './failover.ts';
import { benchMemory } from './memory.ts';
import { benchOncall } from './oncall.ts';
import { benchRedaction } from './redaction.ts';
import { benchSandbox } from './sandbox.ts';
import { benchSchedulerMessages } from './scheduler-messages.ts';
import { benchSentinelFailover } from './sentinel-failover.ts';
import { benchSlackAck } from './slack-ack.ts';
import { benchStatus } from './status.ts';
import { benchWebhook } from './webhook.ts';
import { benchWorkflowSchedule } from './workflow-schedule.ts';
import { benchWorkflowSteps } from './workflow-steps.ts';

// `npm run bench`: figures and ratios, printed. Nothing here is a pass/fail test: these machines
// are shared, so the numbers are for reading, comparing and putting in closing notes.
const only = process.argv[2];
if (only === undefined || only === 'webhook') await benchWebhook();
if (only === undefined || only === 'memory') await benchMemory();
if (only === undefined || only === 'diagnose') await benchDiagnose();
if (only === undefined || only === 'agents') await benchAgents();
if (only === undefined || only === 'answers') await benchAnswerTokens();
if (only === undefined || only === 'slack') await benchSlackAck();
if (only === undefined || only === 'redaction') await benchRedaction();
if (only === undefined || only === 'scheduler-messages') await benchSchedulerMessages();
if (only === undefined || only === 'oncall') await benchOncall();
if (only === undefined || only === 'status') await benchStatus();
if (only === undefined || only === 'sandbox') await benchSandbox();
if (only === undefined || only === 'failover') await benchFailover();
if (only === undefined || only === 'sentinel-failover') await benchSentinelFailover();
// Half an hour with the shipped intervals: only when asked for by name.
if (only === 'alert-loop') await benchAlertLoop();
if (only === undefined || only === 'workflows') {
  await benchWorkflowSteps();
  await benchWorkflowSchedule();
}
