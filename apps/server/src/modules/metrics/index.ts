export { funnel, holdQueues, ordersByChannel, waitingStages } from './dashboard.ts';
export { minimalPathLengths } from './minimal-path.ts';
export { metricsModule } from './module.ts';
export { channelAttribution, exceptionClosure, type HealthFigure, stateDrift } from './order-health.ts';
export { metricsRoutes } from './routes.ts';
