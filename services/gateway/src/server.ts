/**
 * The process entry point: load config, set up tracing and Redis, build the app, listen, and shut down with
 * grace on SIGTERM/SIGINT: on SIGTERM keep serving for server.shutdownDelayMs with /readyz at 503, then stop
 * accepting (new requests get 503), let in-flight requests and streams finish up to server.shutdownGraceMs, then
 * close upstream pools, Redis and the span exporter.
 *
 * Config file: $GATEWAY_CONFIG (default /etc/llm-gateway/config.yaml) plus GATEWAY__* overrides.
 */
import pino from "pino";
import { loadConfig, ConfigError } from "./config/load";
import { buildApp } from "./app";
import { Registry } from "prom-client";
import { defaultTracer, initTracing } from "./telemetry/tracing";
import { optionalModules } from "./wiring";
import { loggerOptions } from "./telemetry/logger";
import { connectRedis, createRedis } from "./redis-client";

async function main(): Promise<void> {
  const file = process.env.GATEWAY_CONFIG ?? "/etc/llm-gateway/config.yaml";
  const config = loadConfig(file);
  const logger = pino(loggerOptions(config.telemetry.logLevel));
  const shutdownTracing = initTracing(config.telemetry.serviceName);
  const redis = createRedis(config.redis);
  redis.on("error", (e: Error) => logger.warn({ err: { message: e.message } }, "redis error"));
  try {
    await connectRedis(redis);
  } catch (e) {
    // Starting without Redis is allowed: limits follow failureMode and /readyz reports it until it connects.
    logger.warn({ err: { message: (e as Error).message } }, "redis not reachable at start-up");
  }
  const registry = new Registry();
  const tracer = defaultTracer();
  const modules = optionalModules(config, registry, tracer, process.env, logger);
  const app = buildApp({ config, redis, logger, registry, tracer, ...modules });
  await app.listen({ host: config.server.host, port: config.server.port });

  let closing = false;
  /**
   * SIGTERM: first keep serving for server.shutdownDelayMs, not ready (load balancers and kube-proxy learn of a
   * terminating pod asynchronously and may still send new connections), then drain. SIGINT drains at once.
   */
  const terminate = (signal: string): void => {
    if (closing || app.lifecycle.draining) return;
    const delayMs = signal === "SIGTERM" ? config.server.shutdownDelayMs : 0;
    if (delayMs === 0) return shutdown(signal);
    app.lifecycle.draining = true;
    logger.info({ signal, delayMs }, "shutting down: still serving while load balancers stop sending new connections");
    setTimeout(() => shutdown(signal), delayMs);
  };
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.lifecycle.draining = true;
    logger.info({ signal, graceMs: config.server.shutdownGraceMs }, "shutting down: draining in-flight requests");
    const force = setTimeout(() => {
      logger.warn("grace period over; closing remaining connections");
      app.server.closeAllConnections();
      process.exit(1);
    }, config.server.shutdownGraceMs);
    force.unref();
    // Fastify closes the connections idle when closing starts; a kept-alive connection whose request finishes
    // during the drain becomes idle later and would hold server.close() (and so the exit) until the grace period
    // ends. Close those as they go idle.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    sweep.unref();
    app
      .close()
      .finally(() => clearInterval(sweep))
      .then(() => redis.quit().catch(() => undefined))
      .then(() => shutdownTracing())
      .then(() => {
        logger.info("shutdown complete");
        process.exit(0);
      })
      .catch((e: unknown) => {
        logger.error({ err: { message: (e as Error).message } }, "shutdown failed");
        process.exit(1);
      });
  };
  process.on("SIGTERM", () => terminate("SIGTERM"));
  // A second signal (e.g. Ctrl-C during the delay) drains at once.
  process.on("SIGINT", () => (app.lifecycle.draining ? shutdown("SIGINT") : terminate("SIGINT")));
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`gateway failed to start: ${(e as Error).message}\n`);
  process.exit(1);
});
