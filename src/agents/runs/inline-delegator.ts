import type { Delegator, EngineContext } from './context.ts';
import { runSpecialist } from './specialist.ts';

/**
 * Specialists run in this process, in parallel (`coxswain ask`). Each has its own run id from
 * the parent's and the tool call's, so a repeated delegation resumes them rather than
 * starting again.
 */
export function inlineDelegator(engine: EngineContext, parentRunId: string): Delegator {
  return (callId, tasks) =>
    Promise.all(
      tasks.map((task, i) =>
        runSpecialist(engine, {
          runId: childRunId(parentRunId, callId, i),
          agent: task.agent,
          task: task.task,
          model: task.model,
        }),
      ),
    );
}

export function childRunId(parentRunId: string, callId: string, index: number): string {
  return `${parentRunId}.${callId.replace(/[^A-Za-z0-9_-]/g, '')}.${index}`;
}
