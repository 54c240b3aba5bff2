import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics one MCP server exposes on `/metrics`. One registry per server, so two servers in one process do not collide. */
export interface ServerMetrics {
  registry: Registry;
  toolCalls: Counter<'tool' | 'outcome'>;
  toolCallDuration: Histogram<'tool'>;
  denials: Counter<'tool' | 'reason'>;
  httpRejections: Counter<'status'>;
}

export function createServerMetrics(plane: string): ServerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ plane });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    toolCalls: new Counter({
      name: 'mcp_tool_calls_total',
      help: 'Tool calls by tool and outcome (success, tool_error, denied, invalid_input, insufficient_scope).',
      labelNames: ['tool', 'outcome'],
      registers: [registry],
    }),
    toolCallDuration: new Histogram({
      name: 'mcp_tool_call_duration_seconds',
      help: 'Tool call duration including authorization and audit.',
      labelNames: ['tool'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    denials: new Counter({
      name: 'mcp_authorization_denials_total',
      help: 'Denied tool calls by tool and reason (explicit_deny, no_match, evaluation_error, insufficient_scope).',
      labelNames: ['tool', 'reason'],
      registers: [registry],
    }),
    httpRejections: new Counter({
      name: 'mcp_http_auth_rejections_total',
      help: 'Requests refused before reaching MCP (401 invalid token, 403 insufficient scope).',
      labelNames: ['status'],
      registers: [registry],
    }),
  };
}
