/** Items a request held that could not be stored: the count, and up to ten distinct reasons for `partialSuccess`. */
export class Rejections {
  count = 0;
  private readonly reasons = new Set<string>();

  reject(reason: string, count = 1): void {
    this.count += count;
    if (this.reasons.size < 10) this.reasons.add(reason);
  }

  get message(): string {
    return [...this.reasons].join('; ').slice(0, 1000);
  }
}
