import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/env.js';
import { resolvePlaneConfig } from '../../shared/config/plane-config.js';
import { selectTools } from '../../shared/tools/select-tools.js';
import { createNoteTools } from '../support/note-tools.js';
import { createWhoamiTool } from '../../shared/tools/whoami.js';

const identityTools = [createWhoamiTool<unknown>('controlplane:read')];

const catalogue = [...identityTools, ...createNoteTools(new Map())];
const names = (tools: typeof catalogue) => tools.map((tool) => tool.name).sort();

describe('tool selection', () => {
  it('keeps everything by default', () => {
    expect(names(selectTools(catalogue, { readOnly: false, noDestructive: false }))).toEqual([
      'delete_note',
      'read_note',
      'whoami',
      'write_note',
    ]);
  });
  it('--read-only keeps only read tools', () => {
    expect(names(selectTools(catalogue, { readOnly: true, noDestructive: false }))).toEqual(['read_note', 'whoami']);
  });
  it('--no-destructive drops destructive tools only', () => {
    expect(names(selectTools(catalogue, { readOnly: false, noDestructive: true }))).toEqual(['read_note', 'whoami', 'write_note']);
  });
  it('--toolsets keeps the named toolsets', () => {
    expect(names(selectTools(catalogue, { toolsets: ['identity'], readOnly: false, noDestructive: false }))).toEqual(['whoami']);
  });
  it('refuses an unknown toolset, listing the known ones', () => {
    expect(() => selectTools(catalogue, { toolsets: ['identity', 'nope'], readOnly: false, noDestructive: false })).toThrow(
      /unknown toolset\(s\) nope.*known: identity, notes/,
    );
  });
});

describe('plane configuration', () => {
  it('defaults to the documented addresses', () => {
    const config = resolvePlaneConfig('control-plane', [], {});
    expect(config.canonicalUrl.href).toBe('http://localhost:8080/mcp');
    expect(config.port).toBe(8080);
    expect(config.issuer).toBe('http://localhost:8090');
    expect(config.bindHost).toBe('127.0.0.1');
    expect(resolvePlaneConfig('observability-plane', [], {}).canonicalUrl.href).toBe('http://localhost:8081/mcp');
  });
  it('lets flags override the environment', () => {
    const config = resolvePlaneConfig('control-plane', ['--read-only', '--toolsets=identity,notes'], {
      PLANE_READ_ONLY: 'false',
      PLANE_CONTROL_PLANE_TOOLSETS: 'x',
    });
    expect(config.readOnly).toBe(true);
    expect(config.toolsets).toEqual(['identity', 'notes']);
  });
  it('names the variable that is wrong', () => {
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_ISSUER: 'ftp://x' })).toThrow(ConfigError);
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_ISSUER: 'ftp://x' })).toThrow(/PLANE_ISSUER/);
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_READ_ONLY: 'maybe' })).toThrow(/PLANE_READ_ONLY/);
    expect(() => resolvePlaneConfig('control-plane', [], { PLANE_TOKEN_ALGORITHMS: 'HS256' })).toThrow(/PLANE_TOKEN_ALGORITHMS/);
  });
  it('refuses the same URL for both planes (they are distinct audiences)', () => {
    expect(() =>
      resolvePlaneConfig('control-plane', [], { PLANE_CONTROL_PLANE_URL: 'http://a/mcp', PLANE_OBSERVABILITY_PLANE_URL: 'http://a/mcp' }),
    ).toThrow(/must differ/);
  });
  it('refuses unknown flags', () => {
    expect(() => resolvePlaneConfig('control-plane', ['--readonly'], {})).toThrow();
  });
});
