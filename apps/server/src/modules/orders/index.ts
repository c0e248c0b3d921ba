export { changeLines, type LineChange, type LinesEdit } from './edit-lines.ts';
export { changeReceiver, type ReceiverChange } from './edit-order.ts';
export { emitOrderEvent, ORDER_EVENTS_QUEUE, type OrderEventMessage } from './events.ts';
export { getOrderDetail, getOrderRow } from './get-order.ts';
export { listOrders } from './list-orders.ts';
export { assertEditable, EDITABLE_STATUSES, eventsFrom, ORDER_MACHINE } from './machine.ts';
export { ordersModule } from './module.ts';
export { type CanonicalOrder, normaliseOrder } from './normalise.ts';
export { heldOrdersWithSku, orderNumbers } from './queries.ts';
export { receiverHistory } from './receiver-history.ts';
export { ordersSealedData, resealOrders, resealRawPayloads } from './reseal.ts';
export { accountInScope, keepOrdersInScope, orderScopeText, requireOrderInScope } from './scope.ts';
export { mergeStaffEdits, type SourceMerge, settleStaffEdits } from './source-merge.ts';
export {
  funnel,
  holdClosure,
  holdQueues,
  type MinimalPath,
  ordersPerAccount,
  ordersPlacedPerDay,
  salesPerDay,
  statusChangeCounts,
  WAITING_STATUSES,
  waitingStages,
} from './stats.ts';
export {
  insertOrder,
  loadLines,
  loadLinesOf,
  lockOrderByKey,
  lockOrdersByKeys,
  type OrderLineRow,
  type OrderRow,
  storeRawPayload,
  updateOrderFromSource,
} from './store.ts';
export { appendTimeline } from './timeline.ts';
export {
  type TransitionContext,
  type TransitionEffect,
  type TransitionGuard,
  type TransitionInput,
  transitionContext,
  transitionLocked,
  transitionOrder,
} from './transition.ts';
export { lineView, orderView, type Reader, seesAmounts } from './view.ts';
