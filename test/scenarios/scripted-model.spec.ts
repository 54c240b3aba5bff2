import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messagesApi, type MessagesRequestBody } from '../../scenarios/clients/messages-api.js';
import { ScriptedStandInModel, StandInTimeoutError } from '../../scenarios/clients/scripted-model.js';

/** The stand-in model over real HTTP, spoken to as Claude Code speaks to its model (streamed Messages API). */

let model: ScriptedStandInModel<MessagesRequestBody>;
beforeEach(async () => {
  model = await ScriptedStandInModel.start(messagesApi);
});
afterEach(async () => {
  await model.close();
});

const conversation = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-opus-5-5',
  stream: true,
  max_tokens: 1024,
  tools: [{ name: 'mcp__plane-control__whoami', description: 'Who am I', input_schema: { type: 'object' } }],
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Who am I?' }] }],
  ...extra,
});

function post(body: unknown, path = '/v1/messages?beta=true') {
  return fetch(`${model.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'not-a-real-key', 'anthropic-version': '2023-06-01' },
    body: JSON.stringify(body),
  });
}

/** The data of each server-sent event, in order. */
async function events(response: Response): Promise<Array<Record<string, unknown>>> {
  const text = await response.text();
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim())
    .map((chunk) => {
      const [eventLine, dataLine] = chunk.split('\n');
      const data = JSON.parse(dataLine!.replace(/^data: /, '')) as Record<string, unknown>;
      expect(eventLine).toBe(`event: ${String(data.type)}`);
      return data;
    });
}

describe('the scripted stand-in model', () => {
  it('holds a conversation request until the driver answers with a tool call, streamed as the Messages API streams', async () => {
    const answer = post(conversation());
    const turn = await model.nextTurn(10_000);
    expect(turn.request.body.messages[0]!.role).toBe('user');
    const id = turn.reply({ toolUse: { name: 'mcp__plane-control__whoami', input: { verbose: true } } });
    const response = await answer;
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const stream = await events(response);
    expect(stream.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(stream[1]!.content_block).toMatchObject({ type: 'tool_use', id, name: 'mcp__plane-control__whoami' });
    expect(JSON.parse((stream[2]!.delta as { partial_json: string }).partial_json)).toEqual({ verbose: true });
    expect(stream[4]!.delta).toMatchObject({ stop_reason: 'tool_use' });
    expect(() => turn.reply({ text: 'again' })).toThrow(/already answered/);
  });

  it('ends a turn with text, and records every request without its credentials', async () => {
    const answer = post(conversation());
    (await model.nextTurn(10_000)).reply({ text: 'All done.' });
    const stream = await events(await answer);
    expect(stream[2]!.delta).toEqual({ type: 'text_delta', text: 'All done.' });
    expect(stream[4]!.delta).toMatchObject({ stop_reason: 'end_turn' });
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]!.headers['x-api-key']).toBeUndefined();
    expect(model.requests[0]!.headers['anthropic-version']).toBe('2023-06-01');
    expect(model.requests[0]!.path).toBe('/v1/messages');
  });

  it('answers side requests (no tools, or not streamed) at once without handing them to the driver', async () => {
    const plain = await post(conversation({ stream: false }));
    expect(await plain.json()).toMatchObject({ type: 'message', content: [{ type: 'text', text: 'stand-in' }] });
    const untooled = await events(await post(conversation({ tools: [] })));
    expect(untooled[2]!.delta).toEqual({ type: 'text_delta', text: 'stand-in' });
    expect((await post(conversation(), '/v1/messages/count_tokens')).status).toBe(200);
    await expect(model.nextTurn(200)).rejects.toBeInstanceOf(StandInTimeoutError);
  });

  it('refuses a body that is not a Messages API request, and stops waiting once aborted', async () => {
    expect((await post({ nothing: true })).status).toBe(400);
    expect((await fetch(`${model.url}/v1/models`)).status).toBe(404);
    const waiting = model.nextTurn(10_000);
    model.abort(new Error('client exited'));
    await expect(waiting).rejects.toThrow('client exited');
    await expect(model.nextTurn(10_000)).rejects.toThrow('client exited');
  });
});
