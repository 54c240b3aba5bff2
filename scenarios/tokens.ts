import { encode } from 'gpt-tokenizer';

/**
 * Tokens in a text, by the o200k_base encoding that ships inside the `gpt-tokenizer` package. No
 * Claude tokenizer can be had here, so figures are an approximation of what any assistant pays; they
 * are exact for the encoding named, and comparable from run to run.
 */
export function countTokens(text: string): number {
  return encode(text).length;
}

/** What a tool result costs a model: the text content and the structured content, separately. */
export function resultTokens(result: { content?: unknown; structuredContent?: unknown }): { text: number; structured: number } {
  const text = ((result.content ?? []) as Array<{ text?: string }>).map((block) => block.text ?? '').join('\n');
  return {
    text: countTokens(text),
    structured: result.structuredContent === undefined ? 0 : countTokens(JSON.stringify(result.structuredContent)),
  };
}
