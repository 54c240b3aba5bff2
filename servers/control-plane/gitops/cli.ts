/**
 * GitOps for the control plane's store:
 *
 *   tsx servers/control-plane/gitops/cli.ts apply <dir> [--dry-run]   load YAML into the store
 *   tsx servers/control-plane/gitops/cli.ts export <dir>               write the store out as YAML
 *
 * The store is the one the servers use (`PLANE_STORE`, `PLANE_DATABASE_URL`, `PLANE_DATA_DIR`).
 * Exit code 0 when every document applied, 1 when any failed, 2 on a usage or configuration error.
 */
import { stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createResourceStore, describeStoreConfig, resolveStoreConfig } from '../store/create-store.js';
import type { Actor, ResourceStore } from '../store/resource-store.js';
import { applyDirectory, type ApplyReport } from './apply-directory.js';
import { exportDirectory } from './export-directory.js';

const USAGE = `usage: gitops apply <dir> [--dry-run]
       gitops export <dir>`;

function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = os.userInfo().username || user;
  } catch {
    // no passwd entry (containers): keep "unknown"
  }
  return { subject: `local:${user}`, clientId: 'gitops-cli' };
}

export function formatApplyReport(report: ApplyReport, dryRun = false): string {
  const lines: string[] = [];
  let currentFile: string | undefined;
  for (const result of report.results) {
    if (result.file !== currentFile) {
      currentFile = result.file;
      lines.push(result.file);
    }
    const outcome = dryRun && result.outcome !== 'error' && result.outcome !== 'unchanged' ? `would be ${result.outcome}` : result.outcome;
    const subject = result.resource ?? '';
    const detail = result.message ? `${subject ? ': ' : ''}${result.message}` : '';
    lines.push(`  document ${result.document}  ${outcome.padEnd(dryRun ? 16 : 9)} ${subject}${detail}`);
  }
  const documents = report.results.length;
  lines.push(
    `${report.created.length} created, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.errors.length} failed` +
      ` (${documents} document${documents === 1 ? '' : 's'} in ${report.files.length} file${report.files.length === 1 ? '' : 's'})${dryRun ? ' — dry run, nothing written' : ''}`,
  );
  return lines.join('\n');
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const flags = argv.filter((arg) => arg.startsWith('--'));
  const [command, target, ...rest] = argv.filter((arg) => !arg.startsWith('--'));
  const unknownFlags = flags.filter((flag) => !(command === 'apply' && flag === '--dry-run'));
  if ((command !== 'apply' && command !== 'export') || !target || rest.length > 0 || unknownFlags.length > 0) {
    console.error(USAGE);
    return 2;
  }
  const dir = path.resolve(target);
  if (command === 'apply' && !(await isDirectory(dir))) {
    console.error(`${target}: not a directory`);
    return 2;
  }

  let store: ResourceStore;
  let where: string;
  try {
    const config = resolveStoreConfig(env, env['PLANE_DATA_DIR'] ?? './data');
    where = describeStoreConfig(config);
    store = await createResourceStore(config);
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }

  try {
    if (command === 'apply') {
      const dryRun = flags.includes('--dry-run');
      const report = await applyDirectory(store, dir, cliActor(), { dryRun });
      console.log(`apply ${dir} -> ${where}`);
      console.log(formatApplyReport(report, dryRun));
      return report.errors.length > 0 ? 1 : 0;
    }
    const report = await exportDirectory(store, dir);
    console.log(`export ${where} -> ${dir}`);
    for (const file of report.changed) console.log(`  wrote   ${file}`);
    for (const file of report.removed) console.log(`  removed ${file}`);
    console.log(`${report.files.length} objects exported, ${report.changed.length} files written, ${report.removed.length} removed`);
    return 0;
  } catch (error) {
    console.error(`${command} failed: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
