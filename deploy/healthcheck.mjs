// Container health probe for the plane-mcp image (Dockerfile HEALTHCHECK, docker-compose.yml):
// GET the URL and exit 0 on a 2xx answer, 1 otherwise. The URL is the first argument, else
// $HEALTHCHECK_URL, else the control plane's default http://127.0.0.1:8080/healthz.
// The request's Host is 127.0.0.1: when PLANE_ALLOWED_HOSTS is set it must list 127.0.0.1.
const url = process.argv[2] ?? process.env.HEALTHCHECK_URL ?? 'http://127.0.0.1:8080/healthz';
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_500) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
