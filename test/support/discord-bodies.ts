import { z } from 'zod';

/**
 * The request bodies the local Discord accepts, with Discord's own limits, so a bot that sends a
 * 2,001-character message or a sixth button gets the 400 it would get in production instead of a
 * test that passes. Unknown fields pass through: Discord ignores most of what it does not use.
 */
const customId = z.string().min(1).max(100);

const ChildComponent = z.looseObject({
  type: z.number().int(),
  custom_id: customId.optional(),
  label: z.string().max(80).optional(),
  style: z.number().int().optional(),
  url: z.string().max(512).optional(),
  disabled: z.boolean().optional(),
});

const TopComponent = z.looseObject({
  type: z.number().int(),
  components: z.array(ChildComponent).max(5).optional(),
});
export type Component = z.infer<typeof TopComponent>;

const Embed = z.looseObject({
  title: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  url: z.string().optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  timestamp: z.string().optional(),
  footer: z.looseObject({ text: z.string().max(2048) }).optional(),
  author: z.looseObject({ name: z.string().max(256) }).optional(),
  fields: z
    .array(
      z.looseObject({
        name: z.string().min(1).max(256),
        value: z.string().min(1).max(1024),
        inline: z.boolean().optional(),
      }),
    )
    .max(25)
    .optional(),
});
export type Embed = z.infer<typeof Embed>;

const Reference = z.looseObject({
  message_id: z.string(),
  channel_id: z.string().optional(),
  guild_id: z.string().optional(),
  fail_if_not_exists: z.boolean().optional(),
});

/** POST and PATCH of a message, a webhook message, and the `data` of an interaction response. */
export const MessageBody = z
  .looseObject({
    content: z.string().max(2000).nullish(),
    embeds: z.array(Embed).max(10).nullish(),
    components: z.array(TopComponent).nullish(),
    flags: z.number().int().nullish(),
    message_reference: Reference.optional(),
    attachments: z
      .array(
        z.looseObject({ id: z.union([z.string(), z.number()]), filename: z.string().optional() }),
      )
      .optional(),
    sticker_ids: z.array(z.string()).optional(),
    poll: z.unknown().optional(),
    nonce: z.union([z.string().max(25), z.number().int()]).optional(),
    enforce_nonce: z.boolean().optional(),
  })
  .superRefine((body, ctx) => {
    const componentsV2 = ((body.flags ?? 0) & (1 << 15)) !== 0;
    const rows = body.components ?? [];
    if (!componentsV2 && rows.length > 5) {
      ctx.addIssue({ code: 'too_big', origin: 'array', maximum: 5, path: ['components'] });
    }
    const seen = new Set<string>();
    rows.forEach((row, r) => {
      for (const [c, child] of (row.components ?? []).entries()) {
        const link = child.style === 5 || child.style === 6;
        if (child.type === 2 && !link && child.custom_id === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: 'A custom id is required',
            params: { code: 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED' },
            path: ['components', r, 'components', c, 'custom_id'],
          });
        }
        if (child.custom_id !== undefined && seen.has(child.custom_id)) {
          ctx.addIssue({
            code: 'custom',
            message: 'Component custom id cannot be duplicated',
            params: { code: 'COMPONENT_CUSTOM_ID_DUPLICATED' },
            path: ['components', r, 'components', c, 'custom_id'],
          });
        }
        if (child.custom_id !== undefined) seen.add(child.custom_id);
      }
    });
    if (embedLength(body.embeds ?? []) > 6000) {
      ctx.addIssue({
        code: 'custom',
        message: 'Embed size exceeds maximum size of 6000',
        params: { code: 'MAX_EMBED_SIZE_EXCEEDED' },
        path: ['embeds'],
      });
    }
  });
export type MessageBody = z.infer<typeof MessageBody>;

function embedLength(embeds: Embed[]): number {
  let total = 0;
  for (const embed of embeds) {
    total += (embed.title?.length ?? 0) + (embed.description?.length ?? 0);
    total += (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0);
    for (const field of embed.fields ?? []) total += field.name.length + field.value.length;
  }
  return total;
}

