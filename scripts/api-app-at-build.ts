import type { ConversationService } from '../core/conversation/conversation-service.js';
import type { SkillRegistry } from '../core/skills/skill-registry.js';
import { loadConfig } from '../entrypoints/composition/config.js';
import { buildApp, type AppOptions } from '../entrypoints/http/app.js';

const notCalled = async (): Promise<never> => {
  throw new Error('the app is only built here, never called');
};

/**
 * The text limit a Lambda API built from its defaults has (`MAX_TEXT_LENGTH` unset): the one value of the
 * configuration a route schema depends on (`turnBodySchema(maxTextLength)`).
 */
export const DEFAULT_MAX_TEXT_LENGTH = loadConfig({}).limits.maxTextLength;

/**
 * Builds the HTTP API as the Lambda function builds it (the same routes and schemas, with the default text limit; the
 * use cases are never called), compiles every route's validators and serializers at start with the compilers given,
 * and closes it: what a bundle generates ahead of time is what those compilers were asked for.
 */
export async function compileApiSchemas(compilers: Pick<AppOptions, 'serializers' | 'validators'>): Promise<void> {
  const app = await buildApp({
    handleTurn: notCalled,
    conversations: new Proxy({}, { get: () => notCalled }) as ConversationService,
    skills: { skills: [] } as unknown as SkillRegistry,
    verifier: { verify: notCalled },
    readiness: notCalled,
    maxTextLength: DEFAULT_MAX_TEXT_LENGTH,
    logger: false,
    docs: false,
    streaming: false,
    compileSchemas: 'at-start',
    ...compilers,
  });
  await app.ready();
  await app.close();
}
