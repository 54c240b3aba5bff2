import { createHash } from 'node:crypto';
import { posix } from 'node:path';

/**
 * The Git repositories the simulated build can "clone", and which files they hold, so a build can
 * fail the way a real one does when a path is wrong.
 *
 * - A repository listed in `KNOWN_REPOSITORIES` has exactly the files and branches listed there
 *   (`https://github.com/openchoreo/sample-workloads` holds `/service-go-greeter/Dockerfile` and a
 *   few other samples; its only branch is `main`).
 * - Any other repository is assumed to exist with any branch, and to hold exactly one Dockerfile:
 *   `<appPath>/Dockerfile`.
 *
 * Parameters come in the demo workflow's flat form (`repository`, `branch`, `appPath`,
 * `dockerContext`, `dockerfilePath`) or OpenChoreo's nested one (`repository: {url, revision: {branch},
 * appPath}`, `docker: {context, filePath}`).
 */
export interface KnownRepository {
  branches: readonly string[];
  files: readonly string[];
  /** The base image the sample's Dockerfile starts from (for the build log). */
  baseImages: Readonly<Record<string, string>>;
}

export const KNOWN_REPOSITORIES: Readonly<Record<string, KnownRepository>> = {
  'github.com/openchoreo/sample-workloads': {
    branches: ['main'],
    files: [
      '/service-go-greeter/Dockerfile',
      '/service-go-greeter/workload.yaml',
      '/service-go-greeter/openapi.yaml',
      '/service-go-greeter/main.go',
      '/service-go-greeter/go.mod',
      '/service-go-reading-list/Dockerfile',
      '/service-go-reading-list/workload.yaml',
      '/service-python-reading-list/Dockerfile',
      '/service-python-reading-list/workload.yaml',
      '/service-nodejs-reading-list/Dockerfile',
      '/service-nodejs-reading-list/workload.yaml',
      '/webapp-react-nginx/Dockerfile',
    ],
    baseImages: {
      '/service-go-greeter': 'golang:1.22-alpine',
      '/service-go-reading-list': 'golang:1.22-alpine',
      '/service-python-reading-list': 'python:3.12-slim',
      '/service-nodejs-reading-list': 'node:20-alpine',
      '/webapp-react-nginx': 'node:20-alpine',
    },
  },
};

export interface BuildParameters {
  /** As given (for logs). */
  repository?: string;
  branch: string;
  appPath: string;
  /** Docker build context (absolute path inside the repository). */
  context: string;
  /** Dockerfile (absolute path inside the repository). */
  dockerfile: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** An absolute, normalised path inside the repository; a relative one is taken from `base`. */
export function repositoryPath(path: string, base = '/'): string {
  const joined = path.startsWith('/') ? path : posix.join(base, path);
  const normalised = posix.normalize(joined);
  return normalised.length > 1 ? normalised.replace(/\/+$/, '') : '/';
}

export function buildParameters(parameters: Record<string, unknown>): BuildParameters {
  const repositoryValue = parameters.repository;
  const nested = record(repositoryValue);
  const docker = record(parameters.docker);
  const repository = text(repositoryValue) ?? text(nested.url);
  const branch = text(parameters.branch) ?? text(record(nested.revision).branch) ?? 'main';
  const appPath = repositoryPath(text(parameters.appPath) ?? text(nested.appPath) ?? '/');
  const context = repositoryPath(text(parameters.dockerContext) ?? text(docker.context) ?? appPath);
  const dockerfile = repositoryPath(text(parameters.dockerfilePath) ?? text(docker.filePath) ?? 'Dockerfile', context);
  return { ...(repository ? { repository } : {}), branch, appPath, context, dockerfile };
}

/** `https://github.com/openchoreo/sample-workloads.git/` → `github.com/openchoreo/sample-workloads`. */
export function repositoryKey(repository: string): string {
  return repository
    .trim()
    .replace(/^[a-z+]+:\/\//i, '')
    .replace(/^git@([^:]+):/, '$1/')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
}

export function knownRepository(repository: string): KnownRepository | undefined {
  return KNOWN_REPOSITORIES[repositoryKey(repository)];
}

/** Why checking out this branch fails, if it does. */
export function checkoutProblem(parameters: BuildParameters): string | undefined {
  if (!parameters.repository) return 'fatal: no repository given (set the repository parameter)';
  const known = knownRepository(parameters.repository);
  if (known && !known.branches.includes(parameters.branch)) return `fatal: Remote branch ${parameters.branch} not found in upstream origin`;
  return undefined;
}

export function fileExists(parameters: BuildParameters, path: string): boolean {
  const known = parameters.repository ? knownRepository(parameters.repository) : undefined;
  if (known) return known.files.includes(path);
  return path === repositoryPath('Dockerfile', parameters.appPath);
}

/** The base image for the build log (a guess for unknown repositories). */
export function baseImage(parameters: BuildParameters): string {
  const known = parameters.repository ? knownRepository(parameters.repository) : undefined;
  return known?.baseImages[parameters.context] ?? known?.baseImages[parameters.appPath] ?? 'alpine:3.20';
}

/** A stable fake commit id for a repository and branch. */
export function commitOf(parameters: BuildParameters): string {
  return createHash('sha1')
    .update(`${parameters.repository ?? ''}@${parameters.branch}`)
    .digest('hex');
}
