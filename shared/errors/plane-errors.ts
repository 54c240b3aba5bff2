import type { Decision } from '../authz/policy-engine.js';
import { InvalidResourceNameError } from '../authz/resource-path.js';

export type PlaneErrorCode =
  'ERR_INVALID_INPUT' | 'ERR_FORBIDDEN' | 'ERR_NOT_FOUND' | 'ERR_CONFLICT' | 'ERR_UPSTREAM_UNAVAILABLE' | 'ERR_INTERNAL';

/**
 * The one error family of plane-mcp: tools, domain rules, stores (`ResourceNotFoundError` …) and
 * backend adapters (which translate their library's errors into `UpstreamUnavailableError` at their
 * boundary) all throw these, and `runToolCall` maps them to MCP results in one place (`errorResult`).
 * `expose` says whether the message may reach the caller; internal errors are replaced by a generic
 * message and logged instead.
 */
export class PlaneError extends Error {
  readonly expose: boolean = true;
  constructor(
    readonly code: PlaneErrorCode,
    message: string,
    /** What the caller can do about it, for the model to act on. */
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidInputError extends PlaneError {
  constructor(message: string, hint?: string) {
    super('ERR_INVALID_INPUT', message, hint ?? 'Fix the arguments and call again.');
  }
}

export class ForbiddenError extends PlaneError {
  constructor(readonly decision: Decision) {
    super(
      'ERR_FORBIDDEN',
      decision.explanation,
      decision.reason === 'evaluation_error'
        ? 'The policy could not be evaluated for this request, so access was denied; report it to a platform administrator.'
        : decision.wouldAllow?.length
          ? `Ask a platform administrator for a binding to one of: ${decision.wouldAllow.join(', ')}. Retrying will not help.`
          : 'Retrying will not help; ask a platform administrator if this access is needed.',
    );
  }
}

export class NotFoundError extends PlaneError {
  constructor(what: string, hint?: string) {
    super('ERR_NOT_FOUND', `${what} not found`, hint ?? 'Check the name, or list the parent to see what exists.');
  }
}

export class ConflictError extends PlaneError {
  constructor(message: string, hint?: string) {
    super('ERR_CONFLICT', message, hint ?? 'Read the resource again and reapply your change to the current version.');
  }
}

export class UpstreamUnavailableError extends PlaneError {
  constructor(backend: string, options?: ErrorOptions) {
    super('ERR_UPSTREAM_UNAVAILABLE', `${backend} is unavailable`, 'Try again later; the backend did not answer.', options);
  }
}

export class InternalError extends PlaneError {
  override readonly expose = false;
  constructor(options?: ErrorOptions) {
    super('ERR_INTERNAL', 'internal error', 'This is a server fault, not a problem with your request.', options);
  }
}

/** Anything thrown, as a PlaneError: unknown errors become an internal error that keeps the original as `cause`. */
export function asPlaneError(error: unknown): PlaneError {
  if (error instanceof PlaneError) return error;
  if (error instanceof InvalidResourceNameError) return new InvalidInputError(error.message);
  return new InternalError({ cause: error });
}
