import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

/** A real MCP SDK client over streamable HTTP with a fixed bearer token. Close it when done. */
export async function connectWithToken(url: URL, token: string, era: 'legacy' | 'auto' = 'auto'): Promise<Client> {
  const client = new Client({ name: 'plane-mcp-tests', version: '1.0.0' }, { versionNegotiation: { mode: era } });
  const transport = new StreamableHTTPClientTransport(url, { authProvider: { token: async () => token } });
  await client.connect(transport);
  return client;
}

/** The `_meta` error record every isError result from our servers carries. */
export function errorOf(result: {
  _meta?: Record<string, unknown>;
}):
  | { code: string; message: string; hint?: string; denial?: { reason: string; binding?: { name: string }; wouldAllow?: string[] } }
  | undefined {
  return result._meta?.['plane-mcp/error'] as never;
}

export function textOf(result: { content?: unknown }): string {
  const content = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return content.map((block) => block.text ?? '').join('\n');
}
