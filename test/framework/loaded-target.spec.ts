import type { AuthInfo } from '@modelcontextprotocol/server';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { AuditLog } from '../../shared/audit/audit-log.js';
import { SCOPES } from '../../shared/auth/scopes.js';
import type { Subject } from '../../shared/auth/subject.js';
import type { PolicyEngine } from '../../shared/authz/policy-engine.js';
import { createLogger } from '../../shared/telemetry/logger.js';
import { createServerMetrics } from '../../shared/telemetry/metrics.js';
import { defineTool } from '../../shared/tools/define-tool.js';
import { runToolCall, type CallEnvironment } from '../../shared/tools/run-tool-call.js';
import { SqliteResourceStore } from '../../servers/control-plane/store/sqlite-store.js';
import { loadEngine } from '../authz/helpers.js';

/**
 * A tool's authorization target may hand what it read to the handler (`loaded`), so the handler does
 * not read it again. The shelf is a real map of notes counting its reads, so the test sees how often
 * a call reads the note.
 */
class Shelf {
  reads = 0;
  private readonly notes = new Map<string, { component: string; environment: string; text: string }>();
  put(name: string, note: { component: string; environment: string; text: string }) {
    this.notes.set(name, note);
  }
  get(name: string) {
    this.reads++;
    return this.notes.get(name);
  }
}

const shelf = new Shelf();
const noteTarget = (note: { component: string; environment: string }) => ({
  resource: { namespace: 'default', project: 'shop', component: note.component },
  attributes: { environment: note.environment, isProduction: note.environment === 'production' },
});

const readLoadedNote = defineTool({
  name: 'read_loaded_note',
  title: 'Read loaded note',
  description: 'Read a note; the target loads it.',
  toolset: 'notes',
  kind: 'read',
  scope: SCOPES.controlPlaneRead,
  input: z.object({ name: z.string() }),
  output: z.object({ text: z.string(), reads: z.number() }),
  authorization: {
    action: 'releasebinding:view',
    target: ({ name }) => {
      const note = shelf.get(name);
      if (!note) throw new Error(`no note ${name}`);
      return { ...noteTarget(note), loaded: note };
    },
  },
  handler: async (_input, _context, note) => ({ text: note.text, reads: shelf.reads }),
});

const writePlainNote = defineTool({
  name: 'write_plain_note',
  title: 'Write plain note',
  description: 'A target that loads nothing: the handler gets undefined.',
  toolset: 'notes',
  kind: 'write',
  scope: SCOPES.controlPlaneWrite,
  input: z.object({ component: z.string(), environment: z.string() }),
  output: z.object({ loaded: z.string() }),
  authorization: { action: 'releasebinding:update', target: (input) => noteTarget(input) },
  handler: async (_input, _context, loaded) => ({ loaded: String(loaded) }),
});

let store: SqliteResourceStore;
let policy: PolicyEngine;
let env: CallEnvironment<unknown>;
const discard = new Writable({ write: (_chunk, _encoding, done) => done() });

beforeAll(async () => {
  store = new SqliteResourceStore(':memory:');
  policy = await loadEngine();
  const logger = createLogger({ name: 'loaded-target-test', destination: discard });
  env = {
    plane: 'control-plane',
    policy,
    audit: new AuditLog(store.audit, logger),
    metrics: createServerMetrics('control-plane'),
    logger,
    deps: {},
    visibleTools: () => [],
  };
  shelf.put('cart-dev', { component: 'cart', environment: 'development', text: 'hello' });
  shelf.put('cart-prod', { component: 'cart', environment: 'production', text: 'careful' });
});
afterAll(() => store?.close());

function authInfoFor(subject: Subject): AuthInfo {
  return {
    token: 'not-a-real-token',
    clientId: 'vitest',
    scopes: [SCOPES.controlPlaneRead, SCOPES.controlPlaneWrite],
    extra: { caller: { subject } },
  };
}
const developer: Subject = { type: 'user', id: 'dev', groups: ['developers'] };
const nobody: Subject = { type: 'user', id: 'nobody', groups: [] };

describe('an authorization target that hands its object to the handler', () => {
  it('reads the object once: the handler receives what the target loaded', async () => {
    const before = shelf.reads;
    const result = await runToolCall(readLoadedNote, { name: 'cart-dev' }, authInfoFor(developer), env);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ text: 'hello', reads: before + 1 });
    expect(shelf.reads).toBe(before + 1);
  });

  it('a denied call never reaches the handler, whatever the target loaded', async () => {
    const result = await runToolCall(readLoadedNote, { name: 'cart-prod' }, authInfoFor(nobody), env);
    expect(result.isError).toBe(true);
    expect(result._meta?.['plane-mcp/error']).toMatchObject({ code: 'ERR_FORBIDDEN' });
    expect(result.structuredContent).toBeUndefined();
  });

  it('a target that fails to load fails the call before any decision', async () => {
    const result = await runToolCall(readLoadedNote, { name: 'missing' }, authInfoFor(developer), env);
    expect(result.isError).toBe(true);
    expect(result._meta?.['plane-mcp/error']).toMatchObject({ code: 'ERR_INTERNAL' });
    const [event] = await store.audit.query({ tool: 'read_loaded_note', limit: 1 });
    expect(event).toMatchObject({ outcome: 'tool_error', decision: 'not_evaluated' });
  });

  it('a target that loads nothing hands the handler undefined', async () => {
    const result = await runToolCall(writePlainNote, { component: 'cart', environment: 'development' }, authInfoFor(developer), env);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ loaded: 'undefined' });
  });
});
