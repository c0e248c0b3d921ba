import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { listAudit } from './list-audit.ts';

export function auditRoutes(app: FastifyInstance, { database }: Deps) {
  app.get(
    '/api/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        operationId: 'listAuditLog',
        tags: ['audit'],
        summary: 'The audit log, newest first',
        querystring: Type.Object(
          {
            actorId: Type.Optional(Type.String({ maxLength: 64 })),
            action: Type.Optional(
              Type.String({ maxLength: 64, description: 'prefix, e.g. `order.` or `user.create`' }),
            ),
            entityType: Type.Optional(Type.String({ maxLength: 64 })),
            entityId: Type.Optional(Type.String({ maxLength: 64 })),
            from: Type.Optional(Type.String({ format: 'date-time' })),
            to: Type.Optional(Type.String({ format: 'date-time' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    // Data scopes: audit rows are not tied to a shop, so a user with a data scope reads only the
    // rows of his own actions (docs/security.md).
    async (req) =>
      listAudit(database, {
        ...(req.query as Parameters<typeof listAudit>[1]),
        ...(req.actor?.scope?.accounts || req.actor?.scope?.warehouses
          ? { actorId: req.actor.id ?? '' }
          : {}),
      }),
  );
}