/** Whether a message would show nothing, which Discord refuses with code 50006. */
export function isEmptyMessage(
  message: {
    content?: string | null | undefined;
    embeds?: unknown[] | null | undefined;
    components?: unknown[] | null | undefined;
    sticker_ids?: unknown[] | undefined;
    poll?: unknown;
  },
  files: number,
): boolean {
  return (
    !message.content &&
    (message.embeds ?? []).length === 0 &&
    (message.components ?? []).length === 0 &&
    (message.sticker_ids ?? []).length === 0 &&
    message.poll === undefined &&
    files === 0
  );
}

/** What a thread's own settings may be changed to (Modify Channel, for a thread). */
export const ThreadPatch = z.looseObject({
  name: z.string().min(1).max(100).optional(),
  archived: z.boolean().optional(),
  locked: z.boolean().optional(),
  auto_archive_duration: z
    .union([z.literal(60), z.literal(1440), z.literal(4320), z.literal(10080)])
    .optional(),
});

export const ThreadBody = z.looseObject({
  name: z.string().min(1).max(100),
  auto_archive_duration: z
    .union([z.literal(60), z.literal(1440), z.literal(4320), z.literal(10080)])
    .optional(),
  rate_limit_per_user: z.number().int().min(0).max(21600).optional(),
  type: z.number().int().optional(),
});

/** Discord's rule for command and option names: 1 to 32 characters, lower case where it has case. */
const commandName = z.string().regex(/^[-_'\p{Ll}\p{Lo}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u);

const CommandOption: z.ZodType<CommandOption> = z.looseObject({
  type: z.number().int().min(1).max(11),
  name: commandName,
  description: z.string().min(1).max(100),
  required: z.boolean().optional(),
  options: z
    .array(z.lazy(() => CommandOption))
    .max(25)
    .optional(),
});
export type CommandOption = {
  type: number;
  name: string;
  description: string;
  required?: boolean | undefined;
  options?: CommandOption[] | undefined;
  [key: string]: unknown;
};

export const CommandBody = z.looseObject({
  name: commandName,
  type: z.number().int().min(1).max(4).optional(),
  description: z.string().max(100).optional(),
  options: z.array(CommandOption).max(25).optional(),
});
export type CommandBody = z.infer<typeof CommandBody>;

export const InteractionCallbackBody = z.looseObject({
  type: z.number().int(),
  data: z.unknown().optional(),
});

export const DmBody = z.looseObject({ recipient_id: z.string() });

/**
 * Discord's "Invalid Form Body" (code 50035): the errors nested by the path of the bad field,
 * each leaf holding `_errors`, which is how discord.js prints them (`content[BASE_TYPE_MAX_LENGTH]`).
 */
export function invalidFormBody(error: z.ZodError) {
  const errors: Record<string, unknown> = {};
  for (const issue of error.issues) {
    let node = errors;
    for (const key of issue.path) {
      const name = String(key);
      node[name] ??= {};
      node = node[name] as Record<string, unknown>;
    }
    node._errors ??= [];
    (node._errors as { code: string; message: string }[]).push(describe(issue));
  }
  return { message: 'Invalid Form Body', code: 50035, errors };
}

function describe(issue: z.core.$ZodIssue): { code: string; message: string } {
  switch (issue.code) {
    case 'too_big':
      return {
        code: 'BASE_TYPE_MAX_LENGTH',
        message: `Must be ${String(issue.maximum)} or fewer in length.`,
      };
    case 'too_small':
      return {
        code: 'BASE_TYPE_MIN_LENGTH',
        message: `Must be ${String(issue.minimum)} or more in length.`,
      };
    case 'invalid_type':
      return issue.message.endsWith('received undefined')
        ? { code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }
        : { code: 'BASE_TYPE_INVALID', message: issue.message };
    case 'custom': {
      const code = issue.params?.code;
      return {
        code: typeof code === 'string' ? code : 'BASE_TYPE_INVALID',
        message: issue.message,
      };
    }
    default:
      return { code: 'BASE_TYPE_INVALID', message: issue.message };
  }
}
