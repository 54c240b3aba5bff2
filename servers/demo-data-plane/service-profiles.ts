/**
 * How each simulated workload behaves at run time: its gRPC service name, port, language, CPU cost per
 * request and baseline, memory working set and what it prints when it starts. Values are chosen to
 * look like the real Online Boutique v0.10.5 on a quiet cluster (a few requests per second): every
 * service uses a few millicores and tens of MiB, far below a 2-CPU / 2Gi over-allocation.
 */
export interface ServiceProfile {
  /** `hipstershop.<Name>Service` for the gRPC backends; absent for HTTP workloads. */
  rpcService?: string;
  /** The port when the release declares no endpoint. */
  defaultPort: number;
  language: 'go' | 'python' | 'node' | 'java' | 'csharp';
  /** CPU the process burns while idle (GC, health checks, telemetry export). */
  cpuBaselineMillicores: number;
  /** CPU spent serving one request (its own work, not its callees'). */
  cpuMsPerRequest: number;
  /** Median time spent serving one request (its own work, not its callees'). */
  latencyMs: number;
  /** Working set at rest, and how much it grows per request/s served. */
  memoryBaseMiB: number;
  memoryPerRpsMiB: number;
  /** Occasional warnings this service prints (picked at random, rarely). */
  warnings: readonly string[];
  /** Lines printed when a pod starts, given its port. */
  startup: (port: number) => string[];
}

const GENERIC: ServiceProfile = {
  defaultPort: 8080,
  language: 'go',
  cpuBaselineMillicores: 1,
  cpuMsPerRequest: 0.5,
  latencyMs: 0.6,
  memoryBaseMiB: 16,
  memoryPerRpsMiB: 0.5,
  warnings: ['slow request: handler took longer than 250ms'],
  startup: (port) => [`listening on :${port}`],
};

export const SERVICE_PROFILES: Readonly<Record<string, ServiceProfile>> = {
  frontend: {
    defaultPort: 8080,
    language: 'go',
    cpuBaselineMillicores: 4,
    cpuMsPerRequest: 14,
    latencyMs: 6,
    memoryBaseMiB: 72,
    memoryPerRpsMiB: 3,
    warnings: ['session cookie missing or expired; issued a new session id', 'slow template render for page home (took 212ms)'],
    startup: (port) => ['tracing enabled', 'profiling disabled', `starting server on :${port}`],
  },
  productcatalog: {
    rpcService: 'hipstershop.ProductCatalogService',
    defaultPort: 3550,
    language: 'go',
    cpuBaselineMillicores: 1,
    cpuMsPerRequest: 0.8,
    latencyMs: 0.8,
    memoryBaseMiB: 26,
    memoryPerRpsMiB: 0.5,
    warnings: ['catalog reload took 180ms'],
    startup: (port) => ['successfully parsed product catalog json', `starting grpc server at :${port}`],
  },
  checkout: {
    rpcService: 'hipstershop.CheckoutService',
    defaultPort: 5050,
    language: 'go',
    cpuBaselineMillicores: 1,
    cpuMsPerRequest: 3,
    latencyMs: 2,
    memoryBaseMiB: 34,
    memoryPerRpsMiB: 1,
    warnings: ['payment took longer than expected (1.2s)'],
    startup: (port) => [
      'service config: productCatalogSvcAddr, cartSvcAddr, currencySvcAddr, shippingSvcAddr, emailSvcAddr, paymentSvcAddr set',
      `starting to listen on tcp: "[::]:${port}"`,
    ],
  },
  cart: {
    rpcService: 'hipstershop.CartService',
    defaultPort: 7070,
    language: 'csharp',
    cpuBaselineMillicores: 3,
    cpuMsPerRequest: 1.5,
    latencyMs: 1.4,
    memoryBaseMiB: 82,
    memoryPerRpsMiB: 1,
    warnings: ['redis: slow operation HGETALL took 75ms', 'Connection to redis-cart:6379 was re-established'],
    startup: (port) => [
      'Reading host address from ASPNETCORE_HTTP_PORTS environment variable',
      `Now listening on: http://[::]:${port}`,
      'Checking CartService Health',
    ],
  },
  currency: {
    rpcService: 'hipstershop.CurrencyService',
    defaultPort: 7000,
    language: 'node',
    cpuBaselineMillicores: 2,
    cpuMsPerRequest: 0.9,
    latencyMs: 0.7,
    memoryBaseMiB: 58,
    memoryPerRpsMiB: 0.5,
    warnings: ['conversion request for unsupported currency fell back to USD'],
    startup: (port) => ['Profiler disabled.', 'Tracing enabled.', `Starting gRPC server on port ${port}...`],
  },
  payment: {
    rpcService: 'hipstershop.PaymentService',
    defaultPort: 50051,
    language: 'node',
    cpuBaselineMillicores: 1,
    cpuMsPerRequest: 1.2,
    latencyMs: 1.5,
    memoryBaseMiB: 52,
    memoryPerRpsMiB: 0.5,
    warnings: ['card issuer responded slowly (800ms)'],
    startup: (port) => ['Tracing enabled.', `PaymentService gRPC server started on port ${port}`],
  },
  email: {
    rpcService: 'hipstershop.EmailService',
    defaultPort: 5000,
    language: 'python',
    cpuBaselineMillicores: 1,
    cpuMsPerRequest: 2,
    latencyMs: 2.5,
    memoryBaseMiB: 48,
    memoryPerRpsMiB: 0.5,
    warnings: ['template cache miss for confirmation.html'],
    startup: (port) => ['starting the email service in dummy mode.', `listening on port: ${port}`],
  },
  shipping: {
    rpcService: 'hipstershop.ShippingService',
    defaultPort: 50055,
    language: 'go',
    cpuBaselineMillicores: 1,
    cpuMsPerRequest: 0.6,
    latencyMs: 0.5,
    memoryBaseMiB: 18,
    memoryPerRpsMiB: 0.3,
    warnings: ['quote for empty cart requested'],
    startup: (port) => ['Tracing disabled.', `Shipping Service listening on port ${port}`],
  },
  recommendation: {
    rpcService: 'hipstershop.RecommendationService',
    defaultPort: 8080,
    language: 'python',
    cpuBaselineMillicores: 4,
    cpuMsPerRequest: 8,
    latencyMs: 4,
    memoryBaseMiB: 64,
    memoryPerRpsMiB: 1,
    warnings: ['product catalog returned fewer products than requested'],
    startup: (port) => ['initializing recommendationservice', `listening on port: ${port}`],
  },
  ad: {
    rpcService: 'hipstershop.AdService',
    defaultPort: 9555,
    language: 'java',
    cpuBaselineMillicores: 5,
    cpuMsPerRequest: 1.5,
    latencyMs: 1.2,
    memoryBaseMiB: 176,
    memoryPerRpsMiB: 1,
    warnings: ['GC pause 120ms (G1 Evacuation Pause)'],
    startup: (port) => ['AdService starting.', `Ad Service started, listening on ${port}`],
  },
  'greeting-service': {
    defaultPort: 9090,
    language: 'go',
    cpuBaselineMillicores: 1,
    cpuMsPerRequest: 0.3,
    latencyMs: 0.4,
    memoryBaseMiB: 11,
    memoryPerRpsMiB: 0.2,
    warnings: ['request without name parameter; greeting "Stranger"'],
    startup: (port) => [`Starting HTTP Greeter on port ${port}`],
  },
};

/** The profile of a component (by name); unknown components behave like a small Go service. */
export function profileOf(component: string): ServiceProfile {
  return SERVICE_PROFILES[component] ?? GENERIC;
}
