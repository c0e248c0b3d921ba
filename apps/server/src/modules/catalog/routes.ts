import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { CreateSkuBody, SkuListQuery, SkuView, UpdateSkuBody } from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { createSku, listSkus, updateSku } from './skus.ts';

export function catalogRoutes(app: FastifyInstance, { database, clock }: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/skus',
    {
      config: { permission: 'inventory:read' },
      schema: {
        operationId: 'listSkus',
        tags: ['catalog'],
        summary: 'The SKU master (商品主数据), by code',
        querystring: SkuListQuery,
        response: {
          200: Type.Object({
            items: Type.Array(SkuView),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => listSkus(database, req.query),
  );
  r.post(
    '/api/skus',
    {
      config: { permission: 'catalog:manage', errors: ['SKU_CODE_TAKEN'] },
      schema: {
        operationId: 'createSku',
        tags: ['catalog'],
        summary: 'Add a SKU to the master',
        body: CreateSkuBody,
        response: { 201: SkuView },
      },
    },
    async (req, reply) =>
      reply.status(201).send(await database.tx((tx) => createSku(tx, clock.now(), req.actor!, req.body))),
  );
  r.patch(
    '/api/skus/:id',
    {
      config: { permission: 'catalog:manage', errors: ['SKU_CODE_TAKEN'] },
      schema: {
        operationId: 'updateSku',
        tags: ['catalog'],
        summary: 'Rename, recategorise or (de)activate a SKU (by id or code)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
        body: UpdateSkuBody,
        response: { 200: SkuView },
      },
    },
    async (req) => database.tx((tx) => updateSku(tx, clock.now(), req.actor!, req.params.id, req.body)),
  );
}
