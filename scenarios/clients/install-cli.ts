import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

/**
 * Assistant CLIs the scenarios can be played through, installed from the npm registry with npm into
 * `.tools/` (gitignored; never into the project's dependencies), pinned, without install scripts.
 * Both ship a native binary in a per-platform optional dependency, which npm picks; the harness runs
 * that binary directly, so the CLI's own Node requirement does not matter.
 */

const run = promisify(execFile);

export interface CliPackage {
  /** Package to install; npm brings the platform's optional dependency with it. */
  name: string;
  version: string;
  /** Path of the native binary inside the install's node_modules, for this platform. */
  binary(): string;
  /** Environment variable naming an existing binary to use instead of installing. */
  overrideVariable: string;
}

function linuxLibc(): 'gnu' | 'musl' {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
}

/** Claude Code 2.1: `@anthropic-ai/claude-code-<platform>-<arch>[-musl]/claude`. */
export const CLAUDE_CODE: CliPackage = {
  name: '@anthropic-ai/claude-code',
  version: process.env.PLANE_CLAUDE_CODE_VERSION ?? '2.1.330',
  overrideVariable: 'PLANE_CLAUDE_CODE_BIN',
  binary() {
    const musl = process.platform === 'linux' && linuxLibc() === 'musl' ? '-musl' : '';
    const platform = `${process.platform}-${process.arch}${musl}`;
    return join('@anthropic-ai', `claude-code-${platform}`, process.platform === 'win32' ? 'claude.exe' : 'claude');
  },
};

const CODEX_TARGETS: Record<string, string> = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
  'win32-x64': 'x86_64-pc-windows-msvc',
  'win32-arm64': 'aarch64-pc-windows-msvc',
};

/** Codex CLI: `@openai/codex-<platform>-<arch>/vendor/<target triple>/bin/codex`. */
export const CODEX: CliPackage = {
  name: '@openai/codex',
  version: process.env.PLANE_CODEX_VERSION ?? '0.169.0',
  overrideVariable: 'PLANE_CODEX_BIN',
  binary() {
    const platform = `${process.platform}-${process.arch}`;
    const target = CODEX_TARGETS[platform] ?? `unsupported-${platform}`;
    return join('@openai', `codex-${platform}`, 'vendor', target, 'bin', process.platform === 'win32' ? 'codex.exe' : 'codex');
  },
};

/** Raised when the npm registry cannot be reached: the one reason the harness may be skipped. */
export class CliUnavailableError extends Error {
  override name = 'CliUnavailableError';
}

const NETWORK_FAILURE = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|network|socket hang up/i;

const pending = new Map<string, Promise<string>>();

/** Path of the CLI's binary: the override variable, an earlier install under `.tools/`, or a fresh install. */
export function locateCli(cli: CliPackage, options: { toolsDir?: string } = {}): Promise<string> {
  const key = `${cli.name}@${cli.version}`;
  let located = pending.get(key);
  if (!located) {
    located = locate(cli, options.toolsDir ?? resolve('.tools'));
    located.catch(() => pending.delete(key));
    pending.set(key, located);
  }
  return located;
}

async function locate(cli: CliPackage, toolsDir: string): Promise<string> {
  const override = process.env[cli.overrideVariable];
  if (override) return checked(override, cli);
  const target = join(toolsDir, `${cli.name.replace(/^@/, '').replace('/', '-')}-${cli.version}`);
  const binary = join(target, 'node_modules', cli.binary());
  if (existsSync(binary)) return checked(binary, cli);
  mkdirSync(toolsDir, { recursive: true });
  // Install into a private directory, then rename: parallel runs never see half an install.
  const staging = mkdtempSync(join(toolsDir, '.staging-'));
  try {
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
          `${cli.name}@${cli.version}`,
        ],
        { cwd: staging, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
      );
    } catch (error) {
      const output = `${(error as { stderr?: string }).stderr ?? ''} ${(error as Error).message}`;
      if (NETWORK_FAILURE.test(output))
        throw new CliUnavailableError(`cannot install ${cli.name}@${cli.version} from the npm registry: ${output.trim().slice(0, 400)}`);
      throw error;
    }
    if (!existsSync(join(staging, 'node_modules', cli.binary())))
      throw new Error(`${cli.name}@${cli.version} installed, but it has no binary ${cli.binary()} for ${process.platform}-${process.arch}`);
    try {
      renameSync(staging, target);
    } catch (error) {
      if (!existsSync(binary)) throw error; // another run won the race; its copy is as good as ours
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return checked(binary, cli);
}

async function checked(binary: string, cli: CliPackage): Promise<string> {
  // A throwaway HOME: the CLI must not touch the real one's settings.
  const home = mkdtempSync(join(tmpdir(), 'plane-mcp-cli-version-'));
  const { stdout } = await run(binary, ['--version'], { timeout: 60_000, env: { PATH: process.env.PATH, HOME: home } }).finally(() =>
    rmSync(home, { recursive: true, force: true }),
  );
  if (!stdout.includes(cli.version) && !process.env[cli.overrideVariable])
    throw new Error(`${binary} --version says ${stdout.trim()}, expected ${cli.version}`);
  return binary;
}
