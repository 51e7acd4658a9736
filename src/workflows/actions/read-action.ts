import type { z } from 'zod';
import type { KubeContext } from '../../tools/kubernetes/context.ts';
import type { ToolScope } from '../../tools/tool.ts';

/**
 * The reads a workflow step can run as an action, each giving named outputs that later steps
 * read (`steps.diagnose.outputs.cause`), besides the text a person reads.
 */
export type ReadResult = { text: string; outputs: Record<string, unknown> };

export type ReadAction<Input extends z.ZodType = z.ZodType> = {
  kind: 'read';
  name: string;
  description: string;
  input: Input;
  /** The outputs it always gives: what a step's `outputs` may declare. */
  outputs: readonly string[];
  scope(input: z.infer<Input>): ToolScope;
  run(kube: KubeContext, input: z.infer<Input>): Promise<ReadResult>;
};

export const read = <Input extends z.ZodType>(action: ReadAction<Input>): ReadAction<Input> =>
  action;

/** Nodes and what the channel may see: whole-cluster reads are narrowed to the visible namespaces. */
export const VISIBLE_ONLY = (): ToolScope => ({ namespaces: [] });
