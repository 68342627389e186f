// The Prometheus endpoint of the reference server (docs/server.md section 12.1): the server's
// OpenTelemetry metrics (`@cloudmfa/server/otel`) read by OpenTelemetry's Prometheus exporter
// and served as `GET /metrics` on a listener of its own, so it can be scraped without the
// admin token and without exposing the admin surface.
import { createOtelTelemetry } from '@cloudmfa/server/otel';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { serve } from './nodeHttp.mjs';

/**
 * Starts the metrics listener on `host:port` (port 0: ephemeral). Resolves `{ telemetry, url,
 * port, close(timeoutMs) }`: pass `telemetry` to `createMfaServer`.
 *
 * @param {{ host: string, port: number }} config
 * @returns {Promise<{ telemetry: import('@cloudmfa/server').MfaTelemetry, url: string, port: number, close: (timeoutMs: number) => Promise<void> }>}
 */
export async function startMetrics({ host, port }) {
  // The exporter is a pull reader: it collects when scraped; its own HTTP server is not started.
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const provider = new MeterProvider({ readers: [exporter] });
  const telemetry = createOtelTelemetry({ meter: provider.getMeter('@cloudmfa/server') });
  const listener = await serve(
    () => (req, res) => {
      const path = (req.url ?? '').split('?')[0];
      if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
        exporter.getMetricsRequestHandler(req, res);
        return;
      }
      res.writeHead(path === '/metrics' ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(path === '/metrics' ? 'method not allowed\n' : 'not found\n');
    },
    { host, port },
  );
  return {
    telemetry,
    url: listener.url,
    port: listener.port,
    close: async (timeoutMs) => {
      await listener.close(timeoutMs);
      await provider.shutdown().catch(() => {});
    },
  };
}
