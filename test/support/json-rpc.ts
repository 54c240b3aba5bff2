/** Raw JSON-RPC over the streamable HTTP transport, for requests no well-behaved client sends (batches, hostile bodies). */
export interface JsonRpcReply {
  status: number;
  contentType: string;
  /** Every JSON-RPC message in the answer (one JSON body, or the `data:` lines of an event stream). */
  messages: Array<{ id?: unknown; result?: Record<string, unknown>; error?: { code: number; message: string } }>;
  text: string;
}

export async function postJsonRpc(
  url: URL | string,
  body: string,
  options: { token?: string; protocolVersion?: string; headers?: Record<string, string> } = {},
): Promise<JsonRpcReply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.protocolVersion ? { 'mcp-protocol-version': options.protocolVersion } : {}),
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  const payloads = contentType.startsWith('text/event-stream')
    ? text
        .split('\n')
        .filter((line) => line.startsWith('data: ') && line.length > 6)
        .map((line) => line.slice(6))
    : text.length > 0 && contentType.startsWith('application/json')
      ? [text]
      : [];
  const messages = payloads.flatMap((payload) => [JSON.parse(payload)].flat()) as JsonRpcReply['messages'];
  return { status: response.status, contentType, messages, text };
}

/** `n` arrays nested in one another: `[[[…]]]`. */
export function nestedArrays(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}
