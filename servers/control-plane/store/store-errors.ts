import { ConflictError, NotFoundError } from '../../../shared/errors/plane-errors.js';

/** Thrown by stores; they are the shared tool errors, so tools surface them unchanged. */
export class ResourceNotFoundError extends NotFoundError {
  constructor(
    readonly kind: string,
    readonly namespace: string | undefined,
    readonly resourceName: string,
  ) {
    super(`${kind} ${namespace ? `${namespace}/` : ''}${resourceName}`);
  }
}

export class ResourceExistsError extends ConflictError {
  constructor(
    readonly kind: string,
    readonly namespace: string | undefined,
    readonly resourceName: string,
  ) {
    super(
      `${kind} ${namespace ? `${namespace}/` : ''}${resourceName} already exists`,
      'Use the update tool to change it, or pick another name.',
    );
  }
}

export class ResourceConflictError extends ConflictError {
  constructor(
    readonly kind: string,
    readonly namespace: string | undefined,
    readonly resourceName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `${kind} ${namespace ? `${namespace}/` : ''}${resourceName} changed since you read it (you had version ${expected}, it is now ${actual})`,
      'Read it again, check the other change, and reapply yours with the new resourceVersion.',
    );
  }
}
