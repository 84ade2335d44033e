import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { SkillRegistry } from '../../../core/skills/skill-registry.js';
import { bearerSecurity, problemResponses, SkillListSchema } from '../schemas.js';

export interface SkillRoutesOptions {
  skills: SkillRegistry;
}

/** What the assistant can do, from the same registry the NLU is trained from. */
export const skillRoutes: FastifyPluginAsyncTypebox<SkillRoutesOptions> = async (app, { skills }) => {
  const listing = {
    skills: skills.skills.map((skill) => ({
      name: skill.name,
      description: skill.description,
      intents: skill.intents.map((intent) => ({
        name: intent.name,
        utterances: [...intent.utterances],
        slots: (intent.slots ?? []).map((slot) => ({
          name: slot.name,
          entity: slot.entity,
          required: slot.required ?? false,
        })),
      })),
    })),
  };
  app.get(
    '/skills',
    {
      schema: {
        summary: 'List the skills, their intents and example utterances',
        tags: ['skills'],
        security: bearerSecurity,
        response: { 200: SkillListSchema, ...problemResponses },
      },
    },
    async () => listing,
  );
};
