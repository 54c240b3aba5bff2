import { randomUUID } from 'node:crypto';
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Read a JSON secret file, or create it (mode 0600) when it does not exist yet.
 *
 * Creation is atomic and exclusive: the content is written to a private temporary file and hard-linked
 * into place, so a concurrent start either wins or reads the winner's file, and no reader ever sees a
 * half-written file. A file that exists but does not parse is an error naming the file: silently
 * replacing it would invalidate everything signed with the old secret.
 */
export async function loadOrCreatePrivateJson<T>(path: string, parse: (value: unknown) => T, create: () => Promise<T>): Promise<T> {
  const existing = await readPrivateJson(path, parse);
  if (existing !== undefined) return existing;

  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const value = await create();
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    return value;
  } catch (error) {
    if (!isErrorCode(error, 'EEXIST')) throw error;
    const winner = await readPrivateJson(path, parse);
    if (winner === undefined) throw error;
    return winner;
  } finally {
    await unlink(temporary);
  }
}

/**
 * Replace a private JSON file (mode 0600) atomically: write a temporary file, then rename it over the
 * old one, so a crash never leaves a half-written file behind.
 */
export async function writePrivateJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value)}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary);
    throw error;
  }
}

/** Read and validate a private JSON file; `undefined` when it does not exist. The error for a bad file names the file, never its content. */
export async function readPrivateJson<T>(path: string, parse: (value: unknown) => T): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrorCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The parser's message quotes the file's content: never let secret material reach a log.
    throw new Error(`${path} is not valid JSON; fix or remove it`);
  }
  let value: T;
  try {
    value = parse(json);
  } catch (error) {
    throw new Error(
      `${path} does not have the expected shape (${error instanceof Error ? error.message : String(error)}); fix or remove it`,
      { cause: error },
    );
  }
  await chmod(path, 0o600);
  return value;
}

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}
