import { InvalidInputError } from '../../../shared/errors/plane-errors.js';
import type { DeploymentPipeline } from './resources.js';

/** The environments a pipeline promotes `source` to. */
export function promotionTargets(pipeline: DeploymentPipeline, source: string): string[] {
  return pipeline.spec.promotionPaths
    .filter((path) => path.sourceEnvironmentRef === source)
    .flatMap((path) => path.targetEnvironmentRefs.map((target) => target.name));
}

/** A promotion must follow one of the pipeline's paths. */
export function requirePromotionPath(pipeline: DeploymentPipeline, source: string, target: string): void {
  const allowed = promotionTargets(pipeline, source);
  if (allowed.includes(target)) return;
  throw new InvalidInputError(
    `pipeline ${pipeline.metadata.name} does not promote ${source} to ${target}`,
    allowed.length ? `From ${source} it promotes to: ${allowed.join(', ')}.` : `${source} is not a promotion source in this pipeline.`,
  );
}

/** The environment a pipeline starts from: the one no promotion path leads to (development in the demo). */
export function firstEnvironment(pipeline: DeploymentPipeline): string | undefined {
  const targets = new Set(pipeline.spec.promotionPaths.flatMap((path) => path.targetEnvironmentRefs.map((target) => target.name)));
  return (
    pipeline.spec.promotionPaths.map((path) => path.sourceEnvironmentRef).find((source) => !targets.has(source)) ??
    pipeline.spec.promotionPaths[0]?.sourceEnvironmentRef
  );
}
