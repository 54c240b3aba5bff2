/**
 * Authorization benchmark over a generated policy with 10,000 bindings (authz-workload.ts), loaded
 * by the real engine: a mixed stream of allow / deny / no-match decisions, and list pages checked
 * item by item.
 *
 * Casbin evaluates every `p` row it is given, so the engine hands it only the candidate rows (those
 * naming one of the caller's entitlements, whose role holds the action and whose scope covers the
 * resource; Casbin still evaluates the matcher and the effect over every candidate) and caches its
 * outcomes per policy version. Measured in the same run against: the same engine without the cache,
 * the previous index (subject and action) without the cache, a subject-only index, a full scan
 * (plain Casbin), and Casbin's own action wildcard matching (`addNamedMatchingFunc`) — after
 * checking that every configuration returns the same decisions, and that a prepared check returns
 * what `decide` does for every request and list item.
 *
 * Run alone: `npx tsx test/bench/authz.ts`.
 */
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { PolicyEngine, type AccessRequest, type DecisionReason, type PolicyEngineOptions } from '../../shared/authz/policy-engine.js';
import { generate, type ListPage } from './authz-workload.js';

export interface ConfigResult {
  decisionsPerSecond: number;
  meanMicros: number;
  p99Micros: number;
  iterations: number;
}

export interface ListFilteringResult {
  itemsPerSecond: number;
  /** One page of 100 items. */
  pageMeanMicros: number;
  pageP99Micros: number;
  pages: number;
}

export interface AuthzBenchResult {
  bindings: number;
  /** Casbin `p` rows (one per binding subject). */
  rows: number;
  groups: number;
  users: number;
  loadMs: number;
  /** The engine as shipped: rows indexed by subject, action and scope, outcomes cached per policy version. */
  decisionsPerSecond: number;
  meanMicros: number;
  p99Micros: number;
  iterations: number;
  outcomes: Record<DecisionReason, number>;
  /** The shipped index without the decision cache: every decision is a Casbin evaluation. */
  uncached: ConfigResult;
  /** Rows indexed by subject and action only, no cache (the shipped configuration before the scope index and cache). */
  actionIndexUncached: ConfigResult;
  /** Rows indexed by subject only (rowIndex: 'subject'), no cache. */
  subjectIndex: ConfigResult;
  /** Casbin scanning every row (rowIndex: 'none'), wildcards expanded at load, no cache. */
  fullScan: ConfigResult;
  /** The literal model sketch: every row scanned and Casbin's `addNamedMatchingFunc('g')` for wildcards. */
  fullScanCasbinPatterns: ConfigResult;
  /** Shipped row index, no cache, Casbin's `addNamedMatchingFunc('g')` for wildcards. */
  indexedCasbinPatterns: ConfigResult;
  speedupOverUncached: number;
  speedupOverActionIndex: number;
  speedupOverFullScan: number;
  speedupOverLiteralModel: number;
  /** List pages of 100 items, each item checked as a list tool does. */
  listFiltering: {
    /** One full `decide` per item with the subject+action index and no cache (what `isAllowed` did before). */
    decidePerItem: ListFilteringResult;
    /** `prepare(subject, action)` once per page, then a check per item; no cache (every item a Casbin evaluation or none at all). */
    preparedUncached: ListFilteringResult;
    /** As shipped: prepared per page, the decision cache on. */
    prepared: ListFilteringResult;
    speedup: number;
  };
  /** Decisions compared across all configurations; all identical. */
  crossChecked: number;
  /** Requests and list items where a prepared check was compared with `decide`; all identical. */
  preparedCrossChecked: number;
}

function measure(
  decide: (request: AccessRequest) => unknown,
  requests: AccessRequest[],
  opts: { warmup: number; iterations: number; maxMs: number },
): ConfigResult {
  for (let i = 0; i < opts.warmup; i++) decide(requests[i % requests.length]!);
  const samples: number[] = [];
  const start = performance.now();
  let i = 0;
  for (; i < opts.iterations; i++) {
    const t0 = performance.now();
    decide(requests[i % requests.length]!);
    samples.push(performance.now() - t0);
    if ((i & 15) === 0 && performance.now() - start > opts.maxMs) {
      i++;
      break;
    }
  }
  const elapsed = performance.now() - start;
  return {
    decisionsPerSecond: Math.round((i / elapsed) * 1000),
    meanMicros: Math.round((elapsed / i) * 1000 * 10) / 10,
    p99Micros: p99(samples),
    iterations: i,
  };
}

function p99(samplesMs: number[]): number {
  samplesMs.sort((a, b) => a - b);
  return Math.round(samplesMs[Math.min(samplesMs.length - 1, Math.floor(samplesMs.length * 0.99))]! * 1000 * 10) / 10;
}

/** Filters every page `rounds` times; `filter` returns the visible items of one page. */
function measurePages(filter: (page: ListPage) => unknown, pages: ListPage[], rounds: number, maxMs: number): ListFilteringResult {
  const samples: number[] = [];
  const start = performance.now();
  let filtered = 0;
  outer: for (let round = 0; round < rounds; round++) {
    for (const page of pages) {
      const t0 = performance.now();
      filter(page);
      samples.push(performance.now() - t0);
      filtered++;
      if (performance.now() - start > maxMs) break outer;
    }
  }
  const elapsed = performance.now() - start;
  const items = pages[0]!.items.length;
  return {
    itemsPerSecond: Math.round(((filtered * items) / elapsed) * 1000),
    pageMeanMicros: Math.round((elapsed / filtered) * 1000),
    pageP99Micros: Math.round(p99(samples)),
    pages: filtered,
  };
}

