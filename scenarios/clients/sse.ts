import type { ServerResponse } from 'node:http';

/** What the stand-in model's API dialects share: JSON answers, server-sent events, tool-call ids. */

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

export function sseWriter(response: ServerResponse): (type: string, data: Record<string, unknown>) => void {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  return (type, data) => response.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

let callCounter = 0;
/** A fresh id for a tool call (`toolu_standin_1`, `call_standin_2` …). */
export const nextCallId = (prefix: string) => `${prefix}_standin_${++callCounter}`;
