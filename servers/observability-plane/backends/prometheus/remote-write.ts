import protobuf from 'protobufjs';
import { compress } from 'snappyjs';
import { METRIC_LABELS } from '../../../../shared/telemetry/conventions.js';

/**
 * A Prometheus remote-write (1.0) client: encodes a `WriteRequest` (protobuf, snappy block format)
 * and POSTs it to `<prometheus>/api/v1/write`. Prometheus accepts it when started with
 * `--web.enable-remote-write-receiver`. Samples carry explicit timestamps, so the tests and the demo
 * data plane can write history ("the last hour") instead of waiting for scrapes.
 *
 * Prometheus' rules for what it accepts: each series' labels sorted by name and unique, `__name__`
 * present, samples of one series in time order; samples older than the head block (about an hour
 * behind the newest sample) are refused as out of bounds unless the server has an
 * `out_of_order_time_window`.
 */

/** prompb/types.proto + prompb/remote.proto, reduced to what a sample writer needs. */
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface RemoteWriteSample {
  /** Milliseconds since the epoch, or a Date. */
  timestamp: number | Date;
  value: number;
}

export interface RemoteWriteSeries {
  /** Must include `__name__` (the metric name). */
  labels: Record<string, string>;
  samples: RemoteWriteSample[];
}

export interface RemoteWriteOptions {
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Split into requests of at most this many samples (default 10,000). */
  maxSamplesPerRequest?: number;
  headers?: Record<string, string>;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

interface EncodedSeries {
  labels: Array<{ name: string; value: string }>;
  samples: Array<{ value: number; timestamp: number }>;
}

function normalise(series: RemoteWriteSeries): EncodedSeries {
  const name = series.labels[METRIC_LABELS.name];
  if (name === undefined || !METRIC_NAME.test(name))
    throw new Error(`remote write: invalid or missing metric name ${JSON.stringify(name)}`);
  const labels = Object.entries(series.labels)
    .filter(([, value]) => value !== '') // an empty label value means "no such label" in Prometheus
    .map(([labelName, value]) => {
      if (!LABEL_NAME.test(labelName)) throw new Error(`remote write: invalid label name ${JSON.stringify(labelName)}`);
      return { name: labelName, value };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const samples = series.samples
    .map((sample) => ({
      value: sample.value,
      timestamp: typeof sample.timestamp === 'number' ? sample.timestamp : sample.timestamp.getTime(),
    }))
    .sort((a, b) => a.timestamp - b.timestamp);
  for (const sample of samples) {
    if (!Number.isSafeInteger(sample.timestamp)) throw new Error(`remote write: invalid timestamp ${sample.timestamp} in ${name}`);
  }
  return { labels, samples };
}

/** The protobuf bytes of one `WriteRequest` (uncompressed). */
export function encodeWriteRequest(series: RemoteWriteSeries[]): Uint8Array {
  return WriteRequest.encode(WriteRequest.fromObject({ timeseries: series.map(normalise) })).finish();
}

/** Batches of at most `maxSamples` samples; a long series is cut into consecutive, time-ordered pieces; empty series are dropped. */
function batches(series: EncodedSeries[], maxSamples: number): EncodedSeries[][] {
  const result: EncodedSeries[][] = [];
  let current: EncodedSeries[] = [];
  let size = 0;
  for (const one of series) {
    let offset = 0;
    while (offset < one.samples.length) {
      const take = Math.min(maxSamples - size, one.samples.length - offset);
      current.push({ labels: one.labels, samples: one.samples.slice(offset, offset + take) });
      offset += take;
      size += take;
      if (size >= maxSamples) {
        result.push(current);
        current = [];
        size = 0;
      }
    }
  }
  if (current.length > 0) result.push(current);
  return result;
}

/**
 * POSTs the series to `<baseUrl>/api/v1/write` (snappy-compressed protobuf), in batches, in order.
 * Throws with Prometheus' answer when a batch is refused (e.g. out-of-order or out-of-bounds samples).
 */
export async function remoteWrite(baseUrl: string, series: RemoteWriteSeries[], options: RemoteWriteOptions = {}): Promise<void> {
  const maxSamples = options.maxSamplesPerRequest ?? 10_000;
  if (!Number.isInteger(maxSamples) || maxSamples < 1) throw new Error('remote write: maxSamplesPerRequest must be a positive integer');
  const url = new URL('api/v1/write', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const batch of batches(series.map(normalise), maxSamples)) {
    const body = compress(WriteRequest.encode(WriteRequest.fromObject({ timeseries: batch })).finish());
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        ...options.headers,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
        'x-prometheus-remote-write-version': '0.1.0',
        'user-agent': 'plane-mcp-remote-write',
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 500);
      throw new Error(`remote write to ${url.origin} failed: HTTP ${response.status}: ${text.trim()}`);
    }
    await response.arrayBuffer().catch(() => undefined);
  }
}
