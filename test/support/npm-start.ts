import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { makeTempDir, removeTempDir } from './identity.js';
import { freePort } from './net.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const tsx = path.join(repoRoot, 'node_modules', '.bin', process.platform === 'win32' ? 'tsx.cmd' : 'tsx');

export interface NpmStart {
  issuer: string;
  controlPlaneUrl: string;
  observabilityPlaneUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * `npm start` (servers/start.ts) as its own process on free ports with a fresh data directory, and no
 * PLANE_* variable from the caller's environment except `env`. Resolves once the banner is printed.
 */
export async function startNpmStart(env: Record<string, string> = {}): Promise<NpmStart> {
  const dataDir = makeTempDir('plane-mcp-npm-start-');
  const [idp, cp, op, otlp] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const urls = {
    issuer: `http://127.0.0.1:${idp}`,
    controlPlaneUrl: `http://127.0.0.1:${cp}/mcp`,
    observabilityPlaneUrl: `http://127.0.0.1:${op}/mcp`,
  };
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('PLANE_')));
  Object.assign(childEnv, {
    PLANE_DATA_DIR: dataDir,
    PLANE_ISSUER: urls.issuer,
    PLANE_CONTROL_PLANE_URL: urls.controlPlaneUrl,
    PLANE_OBSERVABILITY_PLANE_URL: urls.observabilityPlaneUrl,
    PLANE_OTLP_PORT: String(otlp),
    ...env,
  });
  const child: ChildProcessWithoutNullStreams = spawn(tsx, ['servers/start.ts'], { cwd: repoRoot, env: childEnv });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
    removeTempDir(dataDir);
  };
  for (let waited = 0; !output.includes('plane-mcp is running.'); waited += 250) {
    if (child.exitCode !== null || waited > 90_000) {
      await stop();
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await sleep(250);
  }
  return { ...urls, output: () => output, stop };
}
