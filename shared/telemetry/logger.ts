import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs on stdout. Anything that could carry a credential is redacted by path here,
 * and tool arguments are redacted by `redactArguments` before they are logged at all.
 */
export function createLogger(options: { name: string; level?: string; destination?: DestinationStream }): Logger {
  return pino(
    {
      name: options.name,
      level: options.level ?? 'info',
      base: { service: options.name },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'token',
          'accessToken',
          'authorization',
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'headers.cookie',
          'clientSecret',
          'password',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
