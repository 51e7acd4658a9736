import { z } from 'zod';

/**
 * The neutral chat message: what the worker says, before any platform renders it. Limits follow
 * the strictest platform so that every renderer can show a message whole.
 */
export const Tone = z.enum(['critical', 'warning', 'info', 'resolved', 'neutral']);
export type Tone = z.infer<typeof Tone>;

export const Field = z.object({
  label: z.string().min(1).max(100),
  value: z.string().max(1000),
});
export type Field = z.infer<typeof Field>;

export const Link = z.object({
  label: z.string().min(1).max(75),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2000),
});
export type Link = z.infer<typeof Link>;

export const Section = z.object({
  title: z.string().max(300).optional(),
  text: z.string().max(3000).optional(),
  fields: z.array(Field).max(10).default([]),
  links: z.array(Link).max(5).default([]),
});
export type Section = z.infer<typeof Section>;

export const ChatMessage = z
  .object({
    headline: z.string().max(300).optional(),
    text: z.string().max(3000).optional(),
    tone: Tone.default('neutral'),
    fields: z.array(Field).max(10).default([]),
    sections: z.array(Section).max(20).default([]),
    links: z.array(Link).max(5).default([]),
    footer: z.string().max(300).optional(),
  })
  .refine((message) => message.headline !== undefined || message.text !== undefined, {
    message: 'needs a headline or a text',
  });
export type ChatMessage = z.infer<typeof ChatMessage>;
export type ChatMessageInput = z.input<typeof ChatMessage>;
