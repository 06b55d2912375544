// What every room needs to say about an error or a secret, decided once: the error's code and its
// message from anything thrown, a plain-object check for parsed JSON, and the one way a secret
// (the server token) is blanked out of text before it can reach a log, a status or a message.
// A leaf module: it imports nothing, so every room of src/ and electron/ may use it.

/** The placeholder a secret is replaced with, wherever it is. */
export const REDACTED = '[token]';

/** `err.code` when it is a string (Node's ENOENT, EBUSY, undici's UND_ERR_*), else undefined. */
export function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** The message of anything thrown: an Error's message, else the value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A JSON object (not null, not an array is not required: arrays are objects too for indexing). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** Every occurrence of every non-empty secret replaced by REDACTED. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret !== '') out = out.split(secret).join(REDACTED);
  return out;
}
