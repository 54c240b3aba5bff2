import type { TelemetryBackend } from '../telemetry-backend.js';
import { TelemetryStore } from './store/telemetry-store.js';

/** The embedded backend: all three signals from one SQLite store, plus the store itself for the OTLP receiver. */
export interface EmbeddedTelemetryBackend extends TelemetryBackend {
  readonly name: 'embedded';
  readonly store: TelemetryStore;
}

/** `file`: `<dataDir>/observability.sqlite` or `:memory:`. */
export function createEmbeddedBackend(options: {
  file: string;
  retentionHours?: number;
  sweepIntervalMs?: number;
  countCap?: number;
}): EmbeddedTelemetryBackend {
  const store = new TelemetryStore(options.file, options);
  return {
    name: 'embedded',
    store,
    logs: store,
    traces: store,
    metrics: store,
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
