import { type Static, Type } from '@sinclair/typebox';

/** The console lists that keep saved views. */
export const VIEW_PAGES = ['orders'] as const;
export type ViewPage = (typeof VIEW_PAGES)[number];

/**
 * The query-string keys a saved view of each page may hold: the filters of the order list as the
 * console writes them in its URL (lists comma-joined), plus sort and page size.
 */
export const VIEW_FILTER_KEYS: Record<ViewPage, readonly string[]> = {
  orders: [
    'status',
    'channel',
    'account',
    'holdReason',
    'tag',
    'flag',
    'tab',
    'orderNo',
    'orderNos',
    'buyerNick',
    'sku',
    'title',
    'day',
    'from',
    'to',
    'when',
    'buyerRemark',
    'sellerRemark',
    'overdue',
    'sort',
    'limit',
  ],
};

/**
 * Filters on personal data (a receiver's phone or name): a view is kept in clear and may be shared,
 * so these stay out of it; the console leaves them out when saving.
 */
export const VIEW_PERSONAL_KEYS: readonly string[] = ['phone', 'receiverName'];

export const VIEW_NAME_MAX = 60;
export const VIEW_QUERY_MAX = 4000;
/** Views one user may own per page. */
export const VIEWS_PER_USER_MAX = 100;

const ViewName = Type.String({
  maxLength: 200,
  description: `1 to ${VIEW_NAME_MAX} characters after trimming; unique per owner and page (case ignored)`,
});
const ViewQuery = Type.String({
  maxLength: 20_000,
  description: `the list's query string (\`status=paid&channel=taobao\`), at most ${VIEW_QUERY_MAX} characters, only the page's filter keys`,
});
const ViewRoles = Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
  maxItems: 20,
  description: 'role codes the view is shared with (empty: only its owner sees it)',
});
const Version = Type.Integer({
  minimum: 1,
  description: 'the version the change was made against; a newer one answers VIEW_VERSION_CONFLICT',
});

export const SavedViewSchema = Type.Object({
  id: Type.String(),
  page: Type.Union(VIEW_PAGES.map((p) => Type.Literal(p))),
  name: Type.String(),
  query: Type.String(),
  sharedWith: Type.Array(Type.String()),
  owner: Type.Object({ id: Type.String(), name: Type.String() }),
  /** The caller owns it (may rename, share, delete it). */
  mine: Type.Boolean(),
  /** The caller's default view of this page. */
  isDefault: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
});
export type SavedView = Static<typeof SavedViewSchema>;

export const SavedViewList = Type.Object({
  items: Type.Array(SavedViewSchema, {
    description: 'own views first, then views shared with the caller’s role',
  }),
  defaultViewId: Type.Union([Type.String(), Type.Null()]),
});
export type SavedViewList = Static<typeof SavedViewList>;

export const SavedViewListQuery = Type.Object(
  { page: Type.Union(VIEW_PAGES.map((p) => Type.Literal(p))) },
  { additionalProperties: false },
);

export const CreateSavedViewBody = Type.Object(
  {
    page: Type.Union(VIEW_PAGES.map((p) => Type.Literal(p))),
    name: ViewName,
    query: ViewQuery,
    sharedWith: Type.Optional(ViewRoles),
  },
  {
    additionalProperties: false,
    examples: [{ page: 'orders', name: '淘宝待审核', query: 'channel=taobao&tab=to_review', sharedWith: [] }],
  },
);
export type CreateSavedViewBody = Static<typeof CreateSavedViewBody>;

export const UpdateSavedViewBody = Type.Object(
  { name: Type.Optional(ViewName), query: Type.Optional(ViewQuery), version: Type.Optional(Version) },
  { additionalProperties: false, minProperties: 1, examples: [{ name: '淘宝待审核（新）' }] },
);
export type UpdateSavedViewBody = Static<typeof UpdateSavedViewBody>;

export const ShareSavedViewBody = Type.Object(
  { roles: ViewRoles, version: Type.Optional(Version) },
  { additionalProperties: false, examples: [{ roles: ['customer_service', 'operations'] }] },
);
export type ShareSavedViewBody = Static<typeof ShareSavedViewBody>;

export const SetDefaultViewBody = Type.Object(
  {
    viewId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
      description: 'an own view or one shared with the caller; null clears the default',
    }),
  },
  { additionalProperties: false, examples: [{ viewId: null }] },
);
export type SetDefaultViewBody = Static<typeof SetDefaultViewBody>;
