import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './keycloak.js';

/** The parts of a compose service the delivery tests read (YAML merge keys resolved). */
export interface ComposeService {
  image?: string;
  build?: string | { context: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  volumes?: Array<string | { type: string; source: string; target: string }>;
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  network_mode?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export function loadCompose(): ComposeFile {
  return parse(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** A service's environment as strings, the way the process sees it. */
export function environmentOf(service: ComposeService | undefined): Record<string, string> {
  const environment = service?.environment ?? {};
  if (Array.isArray(environment)) {
    return Object.fromEntries(
      environment.map((entry) => {
        const separator = entry.indexOf('=');
        return separator < 0 ? [entry, ''] : [entry.slice(0, separator), entry.slice(separator + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, value === null ? '' : String(value)]));
}

export function dependenciesOf(service: ComposeService): Record<string, string | undefined> {
  const dependsOn = service.depends_on ?? [];
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, undefined]));
  return Object.fromEntries(Object.entries(dependsOn).map(([name, options]) => [name, options?.condition]));
}

/** The script a plane-mcp service runs (`servers/…/main.ts`) and its flags. */
export function commandOf(service: ComposeService): { script: string; args: string[] } {
  const command = typeof service.command === 'string' ? service.command.split(/\s+/).filter(Boolean) : (service.command ?? []);
  const [script = '', ...args] = command;
  return { script, args };
}

/** Published host ports as `{ host, hostIp, container }`. */
export function publishedPorts(service: ComposeService): Array<{ host: number; hostIp?: string; container: number }> {
  return (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') {
      return { host: Number(port.published ?? port.target), ...(port.host_ip ? { hostIp: port.host_ip } : {}), container: port.target };
    }
    const parts = port.split(':');
    const container = Number(parts.pop());
    const host = Number(parts.pop() ?? container);
    const hostIp = parts.pop();
    return { host, ...(hostIp ? { hostIp } : {}), container };
  });
}

/** Keycloak-style `${NAME}` / `${NAME:default}` placeholders filled from `env`. */
export function resolvePlaceholders(text: string, env: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_.]*)(?::([^}]*))?\}/g,
    (match, name: string, fallback: string | undefined) => env[name] ?? fallback ?? match,
  );
}
