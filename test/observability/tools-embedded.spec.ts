import { createOtlpWriter } from '../../servers/observability-plane/backends/embedded/otlp-writer.js';
import { describeObservabilityTools } from './tool-suite.js';

describeObservabilityTools('the embedded store (fed over OTLP/HTTP)', {
  observabilityEnv: async () => ({ PLANE_OBSERVABILITY_BACKEND: 'embedded' }),
  writer: async (stack) => {
    const otlp = stack.observabilityPlane.running.otlp;
    if (!otlp) throw new Error('the embedded backend did not start OTLP ingest');
    return createOtlpWriter(otlp.url, otlp.token);
  },
});
