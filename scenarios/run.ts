import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { locateCli } from './clients/install-cli.js';
import { ASSISTANT_CLIENTS, CLIENT_PACKAGES, playThroughClient } from './clients/play-through-client.js';
import { formatStepTable, formatSummaryTable, type ClientTokenReport, type TokenTotal } from './clients/token-report.js';
import { loadScenarios, type ServerName } from './format.js';
import { ScenarioRunner, type ScenarioReport } from './runner.js';

/**
 * `npm run scenarios [-- <name> …] [--continue] [--var name=value …] [--json <file>] [--client claude-code|codex [--tool-search on|off] [--record <dir>]]`:
 * play the scenarios in this directory against running servers (`npm start`), reading the same variables the servers read:
 * PLANE_ISSUER, PLANE_CONTROL_PLANE_URL, PLANE_OBSERVABILITY_PLANE_URL, and the secrets
 * PLANE_CLIENT_SECRET_<CLIENT> (dev default `<client>-secret`). People sign in through the login
 * page with their dev password (the user name), or PLANE_USER_PASSWORD_<USER>.
 * `--client claude-code` (or `codex`) plays each scenario's tool calls through the real CLI driven by a
 * scripted stand-in model (scenarios/clients/) and prints the tokens its model was shown.
 * Exit code 1 when any step fails.
 */

const CLIENTS = ['direct', ...ASSISTANT_CLIENTS] as const;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    continue: { type: 'boolean', default: false },
    var: { type: 'string', multiple: true, default: [] },
    json: { type: 'string' },
    client: { type: 'string', default: 'direct' },
    'tool-search': { type: 'string' },
    record: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run scenarios [-- <scenario> …] [--continue] [--var namespace=default …] [--json report.json] [--client direct|claude-code|codex] [--tool-search on|off] [--record <dir>]',
  );
  process.exit(0);
}
const client = values.client as (typeof CLIENTS)[number];
if (!CLIENTS.includes(client)) throw new Error(`--client ${values.client}: expected one of ${CLIENTS.join(', ')}`);
if (values['tool-search'] !== undefined && !['on', 'off'].includes(values['tool-search']))
  throw new Error(`--tool-search ${values['tool-search']}: expected on or off`);
const variables = Object.fromEntries(
  values.var.map((assignment) => {
    const separator = assignment.indexOf('=');
    if (separator < 1) throw new Error(`--var ${assignment}: expected name=value`);
    return [assignment.slice(0, separator), assignment.slice(separator + 1)];
  }),
);

const envName = (prefix: string, name: string) => `${prefix}${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
const servers: Record<ServerName, URL> = {
  'control-plane': new URL(process.env.PLANE_CONTROL_PLANE_URL ?? 'http://localhost:8080/mcp'),
  'observability-plane': new URL(process.env.PLANE_OBSERVABILITY_PLANE_URL ?? 'http://localhost:8081/mcp'),
};
const runner = new ScenarioRunner({
  issuer: process.env.PLANE_ISSUER ?? 'http://localhost:8090',
  servers,
  clientSecret: (client) => process.env[envName('PLANE_CLIENT_SECRET_', client)] ?? `${client}-secret`,
  userPassword: (user) => process.env[envName('PLANE_USER_PASSWORD_', user)] ?? user,
});

const scenarios = loadScenarios(join(dirname(fileURLToPath(import.meta.url))), positionals);
const reports: ScenarioReport[] = [];
const shown: ClientTokenReport[] = [];
try {
  const options = { log: (line: string) => console.log(line), continueOnFailure: values.continue, variables };
  const binary = client === 'direct' ? undefined : await locateCli(CLIENT_PACKAGES[client]);
  const offeredCache = new Map<string, Promise<TokenTotal>>();
  for (const scenario of scenarios) {
    if (binary && client !== 'direct') {
      const played = await playThroughClient(runner, scenario, {
        ...options,
        client,
        binary,
        offeredCache,
        ...(values.record ? { recordDir: values.record } : {}),
        ...(values['tool-search'] ? { toolSearch: values['tool-search'] === 'on' } : {}),
      });
      reports.push(played.report);
      shown.push(played.tokens);
      console.log(`\n${formatStepTable(played.tokens, played.report)}`);
    } else {
      reports.push(await runner.run(scenario, options));
    }
    console.log('');
  }
} finally {
  await runner.close();
}
if (shown.length) console.log(`Tokens shown to the model through ${client} (o200k_base):\n${formatSummaryTable(shown)}\n`);

const failed = reports.filter((report) => !report.passed);
console.log(
  `${reports.length - failed.length} of ${reports.length} scenarios passed${failed.length ? `; failed: ${failed.map((report) => report.id).join(', ')}` : ''}`,
);
if (values.json) {
  writeFileSync(
    values.json,
    `${JSON.stringify(
      reports.map(({ context: _context, ...report }) => ({
        ...report,
        steps: report.steps.map(({ observation: _observation, ...step }) => step),
        ...(shown.length ? { shown: shown.find((tokens) => tokens.scenario === report.id) } : {}),
      })),
      null,
      2,
    )}\n`,
  );
}
process.exitCode = failed.length ? 1 : 0;
