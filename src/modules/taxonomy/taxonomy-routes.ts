import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { isSpecialCategory } from '../consent/consent-rules.js';
import { defaultTaxonomy, type TaxonomyKind } from './taxonomy.js';

const kinds = ['data_category', 'data_use', 'data_subject'] as const satisfies readonly TaxonomyKind[];

export const ZTaxonomyTerm = z
  .object({
    key: z.string(),
    name: z.string(),
    description: z.string(),
    parentKey: z.string().nullable(),
    deprecated: z.boolean(),
    specialCategory: z
      .boolean()
      .describe('a special category of personal data (GDPR Art. 9(1)); only ever true for data categories'),
  })
  .meta({ id: 'TaxonomyTerm' });

/** Every term of one kind, in the taxonomy's order (parents before their children), deprecated ones last. */
function termsOf(kind: TaxonomyKind): z.infer<typeof ZTaxonomyTerm>[] {
  const terms = [...defaultTaxonomy[kind].values()].map((term) => ({
    ...term,
    specialCategory: kind === 'data_category' && isSpecialCategory(term.key),
  }));
  return [...terms.filter((term) => !term.deprecated), ...terms.filter((term) => term.deprecated)];
}

/**
 * The privacy taxonomy (fideslang, CC BY 4.0): the data categories, data uses and data subject types
 * purposes, collections and systems are described with. Reference data, the same for every caller.
 */
export function taxonomyRoutes(): FastifyPluginAsyncZod {
  const cached = new Map(kinds.map((kind) => [kind, termsOf(kind)]));
  return async (app) => {
    app.get(
      '/v1/taxonomy/:kind',
      {
        config: { access: 'authenticated' },
        schema: {
          tags: ['taxonomy'],
          summary: 'The data categories, data uses or data subject types of the taxonomy',
          description:
            'Purposes, collection fields and downstream systems name these keys (or custom keys beneath them). Deprecated terms come last and are still accepted.',
          params: z.object({ kind: z.enum(kinds) }),
          response: { 200: z.object({ items: z.array(ZTaxonomyTerm) }) },
        },
      },
      async (request) => ({ items: cached.get(request.params.kind) ?? [] }),
    );
  };
}
