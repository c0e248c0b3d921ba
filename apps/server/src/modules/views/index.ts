export { createView } from './create-view.ts';
export { listViews } from './list-views.ts';
export { viewsModule } from './module.ts';
