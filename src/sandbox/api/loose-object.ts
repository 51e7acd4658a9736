/**
 * An API object read field by field, where each reader falls back when a field is missing or of
 * another type: the table printers and the validation of kinds the schema leaves loose.
 */
// biome-ignore lint/suspicious/noExplicitAny: such readers tolerate any shape, checking each field they use
export type Any = Record<string, any>;
