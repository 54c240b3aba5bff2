/** Start a process's components, stop them all on SIGINT/SIGTERM, and exit non-zero with a readable message if start-up fails. */
export async function runUntilSignal(name: string, start: () => Promise<Array<{ close(): Promise<void> }>>): Promise<void> {
  let running: Array<{ close(): Promise<void> }>;
  try {
    running = await start();
  } catch (error) {
    process.stderr.write(`${name} failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
  const stop = async () => {
    await Promise.allSettled(running.reverse().map((component) => component.close()));
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
