import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  CreateSavedViewBody,
  SavedViewList,
  SavedViewListQuery,
  SavedViewSchema,
  SetDefaultViewBody,
  ShareSavedViewBody,
  UpdateSavedViewBody,
  VIEW_PAGES,
} from '@orderhub/contracts';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import { shareView, updateView } from './change-view.ts';
import { createView } from './create-view.ts';
import { deleteView } from './delete-view.ts';
import { listViews } from './list-views.ts';
import { setDefaultView } from './set-default-view.ts';

const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
// A plain string: an unknown page is a missing resource (404), checked after the body.
const PageParams = Type.Object({
  page: Type.String({ minLength: 1, maxLength: 32, description: `one of ${VIEW_PAGES.join(', ')}` }),
});
const tags = ['views'];

/** Saved views of the console's lists: everyone who reads orders keeps his own and sees shared ones. */
export function viewRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const { database, clock } = deps;

  r.get(
    '/api/views',
    {
      config: { permission: 'orders:read' },
      schema: {
        operationId: 'listSavedViews',
        tags,
        summary: 'The saved views of a page the caller sees: his own and those shared with his role',
        querystring: SavedViewListQuery,
        response: { 200: SavedViewList },
      },
    },
    async (req) => listViews(database, req.actor!, req.query.page),
  );

  r.post(
    '/api/views',
    {
      config: {
        permission: 'orders:read',
        errors: [
          'VIEW_NAME_TAKEN',
          'VIEW_NAME_INVALID',
          'VIEW_ROLE_UNKNOWN',
          'VIEW_FILTER_UNKNOWN',
          'VIEW_FILTER_PERSONAL',
          'VIEW_QUERY_TOO_LONG',
          'VIEW_LIMIT',
        ],
      },
      schema: {
        operationId: 'createSavedView',
        tags,
        summary: 'Save the list’s filters as a named view, optionally shared with roles (audited)',
        body: CreateSavedViewBody,
        response: { 201: SavedViewSchema },
      },
    },
    async (req, reply) => {
      const view = await database.tx((tx) => createView(tx, clock.now(), req.actor!, req.body));
      return reply.status(201).send(view);
    },
  );

  r.patch(
    '/api/views/:id',
    {
      config: {
        permission: 'orders:read',
        errors: [
          'VIEW_NOT_FOUND',
          'VIEW_NOT_OWNER',
          'VIEW_NAME_TAKEN',
          'VIEW_NAME_INVALID',
          'VIEW_FILTER_UNKNOWN',
          'VIEW_FILTER_PERSONAL',
          'VIEW_QUERY_TOO_LONG',
          'VIEW_VERSION_CONFLICT',
        ],
      },
      schema: {
        operationId: 'updateSavedView',
        tags,
        summary: 'Rename a view or replace its filters (its owner only)',
        params: IdParams,
        body: UpdateSavedViewBody,
        response: { 200: SavedViewSchema },
      },
    },
    async (req) => database.tx((tx) => updateView(tx, clock.now(), req.actor!, req.params.id, req.body)),
  );

  r.put(
    '/api/views/:id/sharing',
    {
      config: {
        permission: 'orders:read',
        errors: ['VIEW_NOT_FOUND', 'VIEW_NOT_OWNER', 'VIEW_ROLE_UNKNOWN', 'VIEW_VERSION_CONFLICT'],
      },
      schema: {
        operationId: 'shareSavedView',
        tags,
        summary: 'Share a view with exactly these roles, or with none (its owner only; audited)',
        params: IdParams,
        body: ShareSavedViewBody,
        response: { 200: SavedViewSchema },
      },
    },
    async (req) => database.tx((tx) => shareView(tx, clock.now(), req.actor!, req.params.id, req.body)),
  );

  r.delete(
    '/api/views/:id',
    {
      config: { permission: 'orders:read', errors: ['VIEW_NOT_FOUND', 'VIEW_NOT_OWNER'] },
      schema: {
        operationId: 'deleteSavedView',
        tags,
        summary: 'Delete a view (its owner, or an administrator); it stops being anyone’s default',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (req, reply) => {
      await database.tx((tx) => deleteView(tx, clock.now(), req.actor!, req.params.id));
      return reply.status(204).send(null);
    },
  );

  r.put(
    '/api/view-defaults/:page',
    {
      config: { permission: 'orders:read', errors: ['VIEW_NOT_FOUND', 'NOT_FOUND'] },
      schema: {
        operationId: 'setDefaultSavedView',
        tags,
        summary: 'Set or clear the caller’s default view of a page (the list opens with it)',
        params: PageParams,
        body: SetDefaultViewBody,
        response: { 200: SavedViewList },
      },
    },
    async (req) => {
      const page = VIEW_PAGES.find((p) => p === req.params.page);
      if (!page) throw new DomainError('NOT_FOUND', `no list ${req.params.page} keeps views`);
      return database.tx((tx) => setDefaultView(tx, clock.now(), req.actor!, page, req.body.viewId));
    },
  );
}
