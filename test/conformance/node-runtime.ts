/**
 * A Node.js binary new enough for the MCP conformance suite (needs `fs.globSync`, Node 22) and the MCP
 * Inspector CLI (`engines: >=22.19.0`), while the project itself runs on Node 20, 22 and 24.
 *
 * - The running Node when it is new enough;
 * - else `PLANE_TEST_NODE` (path to a node binary) when set;
 * - else the official Node binary as published on the npm registry (`node-<platform>-<arch>`, the package
 *   the `node` npm package installs), fetched once with npm into `node_modules/.cache/plane-mcp/` and
 *   checked by running `--version`. Nothing is downloaded from anywhere but the npm registry.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The Node release fetched when the running one is too old (a Node 24 LTS build published for linux-x64/arm64 and darwin-arm64). */
export const FALLBACK_NODE_VERSION = process.env.PLANE_TEST_NODE_VERSION ?? '24.21.0';
/** The oldest Node both tools accept. */
export const MINIMUM_TOOL_NODE = '22.19.0';

export function atLeast(version: string, minimum: string): boolean {
  const parse = (text: string) =>
    text
      .replace(/^v/, '')
      .split('.')
      .map((part) => Number.parseInt(part, 10) || 0);
  const [a, b] = [parse(version), parse(minimum)];
  for (let index = 0; index < 3; index += 1) {
    const difference = (a[index] ?? 0) - (b[index] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

let pending: Promise<string> | undefined;

/** Path of a node binary >= MINIMUM_TOOL_NODE (installing one from the npm registry if needed). */
export function toolNode(): Promise<string> {
  pending ??= locate();
  return pending;
}

async function locate(): Promise<string> {
  if (atLeast(process.versions.node, MINIMUM_TOOL_NODE)) return process.execPath;
  const override = process.env.PLANE_TEST_NODE;
  if (override) return checked(override);
  const platform = { linux: 'linux', darwin: 'darwin' }[process.platform as string];
  if (!platform || !['x64', 'arm64'].includes(process.arch)) {
    throw new Error(
      `Node ${process.versions.node} is too old for the MCP test tools and no npm build exists for ${process.platform}-${process.arch}: set PLANE_TEST_NODE to a node >= ${MINIMUM_TOOL_NODE}`,
    );
  }
  const packageName = `node-${platform}-${process.arch}`;
  const cacheRoot = resolve('node_modules/.cache/plane-mcp');
  const target = join(cacheRoot, `${packageName}-${FALLBACK_NODE_VERSION}`);
  const binary = join(target, 'node_modules', packageName, 'bin', 'node');
  if (existsSync(binary)) return checked(binary);

  // Install into a private directory, then rename: parallel test files never see a half-written binary.
  mkdirSync(cacheRoot, { recursive: true });
  const staging = mkdtempSync(join(cacheRoot, '.staging-'));
  try {
    await run(
      'npm',
      [
        'install',
        '--prefix',
        staging,
        '--no-save',
        '--no-package-lock',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        `${packageName}@${FALLBACK_NODE_VERSION}`,
      ],
      { cwd: staging, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
    );
    try {
      renameSync(staging, target);
    } catch (error) {
      if (!existsSync(binary)) throw error; // another worker won the race; its copy is as good as ours
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return checked(binary);
}

async function checked(binary: string): Promise<string> {
  const { stdout } = await run(binary, ['--version'], { timeout: 30_000 });
  const version = stdout.trim();
  if (!atLeast(version, MINIMUM_TOOL_NODE))
    throw new Error(`${binary} is Node ${version}; the MCP test tools need >= ${MINIMUM_TOOL_NODE}`);
  return binary;
}
