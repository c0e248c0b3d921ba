import type { OrderEvent } from '@orderhub/contracts';
import type { Actor } from '../../platform/actor.ts';
import type { DbReader, Tx } from '../../platform/db.ts';
import { type Deps, hooksOf } from '../../platform/deps.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Jobs } from '../../platform/jobs.ts';
import { recordAudit } from '../audit/index.ts';
import { emitOrderEvent } from './events.ts';
import { checkGuards, eventsFrom, ORDER_MACHINE } from './machine.ts';
import { loadLines, lockOrder, type OrderRow, setOrderStatus } from './store.ts';
import { appendTimeline } from './timeline.ts';

/**
 * What another module does inside the same transaction when an order moves (inventory releases on
 * cancel, consumes on ship, …). Wired in app.ts; the order module knows none of them.
 */
export type TransitionEffect = (
  tx: Tx,
  at: Date,
  actor: Actor,
  change: { before: OrderRow; after: OrderRow; input: TransitionInput },
) => Promise<void>;

/**
 * A check another module makes before an order moves ("may I?"), in the same transaction, after the
 * order's own checks: inventory refuses approve while lines lack stock. Null lets it pass. It only
 * reads, so the order detail asks the same guards to say why an event is blocked (`nextEvents`).
 */
export type TransitionGuard = (
  exec: DbReader,
  order: OrderRow,
  input: Pick<TransitionInput, 'orderId' | 'event'> & Partial<TransitionInput>,
) => Promise<DomainError | null>;

declare module '../../platform/deps.ts' {
  interface Hooks {
    /** Effects run inside every order transition's transaction, in module order. */
    orderTransition: TransitionEffect;
    /** Guards checked before every order transition. */
    orderTransitionGuard: TransitionGuard;
  }
}

export interface TransitionContext {
  jobs: Jobs;
  effects: readonly TransitionEffect[];
  guards?: readonly TransitionGuard[];
}

/** The transition context from the wired hooks. */
export function transitionContext(deps: Pick<Deps, 'jobs' | 'hooks'>): TransitionContext {
  return {
    jobs: deps.jobs,
    effects: hooksOf(deps, 'orderTransition'),
    guards: hooksOf(deps, 'orderTransitionGuard'),
  };
}

/** The event's permission, checked before the order is read (nobody learns its state without it). */
function checkPermission(actor: Actor, input: TransitionInput): void {
  const spec = ORDER_MACHINE[input.event];
  if (actor.type !== 'system' && !actor.permissions.has(spec.permission)) {
    throw new DomainError(
      'FORBIDDEN',
      `your role (${actor.role}) may not ${input.event} orders (needs ${spec.permission})`,
      {
        permission: spec.permission,
      },
    );
  }
}

export interface TransitionInput {
  orderId: string;
  event: OrderEvent;
  /** The version the caller saw; a stale one is refused. Leave out only for system-driven changes. */
  expectedVersion?: number | undefined;
  reasonCode?: string | undefined;
  note?: string | undefined;
  details?: unknown;
}

/**
 * The only way an order changes status. In the caller's transaction: lock the row, check version,
 * table, permission, reason and guards; then write status, timeline, audit and outbox together.
 */
export async function transitionOrder(
  tx: Tx,
  ctx: TransitionContext,
  at: Date,
  actor: Actor,
  input: TransitionInput,
): Promise<OrderRow> {
  checkPermission(actor, input);
  const order = await lockOrder(tx, input.orderId);
  if (!order) throw new DomainError('ORDER_NOT_FOUND', `no order ${input.orderId}`);
  return transitionLocked(tx, ctx, at, actor, order, input);
}

/** As transitionOrder, for a caller that already holds the row lock (e.g. ingest). */
export async function transitionLocked(
  tx: Tx,
  ctx: TransitionContext,
  at: Date,
  actor: Actor,
  order: OrderRow,
  input: TransitionInput,
): Promise<OrderRow> {
  checkPermission(actor, input);
  if (input.expectedVersion !== undefined && input.expectedVersion !== order.version) {
    throw new DomainError(
      'ORDER_VERSION_CONFLICT',
      `the order changed since you saw it (version ${input.expectedVersion}, now ${order.version}); reload and try again`,
      {
        currentVersion: order.version,
        status: order.status,
      },
    );
  }
  const spec = ORDER_MACHINE[input.event];
  if (!spec.from.includes(order.status as never)) {
    const allowed = eventsFrom(order.status);
    throw new DomainError(
      'ORDER_INVALID_TRANSITION',
      `cannot ${input.event} an order that is ${order.status}; allowed: ${allowed.join(', ') || 'none'}`,
      {
        status: order.status,
        event: input.event,
        allowed,
      },
    );
  }
  if (spec.reasons) {
    if (!input.reasonCode) {
      throw new DomainError(
        'ORDER_REASON_REQUIRED',
        `${input.event} needs a reasonCode, one of ${spec.reasons.join(', ')}`,
        { reasons: spec.reasons },
      );
    }
    if (!spec.reasons.includes(input.reasonCode)) {
      throw new DomainError(
        'ORDER_REASON_UNKNOWN',
        `"${input.reasonCode}" is not a reason for ${input.event}; use one of ${spec.reasons.join(', ')}`,
        {
          reasons: spec.reasons,
        },
      );
    }
  }
  if (spec.guards) {
    const failure = checkGuards(spec, { lines: await loadLines(tx, order.id) });
    if (failure) {
      throw new DomainError('ORDER_GUARD_FAILED', `cannot ${input.event}: ${failure.message}`, {
        guard: failure.code,
        message: failure.message,
        ...(failure.lines ? { lines: failure.lines } : {}),
      });
    }
  }
  for (const guard of ctx.guards ?? []) {
    const refusal = await guard(tx, order, input);
    if (refusal) throw refusal;
  }
  const updated = await setOrderStatus(tx, order, {
    status: spec.to,
    holdReason: spec.to === 'on_hold' ? (input.reasonCode ?? null) : null,
    paidAt: input.event === 'pay' ? (order.paidAt ?? at) : order.paidAt,
    version: order.version + 1,
    updatedAt: at,
  });
  // The status change, timeline, audit, the effects' writes and the outbox job are in this
  // transaction, but nobody reads their answers: they are held back (`tx.deferred`) and travel with
  // the transaction's next statement or its COMMIT. An error in one of them fails that statement,
  // and the transaction.
  await appendTimeline(tx.deferred, at, actor, {
    orderId: order.id,
    event: input.event,
    fromStatus: order.status,
    toStatus: spec.to,
    reasonCode: input.reasonCode ?? null,
    note: input.note ?? null,
    details: input.details,
  });
  await recordAudit(tx.deferred, at, actor, {
    action: `order.${input.event}`,
    entityType: 'order',
    entityId: order.id,
    summary: {
      from: order.status,
      to: spec.to,
      reasonCode: input.reasonCode ?? null,
      version: updated.version,
    },
  });
  for (const effect of ctx.effects) await effect(tx, at, actor, { before: order, after: updated, input });
  await emitOrderEvent(tx.deferred, ctx.jobs, {
    type: 'order.status_changed',
    orderId: order.id,
    version: updated.version,
    status: spec.to,
    at: at.toISOString(),
    event: input.event,
    from: order.status,
    reasonCode: input.reasonCode ?? null,
  });
  return updated;
}
