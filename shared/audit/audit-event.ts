/** One tool call, allowed or denied: who, what, on what, the decision and the rule behind it, and how it ended. */
export interface AuditEvent {
  id: string;
  time: string;
  plane: string;
  /** `user:<id>` or `service:<clientId>`. */
  subject: string;
  subjectType: 'user' | 'service';
  groups: string[];
  clientId: string;
  tool: string;
  /** The Casbin action, or `caller-only` for tools that only describe the caller. */
  action: string;
  /** The policy resource path (`ns/default/project/p`), when the call got that far. */
  resource?: string;
  decision: 'allow' | 'deny' | 'not_evaluated';
  /** The binding that decided, or what refused the call before the policy (`insufficient_scope:<scope>`). */
  rule?: string;
  /** Tool arguments with secrets redacted. */
  arguments: unknown;
  outcome: 'success' | 'tool_error' | 'denied' | 'invalid_input' | 'insufficient_scope';
  errorCode?: string;
  durationMs: number;
  traceId?: string;
}

export interface AuditQuery {
  subject?: string;
  tool?: string;
  decision?: AuditEvent['decision'];
  since?: string;
  until?: string;
  limit: number;
  /** Return events older than this id (events are returned newest first). */
  before?: string;
}

/** Where a plane keeps its audit trail. Appends must not be lost silently: a failing store throws. */
export interface AuditStore {
  append(event: AuditEvent): Promise<void>;
  query(query: AuditQuery): Promise<AuditEvent[]>;
  close(): Promise<void>;
}
