import type { AccessTarget } from '../../../../shared/tools/define-tool.js';
import type { TelemetryScope } from '../../backends/telemetry-backend.js';
import { scopeOf } from './query-arguments.js';

/**
 * The policy target of a telemetry query: the scope's resource path plus the environment. The
 * observability plane does not read the control plane's store, so which environments are production
 * is configuration (PLANE_PRODUCTION_ENVIRONMENTS); a query over all environments leaves the
 * environment unknown, which production-only deny rules treat as production (fail closed).
 */
export function telemetryTarget(scope: TelemetryScope, productionEnvironments: readonly string[]): AccessTarget {
  return {
    resource: {
      namespace: scope.namespace,
      ...(scope.project ? { project: scope.project } : {}),
      ...(scope.project && scope.component ? { component: scope.component } : {}),
    },
    attributes: scope.environment
      ? { environment: scope.environment, isProduction: productionEnvironments.includes(scope.environment) }
      : {},
  };
}

/** The authorization of a tool whose arguments name a telemetry scope: the action on that scope. */
export function authorizeScope(action: string) {
  return {
    action,
    target: (
      input: { namespace: string; project?: string | undefined; component?: string | undefined; environment?: string | undefined },
      context: { deps: { productionEnvironments: readonly string[] } },
    ) => telemetryTarget(scopeOf(input), context.deps.productionEnvironments),
  };
}
