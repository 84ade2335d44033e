import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ConversationService } from '../../../core/conversation/conversation-service.js';
import { callerOf } from '../plugins/auth.js';
import {
  bearerSecurity,
  ErasureSchema,
  PreferencesPatchSchema,
  PreferencesSchema,
  problemResponses,
} from '../schemas.js';

export interface MeRoutesOptions {
  conversations: ConversationService;
}

const tags = ['me'];

/** The caller's own data: preferences, and erasure of everything stored about them. */
export const meRoutes: FastifyPluginAsyncTypebox<MeRoutesOptions> = async (app, { conversations }) => {
  app.get(
    '/me/preferences',
    {
      schema: {
        summary: 'Read my preferences (defaults filled in)',
        tags,
        security: bearerSecurity,
        response: { 200: PreferencesSchema, ...problemResponses },
      },
    },
    async (request) => conversations.getPreferences(callerOf(request).userId),
  );

  app.patch(
    '/me/preferences',
    {
      schema: {
        summary: 'Change some of my preferences',
        tags,
        security: bearerSecurity,
        body: PreferencesPatchSchema,
        response: { 200: PreferencesSchema, ...problemResponses },
      },
    },
    async (request) => conversations.updatePreferences(callerOf(request).userId, request.body),
  );

  app.delete(
    '/me',
    {
      schema: {
        summary: 'Erase all my conversations and my profile',
        tags,
        security: bearerSecurity,
        response: { 200: ErasureSchema, ...problemResponses },
      },
    },
    async (request) => conversations.forgetUser(callerOf(request).userId),
  );
};
