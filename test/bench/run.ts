/**
 * `npm run bench`: every benchmark, each against a baseline measured in the same run, printed as ratios.
 * Numbers depend on the machine; compare ratios, not absolute figures, across machines.
 */
import { benchAuthorization } from './authz.js';
import { benchControlPlane } from './control-plane.js';
import { benchObservability } from './observability.js';
import { benchToolCallOverhead } from './overhead.js';

const format = (value: number, digits = 2) => value.toFixed(digits);

const authz = await benchAuthorization();
console.log('\n## Authorization decisions (Casbin, shared policy)');
console.log(JSON.stringify(authz, null, 2));

for (const concurrency of [1, 8]) {
  const result = await benchToolCallOverhead(2000, concurrency);
  console.log(`\n## Tool call overhead, concurrency ${concurrency} (bare SDK server vs full stack: OAuth + Casbin + audit)`);
  console.log('| server | calls/s | mean ms | p50 ms | p99 ms |');
  console.log('|---|---|---|---|---|');
  for (const [name, stats] of [
    ['bare SDK, no auth', result.bare],
    ['plane-mcp full stack', result.full],
  ] as const) {
    console.log(
      `| ${name} | ${format(stats.callsPerSecond, 0)} | ${format(stats.meanMs)} | ${format(stats.p50Ms)} | ${format(stats.p99Ms)} |`,
    );
  }
  console.log(`latency ratio (full / bare): ${format(result.latencyRatio)}x; throughput ratio: ${format(result.throughputRatio)}x`);
}
console.log('\n## Control plane with 10,000 components (page of 100 / one binding update; direct store call vs full MCP stack)');
console.log('| store | operation | direct mean ms | MCP mean ms | MCP p99 ms | MCP calls/s | ratio |');
console.log('|---|---|---|---|---|---|---|');
for (const result of await benchControlPlane()) {
  for (const [operation, direct, mcp] of [
    ['list_components', result.listDirect, result.listMcp],
    ['update_release_binding', result.updateDirect, result.updateMcp],
  ] as const) {
    console.log(
      `| ${result.store} | ${operation} | ${format(direct.meanMs)} | ${format(mcp.meanMs)} | ${format(mcp.p99Ms)} | ${format(mcp.perSecond, 0)} | ${format(mcp.meanMs / direct.meanMs, 1)}x |`,
    );
  }
  console.log(`(${result.store}: ${result.components} components seeded in ${format(result.seedSeconds, 1)} s)`);
}
const observability = await benchObservability(Number(process.env.PLANE_BENCH_DOCUMENTS ?? 1_000_000));
console.log(
  `\n## Observability over ${observability.documents.logLines.toLocaleString('en')} log lines and ${observability.documents.spans.toLocaleString('en')} spans in OpenSearch (indexed in ${format(observability.seedSeconds, 0)} s)`,
);
console.log('| query | straight to OpenSearch (mean / p99 ms) | through MCP (mean / p99 ms) | ratio | result tokens (text / structured) |');
console.log('|---|---|---|---|---|');
for (const result of observability.results) {
  console.log(
    `| ${result.name} | ${format(result.direct.meanMs)} / ${format(result.direct.p99Ms)} | ${format(result.mcp.meanMs)} / ${format(result.mcp.p99Ms)} | ${format(result.ratio, 1)}x | ${result.tokens.text} / ${result.tokens.structured} |`,
  );
}
process.exit(0);
