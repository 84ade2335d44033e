import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as Type from 'typebox';
import type { Conversation } from '../../../core/model/conversation.js';
import type { ConversationService } from '../../../core/conversation/conversation-service.js';
import { callerOf } from '../plugins/auth.js';
import {
  bearerSecurity,
  ConversationPageSchema,
  ConversationParamsSchema,
  ConversationSchema,
  CreateConversationBodySchema,
  DEFAULT_PAGE_LIMIT,
  PageQuerySchema,
  problemResponses,
  TurnPageSchema,
} from '../schemas.js';

export interface ConversationRoutesOptions {
  conversations: ConversationService;
}

const tags = ['conversations'];

/** Conversations of the caller: create, list, read, history and delete. Another user's id is simply not found. */
export const conversationRoutes: FastifyPluginAsyncTypebox<ConversationRoutesOptions> = async (
  app,
  { conversations },
) => {
  app.post(
    '/conversations',
    {
      // The body is optional; an absent one means "no title" rather than a validation error.
      preValidation: async (request) => {
        request.body ??= {};
      },
      schema: {
        summary: 'Start a conversation',
        tags,
        security: bearerSecurity,
        body: CreateConversationBodySchema,
        response: { 201: ConversationSchema, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { userId } = callerOf(request);
      const conversation = await conversations.create(
        userId,
        request.body.title === undefined ? {} : { title: request.body.title },
      );
      return reply
        .code(201)
        .header('location', `${app.prefix}/conversations/${conversation.id}`)
        .send(present(conversation));
    },
  );

  app.get(
    '/conversations',
    {
      schema: {
        summary: 'List my conversations, most recently updated first',
        tags,
        security: bearerSecurity,
        querystring: PageQuerySchema,
        response: { 200: ConversationPageSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { userId } = callerOf(request);
      const { limit = DEFAULT_PAGE_LIMIT, cursor } = request.query;
      return conversations.list(userId, { limit, ...(cursor !== undefined && { cursor }) });
    },
  );

  app.get(
    '/conversations/:id',
    {
      schema: {
        summary: 'Read a conversation header',
        tags,
        security: bearerSecurity,
        params: ConversationParamsSchema,
        response: { 200: ConversationSchema, ...problemResponses },
      },
    },
    async (request) => present(await conversations.get(callerOf(request).userId, request.params.id)),
  );

  app.get(
    '/conversations/:id/turns',
    {
      schema: {
        summary: 'Read the turns of a conversation, oldest first',
        tags,
        security: bearerSecurity,
        params: ConversationParamsSchema,
        querystring: PageQuerySchema,
        response: { 200: TurnPageSchema, ...problemResponses },
      },
    },
    async (request) => {
      const { limit = DEFAULT_PAGE_LIMIT, cursor } = request.query;
      return conversations.history(callerOf(request).userId, request.params.id, {
        limit,
        ...(cursor !== undefined && { cursor }),
      });
    },
  );

  app.delete(
    '/conversations/:id',
    {
      schema: {
        summary: 'Delete a conversation and its turns',
        tags,
        security: bearerSecurity,
        params: ConversationParamsSchema,
        response: { 204: Type.Null({ description: 'Deleted' }), ...problemResponses },
      },
    },
    async (request, reply) => {
      await conversations.remove(callerOf(request).userId, request.params.id);
      return reply.code(204).send(null);
    },
  );
};

/** The header clients need; the dialogue state stays internal except for the open question, which a UI may show. */
function present(conversation: Conversation) {
  const { pending, lastIntent } = conversation.state;
  return {
    id: conversation.id,
    ...(conversation.title !== undefined && { title: conversation.title }),
    createdAt: conversation.createdAt,
    updatedAt: conversation.updatedAt,
    turnCount: conversation.turnCount,
    version: conversation.version,
    ...(lastIntent !== undefined && { lastIntent }),
    ...(pending && { pending: { intent: pending.intent, slot: pending.slot } }),
  };
}
