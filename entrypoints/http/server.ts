import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../composition/config.js';
import { loadAwsConfig } from '../composition/load-aws-config.js';
import { composeAssistant, type Assistant } from '../composition/container.js';
import { createLogger } from '../composition/logger.js';
import { buildApp } from './app.js';
import { appOptionsFor, localWebClient } from './app-options.js';
import { startPeriodicFlush } from './telemetry-flush.js';

export interface RunningServer {
  app: FastifyInstance;
  assistant: Assistant;
  url: string;
  close(): Promise<void>;
}

/** Composes the assistant for `config` and listens; the caller owns shutdown through `close`. */
export async function startServer(
  config: AppConfig,
  logger: Logger = createLogger(config.server.logLevel),
): Promise<RunningServer> {
  const assistant = await composeAssistant(config, { logger });
  try {
    const app = await buildApp({ ...appOptionsFor(assistant), ...localWebClient(assistant), logger });
    const url = await app.listen({ host: config.server.host, port: config.server.port });
    const metrics = startPeriodicFlush(assistant.telemetry);
    return {
      app,
      assistant,
      url,
      async close() {
        await app.close();
        metrics.stop();
        await assistant.close();
      },
    };
  } catch (error) {
    await assistant.close();
    throw error;
  }
}

/** The standalone server process: config from the environment, graceful shutdown on signals. */
export async function runServer(): Promise<void> {
  const config = await loadAwsConfig();
  const logger = createLogger(config.server.logLevel);
  const server = await startServer(config, logger);
  logger.info(
    { url: server.url, profile: config.profile, dataDir: config.dataDir },
    `${config.assistantName} is listening on ${server.url} (API docs at ${server.url}/docs` +
      `${server.app.hasRoute({ method: 'GET', url: '/config.json' }) ? `, web client at ${server.url}/` : ''})`,
  );
  if (server.assistant.minter)
    logger.info(
      'mint a bearer token with: npm run assistant -- token --user <name>   (or chat: npm run assistant -- chat --url ' +
        server.url +
        ')',
    );
  closeWithGrace({ delay: 10_000 }, async ({ err, signal }) => {
    if (err) logger.error({ err }, 'shutting down after an error');
    else logger.info({ signal }, 'shutting down');
    await server.close();
  });
}
