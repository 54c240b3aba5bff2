import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * One child process of the test cluster (etcd or kube-apiserver): its last output kept for error
 * messages, killed when the test process exits without teardown, stopped with SIGTERM then SIGKILL.
 */
export class ManagedProcess {
  private readonly child: ChildProcess;
  private output = '';
  private readonly exited: Promise<void>;
  private readonly killOnExit = () => this.child.kill('SIGKILL');

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    cwd: string,
  ) {
    this.child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-16_000));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('error', (error) => keep(Buffer.from(`\n${name} could not start: ${error.message}\n`)));
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    process.once('exit', this.killOnExit);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The last lines it printed, for error messages. */
  log(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  /** Why it is not running, or undefined while it runs. */
  exitDescription(): string | undefined {
    if (!this.hasExited) return undefined;
    return `${this.name} exited (${this.child.exitCode ?? this.child.signalCode}); last output:\n${this.log()}`;
  }

  /** Resident set size in bytes (Linux), or undefined when it is not running. */
  residentBytes(): number | undefined {
    if (this.hasExited || !this.child.pid) return undefined;
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return match?.[1] ? Number(match[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async stop(graceMs = 10_000): Promise<void> {
    process.off('exit', this.killOnExit);
    if (!this.hasExited) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
  }
}

/** Poll `check` until it returns true; fail when `process` exits or after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; process: ManagedProcess; intervalMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  for (;;) {
    const exited = options.process.exitDescription();
    if (exited) throw new Error(`${what}: ${exited}`);
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not within ${options.timeoutMs / 1000} s${lastError ? ` (${lastError})` : ''}; last output of ${options.process.name}:\n${options.process.log()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
