import type { Observation } from '../assertions.js';

/**
 * What a tool result looks like once an assistant client has passed it on to its model: the text
 * the model reads, whether that text is a JSON object (the client forwarded `structuredContent`)
 * or plain text (the result's text content), and whether the client flagged it as an error.
 */

export type ShownAs = 'structured JSON' | 'text';

export interface ShownResult {
  text: string;
  shownAs: ShownAs;
  /** The parsed JSON when `shownAs` is structured JSON. */
  data: unknown;
  isError: boolean;
}

export function classifyShown(text: string, isError: boolean): ShownResult {
  let data: unknown;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed;
  } catch {
    // Plain text.
  }
  return { text, shownAs: data === undefined ? 'text' : 'structured JSON', data, isError };
}

/**
 * A shown result as the runner's assertions read it. The error code is the `ERR_…:` our servers put
 * first in an error's text, after whatever the client prefixes (the `_meta` record never reaches the
 * model); `data` is the JSON, so path
 * assertions hold only when the model was given the structured result.
 */
export function toObservation(shown: ShownResult): Observation {
  const errorCode = shown.isError ? /^(ERR_[A-Z0-9_]+):/m.exec(shown.text)?.[1] : undefined;
  return {
    isError: shown.isError,
    ...(errorCode ? { errorCode } : {}),
    text: shown.text,
    data: shown.data,
  };
}