const sameDecision = (a: ReturnType<PolicyEngine['decide']>, b: ReturnType<PolicyEngine['decide']>) =>
  a.allowed === b.allowed && a.reason === b.reason && a.binding?.name === b.binding?.name;

export async function benchAuthorization(bindingCount = 10_000): Promise<AuthzBenchResult> {
  const generated = await generate(bindingCount);
  try {
    const load = async (options: PolicyEngineOptions) => PolicyEngine.load(generated.dir, options);
    const t0 = performance.now();
    const engine = await load({});
    const loadMs = Math.round(performance.now() - t0);
    const uncached = await load({ decisionCacheSize: 0 });
    const actionIndex = await load({ rowIndex: 'subject+action', decisionCacheSize: 0 });
    const subjectIndex = await load({ rowIndex: 'subject', decisionCacheSize: 0 });
    const fullScan = await load({ rowIndex: 'none', decisionCacheSize: 0 });
    const literal = await load({ rowIndex: 'none', actionMatching: 'casbin-pattern', decisionCacheSize: 0 });
    const indexedPatterns = await load({ actionMatching: 'casbin-pattern', decisionCacheSize: 0 });

    // Every configuration must give the same answers; the first 40 are also decided by plain Casbin scanning every row.
    let crossChecked = 0;
    for (const [i, request] of generated.requests.slice(0, 400).entries()) {
      const expected = i < 40 ? fullScan.decide(request) : actionIndex.decide(request);
      const others = [engine, engine, uncached, actionIndex, subjectIndex, indexedPatterns, ...(i < 40 ? [literal] : [])];
      for (const other of others) {
        const got = other.decide(request);
        if (!sameDecision(got, expected)) {
          throw new Error(`configurations disagree on ${JSON.stringify(request)}: ${expected.explanation} / ${got.explanation}`);
        }
      }
      crossChecked++;
    }
    // A prepared check answers what decide does, for every request and every list item.
    let preparedCrossChecked = 0;
    const checks: Array<{ request: AccessRequest }> = [
      ...generated.requests.map((request) => ({ request })),
      ...generated.pages.flatMap((page) =>
        page.items.map((item) => ({ request: { subject: page.subject, action: page.action, ...item } })),
      ),
    ];
    for (const { request } of checks) {
      const expected = uncached.decide(request).allowed;
      for (const other of [engine, uncached]) {
        if (other.prepare(request.subject, request.action)(request.resource, request.attributes) !== expected) {
          throw new Error(`a prepared check disagrees with decide on ${JSON.stringify(request)}`);
        }
      }
      preparedCrossChecked++;
    }

    const outcomes: Record<DecisionReason, number> = { allow: 0, explicit_deny: 0, no_match: 0, evaluation_error: 0 };
    for (const request of generated.requests) outcomes[engine.decide(request).reason]++;

    const run = (policy: PolicyEngine) => (request: AccessRequest) => policy.decide(request);
    const shipped = measure(run(engine), generated.requests, { warmup: 5000, iterations: 300_000, maxMs: 4000 });
    const noCache = measure(run(uncached), generated.requests, { warmup: 5000, iterations: 100_000, maxMs: 3000 });
    const byAction = measure(run(actionIndex), generated.requests, { warmup: 5000, iterations: 50_000, maxMs: 3000 });
    const bySubject = measure(run(subjectIndex), generated.requests, { warmup: 2000, iterations: 50_000, maxMs: 3000 });
    const scan = measure(run(fullScan), generated.requests, { warmup: 10, iterations: 300, maxMs: 2500 });
    const literalResult = measure(run(literal), generated.requests, { warmup: 10, iterations: 200, maxMs: 2500 });
    const patterns = measure(run(indexedPatterns), generated.requests, { warmup: 1000, iterations: 20_000, maxMs: 3000 });

    const prepared = (policy: PolicyEngine) => (page: ListPage) => {
      const check = policy.prepare(page.subject, page.action);
      return page.items.filter((item) => check(item.resource, item.attributes));
    };
    const decidePerItem = measurePages(
      (page) => page.items.filter((item) => actionIndex.decide({ subject: page.subject, action: page.action, ...item }).allowed),
      generated.pages,
      5,
      3000,
    );
    const preparedUncached = measurePages(prepared(uncached), generated.pages, 5, 3000);
    measurePages(prepared(engine), generated.pages, 1, 3000); // warm the cache, as repeated listing does
    const preparedShipped = measurePages(prepared(engine), generated.pages, 20, 3000);
    const ratio = (a: number, b: number) => Math.round((a / b) * 10) / 10;

    return {
      bindings: generated.bindings,
      rows: generated.rows,
      groups: generated.groups,
      users: generated.users,
      loadMs,
      ...shipped,
      outcomes,
      uncached: noCache,
      actionIndexUncached: byAction,
      subjectIndex: bySubject,
      fullScan: scan,
      fullScanCasbinPatterns: literalResult,
      indexedCasbinPatterns: patterns,
      speedupOverUncached: ratio(shipped.decisionsPerSecond, noCache.decisionsPerSecond),
      speedupOverActionIndex: ratio(shipped.decisionsPerSecond, byAction.decisionsPerSecond),
      speedupOverFullScan: ratio(shipped.decisionsPerSecond, scan.decisionsPerSecond),
      speedupOverLiteralModel: ratio(shipped.decisionsPerSecond, literalResult.decisionsPerSecond),
      listFiltering: {
        decidePerItem,
        preparedUncached,
        prepared: preparedShipped,
        speedup: ratio(preparedShipped.itemsPerSecond, decidePerItem.itemsPerSecond),
      },
      crossChecked,
      preparedCrossChecked,
    };
  } finally {
    await rm(generated.dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchAuthorization();
  console.log(JSON.stringify(result, null, 2));
}
