import * as z from 'zod';
import { listSet, nonEmptyString, objectName, port, secretKeyRef, timestamp } from './common.js';
import { conditions } from './conditions.js';
import { emptyStatus, namespacedKind } from './kind.js';

/** An alert rule on the observability plane; the `observability-alert-rule` trait renders one per component and environment. */
export const observabilityAlertRuleSchema = namespacedKind(
  'ObservabilityAlertRule',
  z
    .strictObject({
      name: z.string(),
      description: z.string().optional(),
      severity: z.string().optional(),
      enabled: z.boolean().optional(),
      source: z.strictObject({ type: z.enum(['log', 'metric', 'budget']), query: z.string().optional(), metric: z.string().optional() }),
      condition: z.strictObject({
        window: z.string(),
        interval: z.string(),
        operator: z.enum(['gt', 'lt', 'gte', 'lte', 'eq']),
        threshold: z.int(),
      }),
      actions: z.strictObject({
        notifications: z.strictObject({ channels: listSet(nonEmptyString).min(1) }),
        incident: z
          .strictObject({
            enabled: z.boolean().default(false),
            triggerAiRca: z.boolean().default(false),
            triggerAiCostAnalysis: z.boolean().default(false),
          })
          .superRefine((incident, context) => {
            if (incident.triggerAiRca && !incident.enabled) {
              context.addIssue({ code: 'custom', path: ['enabled'], message: 'Incident must be enabled to trigger AI RCA' });
            }
            if (incident.triggerAiCostAnalysis && !incident.enabled) {
              context.addIssue({ code: 'custom', path: ['enabled'], message: 'Incident must be enabled to trigger AI cost analysis' });
            }
          })
          .optional(),
      }),
    })
    .superRefine((spec, context) => {
      if (spec.actions.incident?.triggerAiCostAnalysis && spec.source.type !== 'budget') {
        context.addIssue({
          code: 'custom',
          path: ['actions', 'incident', 'triggerAiCostAnalysis'],
          message: 'AI cost analysis can only be triggered for budget alerts',
        });
      }
    }),
  z.strictObject({
    conditions: conditions.optional(),
    observedGeneration: z.int().optional(),
    phase: z.string().optional(),
    backendMonitorId: z.string().optional(),
    lastReconcileTime: timestamp.optional(),
    lastSyncTime: timestamp.optional(),
  }),
);

const EMAIL_ADDRESS = new RegExp(
  "^[a-zA-Z0-9!#$%&'*+/=?^_~-]+(?:\\.[a-zA-Z0-9!#$%&'*+/=?^_~-]+)*@[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*$",
);
const emailAddress = z.string().regex(EMAIL_ADDRESS, { error: 'must be an email address' });

/** A credential read from a Secret; the channel never holds the value. */
const secretValue = z.strictObject({ secretKeyRef: secretKeyRef.optional() });

const emailConfig = z.strictObject({
  from: emailAddress,
  to: z.array(emailAddress).min(1),
  smtp: z.strictObject({
    host: z.string(),
    port,
    auth: z.strictObject({ username: secretValue, password: secretValue }),
    tls: z.strictObject({ insecureSkipVerify: z.boolean().default(false) }),
  }),
  template: z.strictObject({ subject: z.string(), body: z.string() }),
});

const webhookHeader = z
  .strictObject({ value: z.string().optional(), valueFrom: secretValue.optional() })
  .refine((header) => (header.value !== undefined) !== (header.valueFrom !== undefined), {
    error: 'exactly one of value or valueFrom must be set',
  });

const webhookConfig = z.strictObject({
  url: z.url({ error: 'must be a URL' }),
  headers: z.record(z.string(), webhookHeader).optional(),
  payloadTemplate: z.string().optional(),
});

/** Where an environment's alerts are sent (email or webhook). */
export const observabilityAlertsNotificationChannelSchema = namespacedKind(
  'ObservabilityAlertsNotificationChannel',
  z
    .strictObject({
      /** Immutable. */
      environment: objectName,
      type: z.enum(['email', 'webhook']),
      isEnvDefault: z.boolean().default(false),
      emailConfig: emailConfig.optional(),
      webhookConfig: webhookConfig.optional(),
    })
    .superRefine((spec, context) => {
      if (spec.type === 'email' && !spec.emailConfig) {
        context.addIssue({ code: 'custom', path: ['emailConfig'], message: 'emailConfig is required when type is email' });
      }
      if (spec.type === 'webhook' && !spec.webhookConfig) {
        context.addIssue({ code: 'custom', path: ['webhookConfig'], message: 'webhookConfig is required when type is webhook' });
      }
    }),
  emptyStatus,
);

export type ObservabilityAlertRule = z.infer<typeof observabilityAlertRuleSchema>;
export type ObservabilityAlertsNotificationChannel = z.infer<typeof observabilityAlertsNotificationChannelSchema>;
