import type { Logger } from '../telemetry/logger.js';
import type { AuditEvent, AuditStore } from './audit-event.js';

/**
 * Writes each audit event to the plane's store and, as one structured line, to the log. Arguments
 * arrive already redacted. A store failure is logged loudly and rethrown: an unaudited call is an error.
 */
export class AuditLog {
  constructor(
    readonly store: AuditStore,
    private readonly logger: Logger,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    this.logger.info({ audit: event }, `audit ${event.tool} ${event.decision} ${event.outcome}`);
    try {
      await this.store.append(event);
    } catch (error) {
      this.logger.error({ err: error, auditId: event.id }, 'audit store write failed');
      throw error;
    }
  }
}
