/** A request the receiver refuses with this HTTP status; the message is fixed text of ours, never request content. */
export class OtlpHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'OtlpHttpError';
  }
}
